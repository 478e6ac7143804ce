"""The worker's tasks for a brief's files (briefs/brieffiles.py), on Django's tasks framework
(django-tasks-db, the worker ``manage.py alerts_worker`` runs).

Every enqueue waits for the transaction that asked for it to commit (the worker must read what was
committed) and is skipped when the same task is already waiting: an import saving a thousand
briefs, or a reader asking again for a PDF being made, queues each brief once. The tasks run
behind the alerts' (priority -10): a reader waiting for an alert email comes first, and a PDF made
a few seconds later changes no page.
"""

import logging

from django.db import transaction
from django.tasks import task

from . import brieffiles

log = logging.getLogger(__name__)
PRIORITY = -10


@task(priority=PRIORITY)
def make_brief_files(brief_id):
    """Make what the live version of brief ``brief_id`` lacks (citations, PDF, card)."""
    return brieffiles.make(brief_id=brief_id)


@task(priority=PRIORITY)
def make_files_showing(kind, pk):
    """Bring up to date the files of every kept brief showing expert, issue or type ``pk`` (or
    listing brief ``pk`` in its related reading: ``kind`` "linked")."""
    made = 0
    for brief_id in list(brieffiles.briefs_showing(kind, pk)):
        made += bool(brieffiles.make(brief_id=brief_id))
    return made


@task(priority=PRIORITY)
def discard_expired_brief_files(brief_id):
    """At a brief's expiry second: delete its files (unless its expiry was moved meanwhile)."""
    return brieffiles.discard_if_not_kept(brief_id)


@task(priority=PRIORITY - 10)
def make_missing_brief_files():
    """What ``manage.py make_brief_files`` does, for ``load_demo``."""
    return brieffiles.make_missing()


def _waiting(task_, args, *, at=None):
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=task_.module_path, status="READY", args_kwargs={"args": list(args), "kwargs": {}}
    )
    return waiting.filter(run_after=at).exists() if at is not None else waiting.exists()


def _enqueue(task_, *args, at=None):
    """Enqueue ``task_(*args)`` (at ``at``) when the current transaction commits, unless it waits already."""

    def enqueue():
        try:
            if not _waiting(task_, args, at=at):
                (task_.using(run_after=at) if at is not None else task_).enqueue(*args)
        except Exception:  # `make_brief_files` or a reader's request catches up; never fail the edit
            log.exception("could not enqueue %s%r", task_.name, args)

    transaction.on_commit(enqueue)


def enqueue_make(brief_id):
    _enqueue(make_brief_files, brief_id)


def enqueue_discard(brief_id, *, at):
    _enqueue(discard_expired_brief_files, brief_id, at=at)


def enqueue_make_showing(kind, pk):
    """Queue ``make_files_showing`` if any kept brief shows it (most briefs are linked from none)."""

    def enqueue():
        if brieffiles.briefs_showing(kind, pk).exists():
            _enqueue(make_files_showing, kind, pk)  # outside a transaction: at once

    transaction.on_commit(enqueue)


def enqueue_make_missing():
    _enqueue(make_missing_brief_files)
