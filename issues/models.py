from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from taggit.models import TagBase

from core.richtext import RichTextField
from core.textcheck import NAME_VALIDATORS
from pictures.renditions import add_renditions, picture
from serving.dependencies import TrackedQuerySet
from serving.urls_cache import cached_reverse


def descendant_ids_from(pairs, root_pk):
    """Ids of ``root_pk`` and every issue below it, given the taxonomy as ``(pk, parent_id)`` pairs.

    Split out of ``descendant_ids`` so a caller that already holds the taxonomy (the issue feed,
    which must answer a conditional request in two queries) walks it the same way.
    """
    children = {}
    for pk, parent_id in pairs:
        children.setdefault(parent_id, []).append(pk)
    ids, stack, seen = [], [root_pk], set()
    while stack:
        pk = stack.pop()
        if pk in seen:  # a cycle already in the data; stop rather than loop
            continue
        seen.add(pk)
        ids.append(pk)
        stack.extend(children.get(pk, ()))
    return ids


class IssueQuerySet(TrackedQuerySet):
    def descendant_ids(self, issue):
        """Ids of ``issue`` and every issue below it, from one query over the (small) taxonomy."""
        return descendant_ids_from(self.values_list("pk", "parent_id"), issue.pk)


class Issue(TagBase):
    """A governed issue ("Iran", "Iran Global Threat Network" under it): editors create them,
    contributors pick them. The tag model behind ``Brief.issues`` (django-taggit)."""

    # TagBase's name, with the checks every title and name gets.
    name = models.CharField(verbose_name="name", unique=True, max_length=100, validators=NAME_VALIDATORS)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level issue. An issue cannot sit under itself or its own sub-issues.",
    )
    description = RichTextField(blank=True)
    sort_order = models.PositiveIntegerField(
        default=0, help_text="Lower numbers come first among issues with the same parent."
    )
    featured = models.BooleanField(default=False, help_text="Show this issue on the home page.")
    image = models.ImageField(
        blank=True,
        upload_to="issues/",
        width_field="image_width",
        height_field="image_height",
        help_text="Optional. A landscape picture for the issue's page and the home page (at least 800 pixels wide).",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="Required with a picture: what it shows.",
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "issue"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="issue_not_own_parent"),
            # Tags are looked up case-insensitively (TAGGIT_CASE_INSENSITIVE, the importer): "Iran" and
            # "iran" would be one issue to them and two to the database.
            models.UniqueConstraint(
                Lower("name"),
                name="issue_name_unique_ignoring_case",
                violation_error_message="An issue with this name already exists (ignoring capitals).",
            ),
        ]

    def get_absolute_url(self):
        return cached_reverse("issues:detail", slug=self.slug)

    @cached_property
    def picture(self):
        return picture(self, "image", alt=self.image_alt, width=self.image_width, height=self.image_height)

    def ancestors(self):
        """Parents from the top down (a short walk: the taxonomy is two or three levels deep)."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain[::-1]

    def clean(self):
        super().clean()
        self.validate_parent()
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": "Describe the picture for readers who cannot see it."})

    def save(self, *args, **kwargs):
        # Forms call clean(); this also guards the shell, imports and data migrations.
        self.validate_parent()
        super().save(*args, **kwargs)

    def validate_parent(self):
        """Refuse a parent that is this issue or one of its descendants (a cycle)."""
        node, seen = self.parent, set()
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": f"“{self.parent}” is {self.name} itself or one of its sub-issues; pick another parent."}
                )
            if node.pk in seen:  # a cycle already in the data; stop rather than loop
                break
            seen.add(node.pk)
            node = node.parent


add_renditions(Issue, "image", (400, 800))
