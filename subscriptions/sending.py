"""Sending what announce.py queued: the second half of a send run.

Deliveries are claimed before the SMTP call (``queued``/``held`` -> ``sending``, committed, a
chunk of ALERTS["CLAIM_CHUNK"] at a time) and marked ``sent`` after it (one commit per chunk). A
worker killed in between leaves that chunk's unfinished rows ``sending``; they are never sent again
(after STALE they are marked failed, "interrupted"), so no reader ever gets an email twice. The
price is that a crash may leave up to one chunk of readers without that email, which the editors'
"sends per brief" shows as failed. (A commit per email would narrow that to one reader, but each
commit waits for the disk: ~25 ms on these machines, 20 emails a second.)

SMTP errors put a delivery back (queued, or held for the digest) with a later ``next_attempt_at``
(exponential backoff) until ALERTS["ATTEMPTS"] is used up; a refused address fails alone.
"""

import datetime
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import mailers
from django.db.models import Max, Min
from django.utils import timezone

from briefs.models import Brief

from . import emails
from .models import Announcement, Delivery, Frequency, Subscriber

log = logging.getLogger(__name__)
Status = Delivery.Status
STALE = datetime.timedelta(minutes=5)


class ServerDown(Exception):
    """The SMTP server cannot be reached: stop this run, retry later."""


@dataclass
class Job:
    """One email: the deliveries it fulfils and a function building the message."""

    pks: list
    build: object


def _permanent(error):
    """A 5xx answer about this message or address: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _connection_lost(error):
    return isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError) and not isinstance(
        error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
    )


def backoff(attempts):
    return datetime.timedelta(seconds=settings.ALERTS["RETRY_BASE_SECONDS"] * 4 ** max(attempts - 1, 0))


def _retry_later(pks, *, now, error, back_to):
    """Put deliveries back (in the queue, or held for the digest) after an SMTP error, with a later
    ``next_attempt_at``; fail them when their attempts run out."""
    message = str(error)[:300] or error.__class__.__name__
    by_attempts = defaultdict(list)
    for pk, attempts in Delivery.objects.filter(pk__in=pks).values_list("pk", "attempts"):
        by_attempts[attempts + 1].append(pk)
    for attempts, group in by_attempts.items():
        if attempts >= settings.ALERTS["ATTEMPTS"]:
            changes = {"status": Status.FAILED}
        else:
            changes = {"status": back_to, "next_attempt_at": now + backoff(attempts)}
        Delivery.objects.filter(pk__in=group).update(attempts=attempts, error=message, claimed_at=None, **changes)


class Run:
    """One send run: an open SMTP connection, the briefs rendered so far, the emails sent."""

    def __init__(self, *, now):
        self.now = now
        self.connection = None
        self.entries = {}
        self.sent = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection must not hide the first error
                log.debug("closing the SMTP connection failed", exc_info=True)

    def open(self):
        if self.connection is None:
            connection = mailers.default
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as error:
                raise ServerDown(str(error)) from error
            self.connection = connection
        return self.connection

    def entry(self, brief):
        """What the emails show of ``brief``, or None when it is no longer live (nothing is sent)."""
        if brief.pk not in self.entries:
            self.entries[brief.pk] = emails.brief_entry(brief) if brief.is_live(self.now) else None
        return self.entries[brief.pk]

    def deliver(self, jobs, *, from_status, back_to):
        """Claim, send and record ``jobs`` a chunk at a time. Returns False if the server went away."""
        size = settings.ALERTS["CLAIM_CHUNK"]
        for start in range(0, len(jobs), size):
            if not self._chunk(jobs[start : start + size], from_status=from_status, back_to=back_to):
                rest = [pk for job in jobs[start + size :] for pk in job.pks]
                waiting = Delivery.objects.filter(pk__in=rest, status=from_status, next_attempt_at__lte=self.now)
                # The rest wait too (with backoff), or the next sweep would hammer a dead server.
                _retry_later(
                    list(waiting.values_list("pk", flat=True)), now=self.now, error="SMTP down", back_to=back_to
                )
                return False
        return True

    def _chunk(self, jobs, *, from_status, back_to):
        claim = uuid.uuid4().hex
        pks = [pk for job in jobs for pk in job.pks]
        Delivery.objects.filter(pk__in=pks, status=from_status).update(
            status=Status.SENDING, claimed_at=self.now, claim=claim
        )
        mine = set(Delivery.objects.filter(pk__in=pks, claim=claim).values_list("pk", flat=True))
        sent, alive = [], True
        for job in jobs:
            if not mine.issuperset(job.pks):  # another worker has (part of) it
                continue
            if not alive:
                _retry_later(job.pks, now=self.now, error="SMTP down", back_to=back_to)
                continue
            try:
                message = job.build()
            except Exception as error:  # a message that cannot be built (a bad header): this one fails alone
                log.exception("could not build the email for deliveries %s", job.pks)
                Delivery.objects.filter(pk__in=job.pks).update(status=Status.FAILED, error=str(error)[:300])
                continue
            try:
                self.open().send_messages([message])
            except (ServerDown, smtplib.SMTPException, OSError) as error:
                if _permanent(error):
                    Delivery.objects.filter(pk__in=job.pks).update(status=Status.FAILED, error=str(error)[:300])
                    continue
                _retry_later(job.pks, now=self.now, error=error, back_to=back_to)
                if isinstance(error, ServerDown) or _connection_lost(error):
                    log.warning("SMTP server unreachable (%s); deliveries wait for their next attempt", error)
                    self.connection, alive = None, False
                continue
            sent.extend(job.pks)
            self.sent += 1
        Delivery.objects.filter(pk__in=sent).update(status=Status.SENT, sent_at=timezone.now(), error="")
        return alive


def _briefs(ids):
    return Brief.objects.select_related("type").prefetch_related("quotes__expert").in_bulk(ids)


def send_queued(*, now, limit):
    """Send up to ``limit`` queued deliveries that are due, one email each. Returns emails sent."""
    due = list(
        Delivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", "announcement_id", "subscriber_id")[:limit]
    )
    if not due:
        return 0
    announcements = Announcement.objects.select_related("correction").in_bulk({a for _, a, _ in due})
    briefs = _briefs({a.brief_id for a in announcements.values()})
    subscribers = Subscriber.objects.in_bulk({s for _, _, s in due if s})
    with Run(now=now) as run:
        jobs, gone = [], []
        for pk, announcement_id, subscriber_id in due:
            announcement = announcements[announcement_id]
            entry = run.entry(briefs[announcement.brief_id])
            subscriber = subscribers.get(subscriber_id)
            if entry is None or subscriber is None:  # withdrawn or expired since, or the reader left
                gone.append(pk)
                continue
            build = partial(emails.alert, subscriber=subscriber, entries=[entry], correction=announcement.correction)
            jobs.append(Job([pk], build))
        Delivery.objects.filter(pk__in=gone, status=Status.QUEUED).update(status=Status.CANCELLED)
        run.deliver(jobs, from_status=Status.QUEUED, back_to=Status.QUEUED)
        return run.sent


def digest_slot(frequency, since):
    """The first digest time after ``since``: DIGEST_HOUR site time, next day (daily) or Monday (weekly)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = since.astimezone(zone)
    slot = datetime.datetime.combine(local.date(), datetime.time(settings.ALERTS["DIGEST_HOUR"]), tzinfo=zone)
    if slot <= local:
        slot += datetime.timedelta(days=1)
    while frequency == Frequency.WEEKLY and slot.weekday() != 0:
        slot += datetime.timedelta(days=1)
    return slot


