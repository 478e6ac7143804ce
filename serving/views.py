"""Answers about the service itself: ``/healthz``, and the error page when the database is away."""

import sys

from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as django_server_error

# Seconds after which a client may try again when the database is unreachable.
RETRY_AFTER = 10

_migrations_applied = False  # once true, true until the next deploy (a new process)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations():
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise RuntimeError("migrations not applied: run manage.py migrate")
        _migrations_applied = True


def _cache():
    backend = caches["default"]
    ping = getattr(backend, "ping", None)
    if ping is None:
        backend.set("healthz", "ok", 10)
        if backend.get("healthz") != "ok":
            raise RuntimeError("the cache did not return what was just stored")
    else:
        ping()


@never_cache
def healthz(request):
    """``{"status": "ok", "checks": {...}}`` with 200, or the failing checks with 503. For load
    balancers and monitors: never cached, never behind the page cache, no session."""
    checks = {}
    for name, check in (("database", _database), ("migrations", _migrations), ("cache", _cache)):
        if name == "migrations" and checks["database"] != "ok":
            checks[name] = "unknown: the database is unreachable"
            continue
        try:
            check()
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001  (any failure is the answer, not a 500)
            checks[name] = f"failing: {type(error).__name__}: {error}".strip()[:300]
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "failing", "checks": checks}
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request):
    """The 500 handler: a database that cannot be reached is not our bug but a short outage, so the
    reader gets a branded 503 with ``Retry-After``; everything else is Django's 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and _is_outage(error):
        content = loader.get_template("503.html").render()
        response = HttpResponse(content, status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        response.headers["Cache-Control"] = "no-store"
        return response
    return django_server_error(request)


def _is_outage(error):
    """Connection and timeout errors, not a query our code got wrong (those stay 500s and get fixed)."""
    return isinstance(error, OperationalError | InterfaceError)
