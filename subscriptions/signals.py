"""Wake the worker at a scheduled brief's second: saving a published brief enqueues a sweep then."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

log = logging.getLogger(__name__)


def brief_saved(sender, instance, **kwargs):
    if instance.status != instance.Status.PUBLISHED or instance.published_at is None:
        return
    at = max(instance.published_at, timezone.now())

    def wake():
        from . import tasks

        try:
            tasks.schedule(at=at)
        except Exception:  # the sweep's safety net finds the brief anyway; never fail the editor's save
            log.exception("could not enqueue an alerts sweep")

    transaction.on_commit(wake)


def connect():
    post_save.connect(brief_saved, sender="briefs.Brief", dispatch_uid="subscriptions.brief_saved")
