"""Which briefs go out, and to whom: the first half of a send run.

A brief is announced once (``Announcement``, unique per brief) by the first sweep that finds it
live; the same step writes one ``Delivery`` per follower (unique per announcement and reader), so a
reader who follows the brief's issue, its parent issue and its author still gets one email.
Whether a brief is live is decided by ``Brief.objects.live()`` at the moment of the sweep: a brief
scheduled for 10:00:05 is first seen by the sweep the worker runs at 10:00:05 (briefs/signals wake
it then), and one withdrawn or expired before that is never seen at all.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from briefs.models import Brief
from issues.models import Issue

from .models import Announcement, Delivery, Frequency, Subscriber


def issue_ids_with_ancestors(issue_ids):
    """The brief's issues and every issue above them: following "Iran" covers its sub-issues."""
    parents = dict(Issue.objects.values_list("pk", "parent_id"))
    found = set()
    for pk in issue_ids:
        while pk is not None and pk not in found:
            found.add(pk)
            pk = parents.get(pk)
    return found


def followers(brief):
    """Confirmed subscribers following the brief's issues (or their parents), its authors or quoted
    experts (as the expert feeds do), its type, or everything: each once."""
    issue_ids = issue_ids_with_ancestors(brief.issue_links.values_list("tag_id", flat=True))
    expert_ids = {*brief.authors.values_list("pk", flat=True), *brief.quotes.values_list("expert_id", flat=True)}
    match = Q(everything=True) | Q(types=brief.type_id)
    if issue_ids:
        match |= Q(issues__in=issue_ids)
    if expert_ids:
        match |= Q(experts__in=expert_ids)
    return Subscriber.objects.confirmed().filter(match).distinct()


def _announce(brief, *, correction=None, now):
    """Create the announcement and its deliveries in one transaction; None if it already exists."""
    kind = Announcement.Kind.CORRECTION if correction else Announcement.Kind.PUBLISHED
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(brief=brief, correction=correction, kind=kind, created_at=now)
            readers = followers(brief).values_list("pk", "frequency")
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        announcement=announcement,
                        subscriber_id=pk,
                        # Corrections go out at once whatever the reader's rhythm: they fix what was sent.
                        status=Delivery.Status.QUEUED
                        if correction or frequency == Frequency.IMMEDIATE
                        else Delivery.Status.HELD,
                        created_at=now,
                        next_attempt_at=now,
                    )
                    for pk, frequency in readers
                ],
                batch_size=1000,
            )
    except IntegrityError:  # another sweep announced it first
        return None
    return announcement


def announce_due(*, now=None):
    """Announce every brief that is live now, became live recently and was not announced yet."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.ALERTS["ANNOUNCE_WITHIN_HOURS"])
    due = (
        Brief.objects.live()
        .filter(published_at__gte=since, published_at__lte=now)
        .exclude(announcements__kind=Announcement.Kind.PUBLISHED)
        .order_by("published_at", "pk")
    )
    return [a for a in (_announce(brief, now=now) for brief in due) if a is not None]


def announce_correction(*, correction, now=None):
    """Tell a brief's followers about a correction (editors tick "tell subscribers"). Idempotent:
    one announcement per correction. The next send run delivers it."""
    from . import tasks

    announcement = _announce(correction.brief, correction=correction, now=now or timezone.now())
    transaction.on_commit(lambda: tasks.schedule(at=timezone.now()))
    return announcement


def next_scheduled(now):
    """When the next scheduled brief goes live (None if none is scheduled)."""
    return (
        Brief.objects.filter(status=Brief.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
