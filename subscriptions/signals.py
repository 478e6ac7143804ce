"""What email alerts hear from briefs: saving a published brief wakes the worker at its second (a
sweep then); a correction the editor asked to tell followers about is announced."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from briefs import signals

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


def correction_added(sender, correction, tell_followers=False, **kwargs):
    if tell_followers:
        from .announce import announce_correction

        announce_correction(correction=correction)


def connect():
    post_save.connect(brief_saved, sender="briefs.Brief", dispatch_uid="subscriptions.brief_saved")
    signals.correction_added.connect(correction_added, dispatch_uid="subscriptions.correction_added")
