"""Django's PostgreSQL backend, failing fast while the server is unreachable.

When connecting fails, every request in the next ``DATABASE_RETRY_SECONDS`` fails at once instead
of waiting for its own connection timeout: with the database down, a worker answers 503 in
milliseconds rather than holding a gunicorn worker for seconds while requests queue behind it
(the pool would otherwise wait its whole timeout for each). The first request after that window
tries again, so recovery needs no restart.
"""

import threading
import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base

_lock = threading.Lock()
_retry_at = {}  # alias -> monotonic time before which connecting is not tried again


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        with _lock:
            retry_at = _retry_at.get(self.alias, 0.0)
        if time.monotonic() < retry_at:
            raise psycopg.OperationalError("the database was unreachable a moment ago; not retrying yet")
        try:
            connection = super().get_new_connection(conn_params)
        except Exception:
            with _lock:
                _retry_at[self.alias] = time.monotonic() + getattr(settings, "DATABASE_RETRY_SECONDS", 2.0)
            raise
        with _lock:
            _retry_at.pop(self.alias, None)
        return connection
