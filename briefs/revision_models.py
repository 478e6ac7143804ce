"""Revisions of a brief and the share-preview links made from them.

Kept out of ``briefs/models.py`` (which imports them) so that module stays short; the models
still belong to the ``briefs`` app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.textcheck import TEXT_VALIDATORS


class Revision(models.Model):
    """One saved state of a brief's content: its fields, quotes, links, issues and authors as JSON.

    Every save makes one; nothing is ever overwritten. ``applied_at`` says when this state was
    written to the brief's own row (the live copy): a revision saved on a published brief stays
    pending (``applied_at`` empty) until an editor publishes it.
    """

    brief = models.ForeignKey("briefs.Brief", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1, 2, 3... per brief, in the order they were saved.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When this content was written to the brief itself; empty while pending."
    )
    restored_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The number of the revision this one restored, if any."
    )
    data = models.JSONField()

    class Meta:
        ordering = ["brief_id", "-number"]
        get_latest_by = "number"
        constraints = [models.UniqueConstraint(fields=["brief", "number"], name="unique_revision_number")]

    def __str__(self):
        return f"{self.brief} — revision {self.number}"

    @property
    def author_name(self):
        user = self.created_by
        if user is None:
            # Revision 1 of a brief made before revisions were kept, or a user since deleted.
            return "not recorded"
        return user.get_full_name() or user.get_username()


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class PreviewLink(models.Model):
    """A share-preview link for reviewers without an account. The URL carries ``key`` signed
    (``briefs.preview.make_token``); the row says what it shows, until when, and whether revoked."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brief = models.ForeignKey("briefs.Brief", on_delete=models.CASCADE, related_name="preview_links")
    revision = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="preview_links",
        help_text="Empty: always the brief's latest working copy.",
    )
    note = models.CharField(
        max_length=200, blank=True, validators=TEXT_VALIDATORS, help_text="Who the link is for (only editors see this)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="preview_link_expires_after_creation"
            )
        ]

    def __str__(self):
        return f"Preview of {self.brief} until {self.expires_at:%Y-%m-%d %H:%M}"

    def state(self, now=None):
        """ "usable", "revoked" or "expired"."""
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "usable"


class PreviewLinkUse(models.Model):
    """One request made with a share-preview link, kept for the editors' audit.

    The address is truncated (IPv4 /24, IPv6 /48) so the log shows where from without
    keeping a reviewer's full IP address.
    """

    link = models.ForeignKey(PreviewLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    ip_prefix = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=20, help_text="shown, expired or revoked")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.link_id} {self.outcome} at {self.at:%Y-%m-%d %H:%M}"


class Autosave(models.Model):
    """One user's unsubmitted typing in a brief's change form, kept while they type (briefs.admin.autosave).

    Not a Revision: it is nobody's saved version, so it never moves the revision numbers that the
    lost-update check compares, and never reaches readers. Gone once the user saves or discards it.
    """

    brief = models.ForeignKey("briefs.Brief", on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(help_text="The change form's fields as posted: {name: [values]}.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brief", "user"], name="one_autosave_per_user_and_brief")]

    def __str__(self):
        return f"{self.brief_id} by {self.user_id} at {self.saved_at:%Y-%m-%d %H:%M}"
