from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from core.richtext import RichTextField
from core.textcheck import NAME_VALIDATORS, TEXT_VALIDATORS
from pictures.renditions import add_renditions, picture
from serving.dependencies import TrackedQuerySet
from serving.urls_cache import cached_reverse

TITLE_MAX_LENGTH = 255


class BriefType(models.Model):
    """A kind of brief editors can add to: "Flash Brief", "Analysis", "Policy Memo"..."""

    name = models.CharField(max_length=100, unique=True, validators=NAME_VALIDATORS)
    slug = models.SlugField(max_length=100, unique=True, help_text="The type's address: /types/SLUG/.")
    description = models.TextField(blank=True, validators=TEXT_VALIDATORS)
    sort_order = models.PositiveIntegerField(default=0)

    objects = TrackedQuerySet.as_manager()  # bulk writes keep pages fresh (serving.dependencies)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="brieftype_name_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("briefs:type", slug=self.slug)


# What a card never shows: the brief's long text fields.
CARD_SKIPS = ("developments", "body")


class BriefQuerySet(TrackedQuerySet):
    def live(self, at=None):
        """What the public may see: published, publication time reached, not expired.

        Every public page, feed, sitemap and search starts here. Scheduling needs no cron job:
        a brief published for a future second simply starts matching at that second. ``at`` (default
        now) lets a caller decide several things from one reading of the clock.
        """
        now = at or timezone.now()
        return self.filter(status=Brief.Status.PUBLISHED, published_at__lte=now).exclude(expires_at__lte=now)

    def with_cards(self):
        """Everything a brief card shows (type, authors) in a fixed number of queries, without the
        brief's text (``defer(None)`` brings it back for a caller that shows it)."""
        return self.select_related("type").prefetch_related("authors").defer(*CARD_SKIPS)


class BriefIssue(TaggedItemBase):
    """The through model linking briefs to the issue taxonomy (django-taggit)."""

    content_object = models.ForeignKey("Brief", on_delete=models.CASCADE, related_name="issue_links")
    tag = models.ForeignKey("issues.Issue", on_delete=models.PROTECT, related_name="brief_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_brief_issue")]
        # Issue pages, the issue tree and suggestions go from issues to briefs: index-only scans.
        indexes = [models.Index(fields=["tag", "content_object"], name="briefissue_tag_brief")]


class BriefStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Brief(models.Model):
    Status = BriefStatus

    title = models.CharField(max_length=TITLE_MAX_LENGTH, validators=NAME_VALIDATORS)
    slug = models.SlugField(
        max_length=TITLE_MAX_LENGTH,
        unique=True,
        help_text="The last part of the brief's address: /briefs/YYYY/MM/DD/SLUG/ (the date is the publication date).",
    )
    type = models.ForeignKey(BriefType, on_delete=models.PROTECT, related_name="briefs")
    summary = models.TextField(
        blank=True,
        max_length=600,
        validators=TEXT_VALIDATORS,
        help_text="Plain text, one or two sentences: used on cards, in feeds and in search results.",
    )
    developments = RichTextField("latest developments", blank=True)
    body = RichTextField(
        blank=True,
        help_text="The sections after Expert Analysis, each with its own heading.",
    )
    issues = TaggableManager(
        verbose_name="issues",  # taggit's default, "Tags", is not what editors call the taxonomy
        through=BriefIssue,
        blank=True,
        help_text="Pick from the issue taxonomy; editors add new issues.",
        # As the taxonomy orders them, in a page, a feed and a prefetch of many briefs alike: without
        # it a prefetch has no ORDER BY, and the stored files' fingerprints (#21) would follow the plan.
        ordering=["sort_order", "name"],
    )
    authors = models.ManyToManyField("experts.Expert", blank=True, related_name="authored_briefs")
    # An optional lead picture (#13): shown above the brief and on its card; renditions below the class.
    lead_image = models.ImageField(
        blank=True,
        upload_to="briefs/lead/%Y/",
        width_field="lead_image_width",
        height_field="lead_image_height",
        help_text="Optional. A landscape picture at least 1200 pixels wide (JPEG, PNG or WebP).",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="Required with a picture: what it shows, for readers who cannot see it.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True, validators=NAME_VALIDATORS)
    lead_image_credit = models.CharField(
        "credit", max_length=200, blank=True, validators=NAME_VALIDATORS, help_text="e.g. “Reuters/Jane Doe”."
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Changed with the workflow buttons only: draft, in review, published, withdrawn. "
        "A published brief is on the site from its publication time until its expiry time.",
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="When the brief goes live. A time in the future schedules it; "
        "it appears on the site and in feeds at that second.",
    )
    expires_at = models.DateTimeField(
        "expiry time",
        null=True,
        blank=True,
        help_text="Optional. At this time the brief leaves the site, feeds and search. Must be after publication.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="created_briefs",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="submitted_briefs",
        help_text="Who last submitted the brief for review: told when it is published or sent back.",
    )
    # The public "updated" time: moved by corrections only, never by typo fixes (feeds use it).
    corrected_at = models.DateTimeField(
        "last corrected",
        null=True,
        blank=True,
        editable=False,
        help_text="Set by adding a public correction; feeds then show the brief as updated. Typo fixes leave it.",
    )

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        # Workflow rights beyond add/change/delete/view; the Contributors and Editors groups hold them.
        permissions = [
            ("submit_brief", "Can submit a brief for review"),
            ("review_brief", "Can send a brief in review back with changes requested"),
            ("publish_brief", "Can publish or schedule a brief"),
            ("withdraw_brief", "Can withdraw a published brief or reopen a withdrawn one"),
            ("correct_brief", "Can add a public correction to a live brief"),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="brief_status_published"),
            models.Index(fields=["type", "status", "published_at"], name="brief_type_status_published"),
            # Public listings order live briefs by (-published_at, -pk) and stop at a page: scanned
            # backwards, this index yields them in order with no sort.
            models.Index(fields=["status", "published_at", "id"], name="brief_live_listing"),
            # PostgreSQL only (migration 0014): search joins thousands of matches to whether each is
            # live and to its type and date; this narrow index answers that without reading the
            # briefs' wide rows (at 100,000 briefs: 24 ms rather than 76 ms for 10,000 matches).
            models.Index(fields=["id", "status", "published_at", "expires_at", "type"], name="brief_live_by_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BriefStatus.values), name="brief_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="brief_published_has_time",
                violation_error_message="A published brief needs a publication time.",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="brief_expires_after_publication",
                violation_error_message="The expiry time must be after the publication time.",
            ),
            # SQLite does not enforce varchar lengths; this makes an over-long title fail there too.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("title"), TITLE_MAX_LENGTH), name="brief_title_max_length"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="brief_title_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="brief_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(lead_image="") | ~Q(lead_image_alt=""),
                name="brief_lead_image_has_alt",
                violation_error_message="A lead picture needs alt text.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        date = self.public_date
        return cached_reverse("briefs:detail", year=date.year, month=date.month, day=date.day, slug=self.slug)

    def clean(self):
        super().clean()
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError({"lead_image_alt": "Describe the picture for readers who cannot see it."})

    @cached_property
    def picture(self):
        """The lead picture's renditions (pictures.renditions), or None."""
        return picture(
            self,
            "lead_image",
            alt=self.lead_image_alt,
            caption=self.lead_image_caption,
            credit=self.lead_image_credit,
            width=self.lead_image_width,
            height=self.lead_image_height,
        )

    @property
    def public_date(self):
        """The date in the brief's URL: its publication date in the site's time zone."""
        return timezone.localdate(self.published_at or self.created_at or timezone.now())

    @property
    def public_updated_at(self):
        """When readers were last told the brief changed: feeds' ``updated`` and ``lastBuildDate``.

        Only a public correction moves it (typo fixes do not), so it is the correction time when
        the brief has one (``corrected_at``, set by ``workflow.add_correction``) and the publication
        time otherwise.
        """
        return self.corrected_at or self.published_at

    def is_live(self, now=None):
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )


# A brief's quotes and related reading live in their own module; importing them here registers them
# (and keeps ``from briefs.models import ExpertQuote`` working).
from .content_models import ExpertQuote, RelatedLink  # noqa: E402, F401


class Transition(models.Model):
    """One step of a brief's workflow: who moved it, when, from which state to which, and why."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="transitions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="brief_transitions"
    )
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, choices=BriefStatus.choices)
    to_state = models.CharField(max_length=20, choices=BriefStatus.choices)
    comment = models.TextField(blank=True, validators=TEXT_VALIDATORS)
    # The content checks run at publication (briefs.checks): [{"name", "ok", "message"}], kept so the
    # history shows what an editor published past.
    checks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        get_latest_by = "at"
        indexes = [models.Index(fields=["brief", "at"], name="transition_brief_at")]

    def __str__(self):
        return f"{self.brief}: {self.get_from_state_display()} → {self.get_to_state_display()}"


class Correction(models.Model):
    """A dated public note on a live brief, shown on its page; it moves the brief's public "updated" time."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(
        validators=TEXT_VALIDATORS, help_text="Plain text, shown on the public page under “Correction”."
    )
    at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="brief_corrections"
    )

    objects = TrackedQuerySet.as_manager()  # bulk writes keep pages fresh (serving.dependencies)

    class Meta:
        ordering = ["at", "pk"]
        get_latest_by = "at"
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="correction_text_not_empty")]

    def __str__(self):
        return f"Correction to {self.brief} ({self.at:%Y-%m-%d})"


add_renditions(Brief, "lead_image", (480, 800, 1200))

# Revisions and share-preview links, and what is made once per live version (citations, PDF, social
# card: briefs/brieffiles.py) live in their own modules; importing them here registers them.
from .file_models import BriefFiles  # noqa: E402, F401
from .revision_models import Autosave, PreviewLink, PreviewLinkUse, Revision  # noqa: E402, F401
