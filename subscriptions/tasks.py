"""The worker's one task: a send run ("sweep"), on Django's tasks framework (django-tasks-db).

There is no cron. Each sweep announces what has gone live, sends what is due, then enqueues the
next sweep for the earliest of: the next scheduled brief's second, the next retry or digest, or
ALERTS["SWEEP_SECONDS"] from now (a safety net). Saving a scheduled brief enqueues a sweep for its
second too (signals.py), so a brief is announced within the worker's poll interval (1 s) of going
live. Every step is idempotent, so an extra sweep is harmless; ``schedule`` avoids piling them up.
"""

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from . import announce, sending, signup

log = logging.getLogger(__name__)
SWEEP_PATH = "subscriptions.tasks.sweep"


@task()
def sweep():
    now = timezone.now()
    announced, sent, batch = [], 0, settings.ALERTS["BATCH"]
    try:
        sending.tidy(now=now)
        signup.delete_expired(now=now)
        announced = announce.announce_due(now=now)
        sent = sending.send_queued(now=now, limit=batch)
        sent += sending.send_digests(now=now, limit=max(batch - sent, 0))
    finally:
        # Even after an error the chain goes on: the next sweep retries what this one left.
        more = sent >= batch  # a full batch: the next run starts at once
        schedule(at=timezone.now() if more else next_sweep(timezone.now()))
        _prune(now)
    if announced or sent:
        log.info("alerts: %s briefs announced, %s emails sent", len(announced), sent)
    return {"announced": len(announced), "sent": sent}


@task(priority=50)
def send_signup_email(subscriber_id):
    """The confirmation (or "you are already subscribed") email, sent by the worker, not the web request.
    Ahead of sweeps in the queue: a reader waiting for it should not wait for a 10,000-reader send."""
    return signup.send_signup_email(subscriber_id)


def next_sweep(now):
    times = [
        now + datetime.timedelta(seconds=settings.ALERTS["SWEEP_SECONDS"]),
        announce.next_scheduled(now),
        sending.next_due(now),
    ]
    return max(min(t for t in times if t is not None), now)


def schedule(*, at):
    """Enqueue a sweep at ``at`` unless one is already waiting to run by then."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=SWEEP_PATH, status="READY", run_after__lte=at)
    if not waiting.exists():
        sweep.using(run_after=at).enqueue()


def _prune(now):
    """Keep the task table small: a sweep a minute is 1,440 finished rows a day; failed rows stay for a look."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        task_path__in=[SWEEP_PATH, "subscriptions.tasks.send_signup_email"],
        status="SUCCESSFUL",
        finished_at__lt=now - datetime.timedelta(days=1),
    ).delete()
