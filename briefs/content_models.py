"""What a brief's text cites: the quotes of its "Expert Analysis" and its "Related Reading".

Kept out of ``briefs/models.py`` (which imports them) so that module stays short; the models
still belong to the ``briefs`` app.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.textcheck import NAME_VALIDATORS, TEXT_VALIDATORS
from serving.dependencies import TrackedQuerySet

from .models import TITLE_MAX_LENGTH  # defined before briefs.models imports this module


class ExpertQuote(models.Model):
    """One quote in a brief's "Expert Analysis", attributed "Name, Title"."""

    brief = models.ForeignKey("Brief", on_delete=models.CASCADE, related_name="quotes")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(
        validators=TEXT_VALIDATORS, help_text="The quote without quotation marks; a blank line starts a new paragraph."
    )
    expert_title = models.CharField(
        "title shown",
        max_length=255,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="The expert's title as printed with this quote. Filled in from the expert's profile "
        "when the brief is published, so old briefs keep the title the expert had then.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = TrackedQuerySet.as_manager()  # bulk writes keep pages fresh (serving.dependencies)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="quote_text_not_empty")]
        # An expert's "Quoted in" list goes from the expert to the briefs quoting them.
        indexes = [
            models.Index(fields=["expert", "brief"], name="quote_expert_brief"),
            # The search's expert facet reads the experts quoted in thousands of matching briefs
            # from this index alone (at 100,000 briefs and 10,000 matches: 20 ms rather than 28 ms).
            models.Index(fields=["brief", "expert"], name="quote_brief_expert"),
        ]

    def __str__(self):
        return f"{self.expert}: {self.text[:60]}"

    @property
    def attribution_title(self):
        return self.expert_title or self.expert.title


class RelatedLink(models.Model):
    """One item of "Related Reading": exactly one of an internal brief, an external URL with
    title and byline, or a citation (title and byline, no URL: old exports carry none)."""

    class Kind(models.TextChoices):
        BRIEF = "brief", "Brief on this site"
        EXTERNAL = "external", "External link"
        CITATION = "citation", "Citation (no link)"

    brief = models.ForeignKey("Brief", on_delete=models.CASCADE, related_name="related_links")
    target_brief = models.ForeignKey(
        "Brief",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="linked_from",
        help_text="A brief on this site (leave URL and title empty).",
    )
    url = models.URLField(
        "URL", max_length=500, blank=True, validators=TEXT_VALIDATORS, help_text="An external page (with a title)."
    )
    title = models.CharField(
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="For external links and citations.",
    )
    byline = models.CharField(
        max_length=255,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="For external links and citations: “by A and B” or a source name.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = TrackedQuerySet.as_manager()  # bulk writes keep pages fresh (serving.dependencies)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_brief__isnull=False, url="", title="", byline="")
                    | (Q(target_brief__isnull=True) & ~Q(title=""))
                ),
                name="related_link_exactly_one_target",
                violation_error_message="Pick a brief, or give a title (with a URL for an external link).",
            ),
            models.CheckConstraint(condition=~Q(target_brief=F("brief")), name="related_link_not_self"),
        ]

    def __str__(self):
        return self.title or str(self.target_brief)

    def clean(self):
        super().clean()
        has_text = bool(self.url or self.title or self.byline)
        if self.target_brief_id and has_text:
            raise ValidationError(
                "Either pick a brief on this site, or give a title (and URL) for outside reading, not both."
            )
        if not self.target_brief_id and not has_text:
            raise ValidationError("Pick a brief on this site, or give a title (and a URL for an external link).")
        if not self.target_brief_id and not self.title:
            raise ValidationError({"title": "External links and citations need a title."})
        if self.target_brief_id and self.brief_id and self.target_brief_id == self.brief_id:
            raise ValidationError({"target_brief": "A brief cannot list itself as related reading."})

    @property
    def kind(self):
        if self.target_brief_id:
            return self.Kind.BRIEF
        return self.Kind.EXTERNAL if self.url else self.Kind.CITATION
