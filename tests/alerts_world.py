"""A throw-away site for the real worker: its own SQLite file, migrated, with N confirmed
subscribers and one brief on their issue, and ``manage.py alerts_worker`` run as a subprocess
against an SMTP sink. Used by tests/test_alerts_worker.py and bench/alerts.py."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from django.utils import timezone
from briefs.models import Brief
from subscriptions.models import Subscriber
from tests.factories import BriefFactory, IssueFactory
issue = IssueFactory(name="Iran")
now = timezone.now()
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{n:05d}@example.org", confirmed_at=now) for n in range({n})], batch_size=2000
)
Follow = Subscriber.issues.through
Follow.objects.bulk_create(
    [Follow(subscriber_id=pk, issue_id=issue.pk) for pk in Subscriber.objects.values_list("pk", flat=True)],
    batch_size=2000,
)
brief = BriefFactory(title="Tehran moves", issues=[issue], status=Brief.Status.DRAFT, published_at=None)
brief.status, brief.published_at = Brief.Status.PUBLISHED, now
brief.save()
"""


class World:
    def __init__(self, tmp_path, *, smtp_port, **alerts):
        self.db = Path(tmp_path) / "alerts.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "SECRET_KEY": "worker-test-" + "k" * 40,
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": "https://dossier.example.org",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "LOG_LEVEL": "WARNING",
            **{f"ALERTS_{k.upper()}": str(v) for k, v in alerts.items()},
        }
        self.env.pop("DEBUG", None)

    def manage(self, *args, check=True):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=check, capture_output=True, text=True
        )

    def build(self, subscribers):
        self.manage("migrate", "--noinput")
        self.manage("shell", "-c", SETUP.replace("{n}", str(subscribers)))

    def worker(self, *args):
        """Start ``alerts_worker`` (a subprocess the caller must stop)."""
        command = [sys.executable, "manage.py", "alerts_worker", "--no-reload", "--no-startup-delay", *args]
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def addresses(self, status):
        with sqlite3.connect(self.db) as db:
            query = (
                "SELECT s.email FROM subscriptions_delivery d JOIN subscriptions_subscriber s ON s.id = d.subscriber_id"
                " WHERE d.status = ?"
            )
            return {email for (email,) in db.execute(query, [status])}

    def statuses(self):
        with sqlite3.connect(self.db) as db:
            return dict(db.execute("SELECT status, COUNT(*) FROM subscriptions_delivery GROUP BY status").fetchall())
