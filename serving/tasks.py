"""Purges of the caches in front, as tasks: queued when an edit commits, sent by the worker.

``bump()`` (store.py) hands every edit's tags to ``purge_when_committed()``. All the tags bumped in
one transaction go in one task, queued (django-tasks-db, the "default" queue) once the transaction
commits; outside a transaction, each call queues its own. Nothing is queued without
``CACHE_PURGE_URLS``. The worker (``manage.py alerts_worker``) runs ``send_purge``:

- each URL is sent the purge (purge.py); one that fails (down, silent past ``CACHE_PURGE_TIMEOUT``,
  refusing) is tried again, alone, ``CACHE_PURGE_RETRY_SECONDS`` later, then 4x, 16x... that, up to
  ``CACHE_PURGE_ATTEMPTS`` attempts in all; each failure is one log line, the last one says it gave up
  (the cache then keeps those pages until their ``s-maxage``);
- the first run queues the same purge again ``CACHE_PURGE_REPEAT_SECONDS`` later: the app checks a page
  is current, then sends it, so a page checked just before an edit committed may reach the cache just
  after the first purge; the second one drops it.

A web worker therefore never waits for a cache in front, and starts no thread or timer for it.
"""

import datetime
import logging
import weakref

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import purge

logger = logging.getLogger(__name__)
PURGE_TASK_PATH = "serving.tasks.send_purge"
# Seconds between attempts grow fourfold: 1, 4, 16... times CACHE_PURGE_RETRY_SECONDS.
BACKOFF = 4
# Finished purges are kept this long in the task table, for a look.
KEPT_FOR = datetime.timedelta(days=1)


@task(priority=100)  # ahead of email sends: readers see the old page until it is done, and it is quick
def send_purge(tags, *, urls=None, attempt=1, repeat=True):
    """Purge ``tags`` at ``urls`` (default: every URL in ``CACHE_PURGE_URLS``). Never raises."""
    urls = list(settings.CACHE_PURGE_URLS) if urls is None else urls
    if not urls:
        return {"urls": 0, "failed": []}  # purges were turned off since
    failed = purge.send(tags, urls)
    if repeat and settings.CACHE_PURGE_REPEAT_SECONDS > 0:
        _queue(tags, after=settings.CACHE_PURGE_REPEAT_SECONDS, repeat=False)
    attempts = settings.CACHE_PURGE_ATTEMPTS
    delay = settings.CACHE_PURGE_RETRY_SECONDS * BACKOFF ** (attempt - 1)
    for url, reason in failed.items():
        if attempt < attempts:
            logger.warning(
                "cache purge at %s failed (attempt %s of %s): %s; trying again in %g s",
                url, attempt, attempts, reason, delay,
            )  # fmt: skip
        else:
            logger.error(
                "cache purge at %s failed %s times, given up (its pages stay until their s-maxage): %s",
                url, attempt, reason,
            )  # fmt: skip
    if failed and attempt < attempts:
        _queue(tags, after=delay, urls=list(failed), attempt=attempt + 1, repeat=False)
    if repeat:
        _prune()
    return {"urls": len(urls), "failed": sorted(failed)}


def purge_when_committed(tags):
    """Queue a purge of ``tags`` once the current transaction commits, in the same task as every
    other tag it bumps (at once outside a transaction). Never raises."""
    if not settings.CACHE_PURGE_URLS or not tags:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _queue(tags)
        return
    batch = _batches.get(connection)
    if batch is None or batch.queued:
        batch = _batches[connection] = _Batch()
    batch.tags.update(tags)
    # A callback per call, each queueing the whole batch once: rolling a savepoint back drops the
    # callbacks registered inside it, so the batch goes with whichever callbacks outlive it.
    transaction.on_commit(batch.queue)


class _Batch:
    """The tags bumped in one transaction, queued as one task by the first of its callbacks to run.

    A transaction rolled back leaves its batch unqueued; the next transaction on the connection adds
    to it, so its purge also names the rolled-back tags: purging too much costs a cache miss, while
    purging too little would keep an old page."""

    def __init__(self):
        self.tags = set()
        self.queued = False

    def queue(self):
        if not self.queued:
            self.queued = True
            _queue(self.tags)


_batches = weakref.WeakKeyDictionary()  # a database connection (one per thread): its open batch


def _queue(tags, *, after=None, **kwargs):
    try:
        job = send_purge
        if after is not None:
            job = send_purge.using(run_after=timezone.now() + datetime.timedelta(seconds=after))
        job.enqueue(sorted(tags), **kwargs)
    except Exception as error:  # noqa: BLE001  (the edit is committed: it must not fail now)
        logger.error("cache purge of %s tags not queued: %s", len(tags), " ".join(str(error).split()))


def _prune():
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        task_path=PURGE_TASK_PATH, status="SUCCESSFUL", finished_at__lt=timezone.now() - KEPT_FOR
    ).delete()
