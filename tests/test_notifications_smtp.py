"""Workflow email against a real SMTP server: a server that refuses the connection never turns a
committed step into a 500 (the editor sees a warning, the failure is logged in one line), and a
working server (aiosmtpd, started here on a free port) receives the mail.

These tests commit for real (``transaction=True``): the emails are sent in ``on_commit`` callbacks,
inside the admin request, as on a server.
"""

import contextlib
import logging
import socket
import time

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from briefs.models import Brief
from briefs.revisions import pending_revision, save_revision, snapshot
from tests.factories import BriefFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WARNING = "the notification email could not be sent"


def smtp_mailer(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 that refuses connections: bound (so nothing else takes it), not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def smtp_down(settings, refused_port):
    settings.MAILERS = smtp_mailer(refused_port)
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", refused_port))  # really refused, as a stopped mail server is


@pytest.fixture
def people():
    writer = ContributorFactory(username="writer", email="writer@example.org")
    editor = EditorFactory(username="editor", email="editor@example.org")
    EditorFactory(username="ed2", email="ed2@example.org")
    brief = BriefFactory(status="draft", published_at=None, title="Militias resume attacks", created_by=writer)
    return writer, editor, brief


def transition(client, brief, action):
    return client.post(reverse("admin:briefs_brief_transition", args=[brief.pk, action]))


def shown(client, response):
    """The admin messages the redirect target shows, as (level tag, text)."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    return [(m.level_tag, str(m)) for m in get_messages(page.wsgi_request)] or [
        (m.level_tag, str(m)) for m in page.context["messages"]
    ]


def notification_logs(caplog):
    return [r for r in caplog.records if r.name == "dossier.notifications"]


def test_submit_and_publish_with_the_mail_server_down_are_done_with_a_warning(client, people, smtp_down, caplog):
    writer, editor, brief = people
    caplog.set_level(logging.WARNING, logger="dossier.notifications")

    client.force_login(writer)
    response = transition(client, brief, "submit")
    assert response.status_code == 302  # before: 500 (ConnectionRefusedError from the on_commit callback)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW
    assert ("warning", f"Submitted for review; {WARNING}.") in shown(client, response)

    client.force_login(editor)
    response = transition(client, brief, "publish")
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED and brief.is_live()
    messages = shown(client, response)
    assert ("warning", f"Published; {WARNING}.") in messages
    assert not any(level == "success" for level, _text in messages)

    logs = notification_logs(caplog)
    assert [r.levelname for r in logs] == ["WARNING", "WARNING"]
    assert "For review: Militias resume attacks" in logs[0].getMessage()
    assert "Published: Militias resume attacks" in logs[1].getMessage()
    assert all("ConnectionRefusedError" in r.getMessage() for r in logs)
    # One line each, no traceback.
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in logs)


def test_publishing_pending_changes_with_the_mail_server_down(client, people, smtp_down, caplog):
    writer, editor, brief = people
    brief.status, brief.published_at = Brief.Status.PUBLISHED, brief.created_at
    brief.save()
    data = snapshot(brief)
    data["title"] = "Militias resume attacks on U.S. forces"
    revision = save_revision(brief=brief, data=data, user=writer)
    assert pending_revision(brief) == revision
    client.force_login(editor)
    response = client.post(reverse("admin:briefs_brief_publish_pending", args=[brief.pk, revision.pk]))
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.title == "Militias resume attacks on U.S. forces"
    assert ("warning", f"Revision {revision.number} is now the live version; {WARNING}.") in shown(client, response)
    assert len(notification_logs(caplog)) == 1


def test_a_title_with_a_line_break_stored_before_the_check_still_sends(client, people, settings):
    """A multi-line title would make Django refuse the header (BadHeaderError, a 500 before): the
    subject is put on one line instead."""
    writer, editor, brief = people
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Brief.objects.filter(pk=brief.pk).update(title="Militias\r\nBcc: everyone@example.org")
    client.force_login(writer)
    response = transition(client, brief, "submit")
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == ["For review: Militias Bcc: everyone@example.org"]
    assert mail.outbox[0].recipients() == ["ed2@example.org", "editor@example.org"]


class Sink:
    """What the aiosmtpd handler received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def test_with_the_mail_server_up_the_mail_goes_out(client, people, settings, caplog):
    writer, editor, brief = people
    with smtp_sink() as (sink, port):
        settings.MAILERS = smtp_mailer(port)
        client.force_login(writer)
        response = transition(client, brief, "submit")
        assert ("success", "Submitted for review: the editors have been told.") in shown(client, response)
        client.force_login(editor)
        response = transition(client, brief, "publish")
        assert ("success", "Published.") in shown(client, response)
        deadline = time.monotonic() + 5
        while len(sink.envelopes) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [sorted(e.rcpt_tos) for e in sink.envelopes] == [
        ["ed2@example.org", "editor@example.org"],
        ["writer@example.org"],
    ]
    bodies = [e.content.decode() for e in sink.envelopes]
    assert "Subject: For review: Militias resume attacks" in bodies[0]
    assert "Subject: Published: Militias resume attacks" in bodies[1]
    assert notification_logs(caplog) == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "smtp.example.org",
                "EMAIL_PORT": "587",
                "EMAIL_HOST_USER": "dossier",
                "EMAIL_HOST_PASSWORD": "secret",
                "EMAIL_USE_TLS": "1",
            },
            "smtp smtp.example.org 587 dossier True 10.0",
        ),
        # Before: the console backend refused the SMTP options ("Unknown options 'host'") on every send.
        ({"EMAIL_HOST": "smtp.example.org"}, "console"),
    ],
    ids=["smtp-with-login", "console-ignores-smtp-settings"],
)
def test_mail_settings_from_the_environment_make_a_working_mailer(env, expected):
    """Before: EMAIL_HOST_USER became an option Django 6.1's SMTP mailer does not know, and every
    send raised InvalidMailer."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "from django.core import mail; m = mail.mailers['default']; "
        "print(type(m).__module__.rsplit('.', 1)[-1], *[getattr(m, a) for a in "
        "('host', 'port', 'username', 'use_tls', 'timeout') if hasattr(m, a)])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
