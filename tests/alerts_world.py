"""A throw-away site for the real worker: its own database (a SQLite file, or a new PostgreSQL
database beside DATABASE_URL's when that is PostgreSQL), migrated, with N confirmed subscribers and
one brief on their issue, and ``manage.py alerts_worker`` run as a subprocess against an SMTP sink.
Used by tests/test_alerts_worker.py and bench/alerts.py."""

import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
        self.database_url = f"sqlite:///{self.db}"
        self.pg = None
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(base)
            self.pg_name = f"{parts.path.lstrip('/')}_alerts_{uuid.uuid4().hex[:8]}"
            self.pg = parts
            self.database_url = urlunsplit(parts._replace(path="/" + self.pg_name))
            self._admin(f'CREATE DATABASE "{self.pg_name}"')
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "worker-test-" + "k" * 40,
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": "https://dossier.example.org",
            "MEDIA_ROOT": str(Path(tmp_path) / "media"),  # the worker makes the brief's PDF and card (#21)
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

    def _admin(self, sql):
        import psycopg

        url = urlunsplit(self.pg._replace(path="/postgres"))
        with closing(psycopg.connect(url, autocommit=True)) as connection:
            connection.execute(sql)

    def query(self, sql, params=()):
        if self.pg is None:
            with closing(sqlite3.connect(self.db)) as db:
                return db.execute(sql, params).fetchall()
        import psycopg

        with closing(psycopg.connect(self.database_url)) as connection:
            return connection.execute(sql.replace("?", "%s"), params).fetchall()

    def close(self):
        """Drop the PostgreSQL database (a SQLite file goes with its temporary folder)."""
        if self.pg is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def addresses(self, status):
        query = (
            "SELECT s.email FROM subscriptions_delivery d JOIN subscriptions_subscriber s ON s.id = d.subscriber_id"
            " WHERE d.status = ?"
        )
        return {email for (email,) in self.query(query, [status])}

    def statuses(self):
        return dict(self.query("SELECT status, COUNT(*) FROM subscriptions_delivery GROUP BY status"))
