"""Cache backends that treat the cache as an accelerator, never as a dependency.

A cache call that fails (Redis stopped or unreachable, a full or unwritable disk) behaves as a miss
or a no-op: public pages render uncached and the admin keeps working. The outage is logged once when
it starts and once when it ends, not per request. After a failure the backend leaves the cache alone
for ``RETRY_SECONDS`` (a dead server would otherwise cost a timeout on every call of every request),
then tries again: recovery needs no restart.

Writes that could not reach the cache may have been invalidations, so when the cache is back every
function registered with ``on_recovery()`` runs (the page cache starts a new generation there).
"""

import logging
import os
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

logger = logging.getLogger("dossier.cache")

RETRY_SECONDS = 5.0
_recovery_callbacks = []


def on_recovery(callback):
    """Call ``callback()`` whenever a cache comes back after an outage this process saw."""
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


class _Outage:
    """Per-process state of one cache location (Django makes a backend instance per thread)."""

    states = {}
    lock = threading.Lock()

    def __init__(self):
        self.down_since = None
        self.retry_at = 0.0

    @classmethod
    def of(cls, location):
        with cls.lock:
            return cls.states.setdefault(location, cls())


class ResilientCacheMixin:
    #: Errors that mean "the cache is unavailable"; anything else is a bug and propagates.
    unavailable_errors = (OSError,)

    @property
    def _outage(self):
        return _Outage.of(f"{type(self).__name__}:{self._resilient_location}")

    def _guarded(self, name, default, *args, **kwargs):
        outage = self._outage
        if outage.down_since is not None and time.monotonic() < outage.retry_at:
            return default
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except self.unavailable_errors as error:
            if outage.down_since is None:
                outage.down_since = time.monotonic()
                logger.error(
                    "Cache %s unavailable (%s: %s); pages are served uncached until it is back.",
                    self._resilient_location, type(error).__name__, error,
                )  # fmt: skip
            outage.retry_at = time.monotonic() + RETRY_SECONDS
            return default
        if outage.down_since is not None:
            seconds = time.monotonic() - outage.down_since
            outage.down_since = None
            logger.warning("Cache %s is back after %.0f s.", self._resilient_location, seconds)
            for callback in _recovery_callbacks:
                callback()
            # Answer from the cache as the callbacks left it (a page key read before them is stale).
            return self._guarded(name, default, *args, **kwargs)
        return result

    def ping(self):
        """Raise if the cache cannot store and return a value now (for /healthz; not guarded)."""
        super().set("healthz", "ok", 10)
        if super().get("healthz") != "ok":
            raise OSError("the cache did not return what was just stored")

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guarded("incr", None, key, delta, version)

    def clear(self):
        return self._guarded("clear", None)


class RedisCache(ResilientCacheMixin, DjangoRedisCache):
    """Redis (``REDIS_URL``): shared by every process of every app server."""

    def __init__(self, server, params):
        from redis.exceptions import RedisError

        super().__init__(server, params)
        self._resilient_location = server
        self.unavailable_errors = (RedisError, OSError)


class _FolderCache(DjangoFileBasedCache):
    """Django's file cache, writing several values with one look at the folder's size."""

    _batch = False  # (a backend instance serves one thread: django.core.cache.caches)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Django's ``set_many()`` calls ``set()`` per value, and each ``set()`` lists the whole folder
        to decide whether to cull it: for a page's missing fragments (up to 20 cards) with thousands
        of entries kept, the listings cost more than the writes. Culled once here (a batch may take
        the folder past MAX_ENTRIES by its size until the next write culls it)."""
        self._cull()
        self._batch = True
        try:
            return super().set_many(data, timeout, version)
        finally:
            self._batch = False

    def _cull(self):
        if not self._batch:
            super()._cull()


class FileBasedCache(ResilientCacheMixin, _FolderCache):
    """Files in one folder (the default without Redis): shared by every process on this machine,
    gunicorn workers and management commands alike, and kept across restarts."""

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._resilient_location = os.path.abspath(dir)  # as Django's backend names its folder
