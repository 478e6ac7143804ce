"""Email alerts: who follows what (Subscriber), what went out (Announcement) and to whom (Delivery).

A Subscriber row holds only the address, what it follows, how often, and when it was created and
confirmed. Deliveries keep no address of their own: when a subscriber leaves, their deliveries stay
as anonymous counts for the editors' "sends per brief".
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from core.textcheck import validate_xml_safe

# Every text field of the project carries it (tests/test_xml_safe_input.py); these are mostly
# written by the server, and the address is checked by EmailField as well.
XML_SAFE = validate_xml_safe


def new_key():
    return get_random_string(24)


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "At once, when a brief is published"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest (Mondays)"


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True, validators=[XML_SAFE], help_text="Stored lower-cased.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    everything = models.BooleanField("every brief", default=False)
    issues = models.ManyToManyField("issues.Issue", blank=True, related_name="email_subscribers")
    experts = models.ManyToManyField("experts.Expert", blank=True, related_name="email_subscribers")
    types = models.ManyToManyField("briefs.BriefType", blank=True, related_name="email_subscribers")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Part of every signed link: a new key (after "delete all my data" and signing up again, say)
    # makes every older link dead.
    key = models.CharField(max_length=32, default=new_key, editable=False, validators=[XML_SAFE])

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        verbose_name = "subscriber (address)"
        verbose_name_plural = "subscribers (addresses)"
        permissions = [
            ("view_followers", "Can see which addresses follow what"),
            ("remove_subscriber", "Can remove an email address from the alerts"),
            ("view_alert_counts", "Can see follower counts and sends per brief"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "created_at"], name="subscriber_confirmed_created")]

    def __str__(self):
        return self.email


class Announcement(models.Model):
    """One brief going out to its followers: on publication, or on a correction editors chose to tell.

    The unique constraints make announcing idempotent: a second sweep, a second worker or a retry
    finds the row and creates nothing.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        CORRECTION = "correction", "Correction"

    brief = models.ForeignKey("briefs.Brief", on_delete=models.CASCADE, related_name="announcements")
    correction = models.OneToOneField(
        "briefs.Correction", null=True, blank=True, on_delete=models.CASCADE, related_name="announcement"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "send"
        verbose_name_plural = "sends per brief"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["brief"], condition=Q(correction__isnull=True), name="announcement_once_per_brief"
            ),
            models.CheckConstraint(
                condition=Q(kind="published", correction__isnull=True) | Q(kind="correction", correction__isnull=False),
                name="announcement_kind_matches_correction",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.brief}"


class Delivery(models.Model):
    """One reader's copy of one announcement: the record that makes sending idempotent.

    queued -> sending -> sent. ``sending`` is written (and committed) before the SMTP call and
    ``sent`` after it, so a worker killed in between leaves ``sending`` rows that are never sent
    again (``interrupted``) rather than duplicates (sending.py). Digest readers' copies wait as ``held``.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held for a digest"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (brief no longer live)"

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(
        max_length=32, blank=True, editable=False, validators=[XML_SAFE], help_text="The send run that claimed it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, validators=[XML_SAFE])

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "subscriber"], name="delivery_once_per_reader"),
            models.CheckConstraint(
                condition=Q(status__in=["held", "queued", "sending", "sent", "failed", "cancelled"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next")]

    def __str__(self):
        return f"{self.announcement} → #{self.subscriber_id} ({self.status})"


class SignupThrottle(models.Model):
    """Confirmation emails sent per address (hashed) or client per hour: in the database, so the
    limit holds across gunicorn workers and servers."""

    key = models.CharField(max_length=80, validators=[XML_SAFE])
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="signup_throttle_key_window")]

    def __str__(self):
        return f"{self.key} @ {self.window:%Y-%m-%d %H:%M}: {self.count}"
