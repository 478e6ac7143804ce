"""No edit is lost to a cache outage: tag moves that could not reach the cache wait in the database.

Versions live in Redis (versions.py). While it cannot be written (stopped, paused, partitioned), an
edit's bump is lost there; its tags are then recorded as a ``PendingMove`` row in the edit's own
transaction, so the edit and the record of what it changed commit together, whichever process made
it (a web worker, the task worker, a ``manage.py shell``). When the cache answers again, the first
process to look moves those tags and deletes the rows:

- a process that saw the outage end does so at once (serving.cache's ``on_recovery``);
- every process looks at most once per ``CACHE_JOURNAL_SECONDS`` (default 1 s) before it serves
  a kept page, so one that never noticed the outage (no request came in while Redis was paused)
  serves nothing an edit made meanwhile replaced for longer than that. One small indexed query a
  second per process; after a database error, not again for ``JOURNAL_BACKOFF_SECONDS``.

Versions kept in this machine's shared memory (no Redis) cannot fail to move: no journal then.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from . import versions

logger = logging.getLogger(__name__)
BATCH = 500
JOURNAL_BACKOFF_SECONDS = 30.0

_lock = threading.Lock()
_next_check = 0.0


def journaled():
    """Whether versions can fail to move (they live in a cache server)."""
    return isinstance(versions.store(), versions.CacheVersions)


def move(tags):
    """Move ``tags`` in the shared versions; if the cache cannot take it, record them (in the current
    transaction, if any). Returns whether they moved now."""
    if versions.store().bump(tags):
        return True
    record(tags)
    return False


def record(tags):
    from .models import PendingMove

    PendingMove.objects.create(tags=sorted(tags))
    logger.warning("Cache unreachable: %s tags kept in the database until it answers again.", len(tags))


def check(*, force=False):
    """Apply pending moves if this process has not looked for ``CACHE_JOURNAL_SECONDS`` (0: only
    when ``force``d: this process saw the cache come back)."""
    global _next_check
    seconds = settings.CACHE_JOURNAL_SECONDS
    if not force and (seconds <= 0 or time.monotonic() < _next_check):
        return
    if not journaled():
        return
    with _lock:
        now = time.monotonic()
        if not force and now < _next_check:
            return
        _next_check = now + max(seconds, 0)
    try:
        apply_pending()
    except DatabaseError as error:  # the database is away: pages are served as they are
        _next_check = time.monotonic() + JOURNAL_BACKOFF_SECONDS
        logger.warning("Pending cache moves not checked: %s", error)


def apply_pending():
    """Move every pending tag (if the cache takes them) and forget the rows moved; returns the tags."""
    from . import purge
    from .models import PendingMove

    moved = set()
    while rows := list(PendingMove.objects.order_by("pk").values_list("pk", "tags")[:BATCH]):
        tags = set().union(*(set(row_tags) for _pk, row_tags in rows))
        if not versions.store().bump(tags):
            break  # still unreachable: the rows wait
        PendingMove.objects.filter(pk__in=[pk for pk, _tags in rows]).delete()
        purge.send(tags)
        moved |= tags
    if moved:
        logger.warning("Cache answering again: %s pending tags moved.", len(moved))
    return moved
