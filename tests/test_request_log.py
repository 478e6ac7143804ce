"""Request logs: one line per request (JSON in production) with request id, status, duration and the
staff user's id; a bad Host header is one warning line without a traceback. The same is checked on
a real gunicorn behind nginx in tests/test_deploy_server.py."""

import io
import json
import logging

import pytest
from django.test import Client

from config.requestlog import JsonFormatter
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_records(caplog):
    """What the request logger writes, rendered by the production JSON formatter."""
    logger = logging.getLogger("dossier.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="dossier.request")
    yield lambda: [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "dossier.request"]
    logger.removeHandler(caplog.handler)


def test_one_json_line_per_request_with_id_status_and_duration(request_records):
    response = Client().get("/robots.txt")
    (entry,) = request_records()
    assert entry["request_id"] == response["X-Request-ID"]
    assert len(entry["request_id"]) == 32
    assert (entry["method"], entry["path"], entry["status"], entry["level"]) == ("GET", "/robots.txt", 200, "INFO")
    assert entry["duration_ms"] >= 0
    assert "user_id" not in entry


def test_staff_requests_carry_the_user_id(request_records):
    editor = EditorFactory()
    client = Client()
    client.force_login(editor)
    client.get("/admin/")
    (entry,) = request_records()
    assert (entry["path"], entry["status"], entry["user_id"]) == ("/admin/", 200, editor.pk)


def test_a_request_id_is_taken_only_from_the_trusted_proxy(request_records, settings):
    client = Client()
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID="abcdef0123456789")["X-Request-ID"] == "abcdef0123456789"
    # Not a plausible id: replaced (log lines stay one line, searchable).
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"] != "x\ny"
    settings.TRUSTED_PROXY_IPS = ["10.0.0.1"]
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID="abcdef0123456789")["X-Request-ID"] != "abcdef0123456789"


@pytest.fixture
def disallowed_host_output():
    """The bad-host handler's output, as the server's journal would get it."""
    (handler,) = [
        h for h in logging.getLogger("django.security.DisallowedHost").handlers if h.name == "disallowed_host"
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_bad_host_is_one_warning_line_without_traceback(disallowed_host_output):
    for _ in range(3):
        assert Client().get("/", HTTP_HOST="evil.example").status_code == 400
    lines = disallowed_host_output.getvalue().splitlines()
    assert len(lines) == 3
    assert all("Invalid HTTP_HOST header: 'evil.example'" in line for line in lines)
    assert "Traceback" not in disallowed_host_output.getvalue()
