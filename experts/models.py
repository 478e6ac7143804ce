from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from core.richtext import RichTextField
from core.textcheck import NAME_VALIDATORS
from pictures.renditions import add_renditions, picture
from serving.dependencies import TrackedQuerySet
from serving.urls_cache import cached_reverse


class ExpertQuerySet(TrackedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Expert(models.Model):
    """One of the institute's own experts: quoted in briefs, author of briefs, has a profile."""

    name = models.CharField(max_length=200, validators=NAME_VALIDATORS)
    slug = models.SlugField(max_length=200, unique=True, help_text="The profile's address: /experts/SLUG/.")
    title = models.CharField(
        max_length=255,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="Current title, e.g. “Senior Director of the Center on Military and Political Power”. "
        "Briefs keep the title the expert had when they were published.",
    )
    program = models.CharField(
        max_length=200, blank=True, validators=NAME_VALIDATORS, help_text="Program or center; groups the experts page."
    )
    bio = RichTextField(blank=True)
    photo = models.ImageField(
        upload_to="experts/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text="A portrait; cropped to a square around its centre. Without one, the expert's initials show.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    issues = models.ManyToManyField(
        "issues.Issue", blank=True, related_name="experts", verbose_name="issues of expertise"
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive experts keep their old briefs but leave the experts page."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="expert_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="expert_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("experts:detail", slug=self.slug)

    @cached_property
    def picture(self):
        """Square renditions of the photo (pictures.renditions), or None: templates then show initials."""
        return picture(self, "photo", alt=f"Portrait of {self.name}")


add_renditions(Expert, "photo", (96, 192, 320), square=True)
