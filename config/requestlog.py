"""Request logs: one line per request, JSON in production, for whoever reads the server's journal.

Each line carries a request id (nginx's ``X-Request-ID`` when a trusted proxy sends one, else a new
one; echoed in the response so a reader's report can be found in the log), method, path, status,
duration and, for signed-in staff, the user id. A request refused for a bad ``Host`` header is one
warning line (``django.security.DisallowedHost``): it is someone probing, not a bug to debug.
"""

import datetime
import functools
import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger("dossier.request")

# What a proxy's request id may look like (nginx's $request_id is 32 hex digits); anything else is replaced.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# LogRecord attributes that are the logging machinery's own, not fields worth a JSON key.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request", "status_code"}


def request_id(request):
    """The proxy's id for this request when it is trusted to give one, else a fresh one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if given and request.META.get("REMOTE_ADDR") in settings.TRUSTED_PROXY_IPS and REQUEST_ID_RE.match(given):
        return given
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost middleware: times the whole request and logs its final status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.id = request_id(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        fields = {
            "request_id": request.id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        # Only where the request has loaded its user already (the admin checks it on every request):
        # looking one up on a public page would cost queries.
        user = getattr(request, "user", None) if request.path.startswith(admin_root()) else None
        if user is not None and user.is_authenticated and user.is_staff:
            fields["user_id"] = user.pk
        logger.info("%(method)s %(path)s %(status)s %(duration_ms)sms", fields, extra={"fields": fields})
        return response


@functools.cache
def admin_root():
    return reverse("admin:index")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's own fields."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        # Django's own records (a bad Host, a 500) carry the request: tie them to its log line.
        request_id = getattr(getattr(record, "request", None), "id", None)
        if request_id and "request_id" not in entry:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and key != "fields" and key not in entry:
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DropTraceback(logging.Filter):
    """A security warning on one line: no traceback, logged as WARNING rather than ERROR."""

    def filter(self, record):
        record.exc_info = record.exc_text = record.stack_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