def held_readers():
    """(subscriber id, frequency, when their digest is due) for every reader with held deliveries."""
    rows = (
        Delivery.objects.filter(status=Status.HELD, subscriber__isnull=False)
        .values("subscriber_id", "subscriber__frequency")
        .annotate(first=Min("created_at"), retry=Max("next_attempt_at"))
    )
    for row in rows:
        frequency = row["subscriber__frequency"]
        # A reader who switched to "at once" gets what was held straight away.
        due = row["first"] if frequency == Frequency.IMMEDIATE else digest_slot(frequency, row["first"])
        # After an SMTP error the digest waits for its retry time too.
        yield row["subscriber_id"], frequency, max(due, row["retry"])


def send_digests(*, now, limit):
    """One email per reader whose digest time has come, listing their held briefs still live."""
    due = [pk for pk, _, at in held_readers() if at <= now][:limit]
    if not due:
        return 0
    held = Delivery.objects.filter(status=Status.HELD, subscriber_id__in=due).select_related("announcement")
    by_reader = defaultdict(list)
    for delivery in held.order_by("announcement__brief__published_at", "pk"):
        by_reader[delivery.subscriber_id].append(delivery)
    briefs = _briefs({d.announcement.brief_id for ds in by_reader.values() for d in ds})
    subscribers = Subscriber.objects.in_bulk(by_reader)
    with Run(now=now) as run:
        jobs, gone = [], []
        for subscriber_id, deliveries in by_reader.items():
            live = [(d, run.entry(briefs[d.announcement.brief_id])) for d in deliveries]
            gone += [d.pk for d, entry in live if entry is None]
            live = [(d, entry) for d, entry in live if entry is not None]
            if not live:
                continue
            build = partial(emails.alert, subscriber=subscribers[subscriber_id], entries=[e for _, e in live])
            jobs.append(Job([d.pk for d, _ in live], build))
        Delivery.objects.filter(pk__in=gone, status=Status.HELD).update(status=Status.CANCELLED)
        run.deliver(jobs, from_status=Status.HELD, back_to=Status.HELD)
        return run.sent


def tidy(*, now):
    """Deliveries left ``sending`` by a worker that died: failed, never sent again (no duplicates).
    Copies still waiting for a reader who has left: cancelled."""
    Delivery.objects.filter(status__in=[Status.QUEUED, Status.HELD], subscriber__isnull=True).update(
        status=Status.CANCELLED
    )
    return Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE).update(
        status=Status.FAILED, error="Interrupted while sending (the worker stopped); not retried to avoid a duplicate."
    )


def next_due(now):
    """The earliest time a queued retry or a held digest falls due (None if nothing waits)."""
    times = [
        Delivery.objects.filter(status=Status.QUEUED).aggregate(at=Min("next_attempt_at"))["at"],
        *(at for _, _, at in held_readers()),
    ]
    times = [t for t in times if t is not None]
    return min(times) if times else None
