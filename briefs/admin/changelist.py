"""The brief change list: state badges, work in progress first, filters by state, issue, type, author."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from ..models import Brief, Revision
from .state import LABELS, brief_state

Status = Brief.Status


def with_pending(queryset):
    """Annotate ``has_pending``: the newest revision is not applied (a published brief's pending changes)."""
    latest = Revision.objects.filter(brief=OuterRef(OuterRef("pk"))).order_by("-number")  # the brief's
    unapplied = Revision.objects.filter(pk=Subquery(latest.values("pk")[:1]), applied_at__isnull=True)
    return queryset.annotate(has_pending=Exists(unapplied))


def state_q(key, now):
    """The Q for one state of ``briefs.admin.state`` (the same rules, as a query)."""
    published = Q(status=Status.PUBLISHED)
    started = Q(published_at__lte=now)
    expired = Q(expires_at__lte=now)
    return {
        "draft": Q(status=Status.DRAFT),
        "in_review": Q(status=Status.IN_REVIEW),
        "withdrawn": Q(status=Status.WITHDRAWN),
        "scheduled": published & ~started,
        "expired": published & started & expired,
        "live": published & started & ~expired & Q(has_pending=False),
        "pending": published & started & ~expired & Q(has_pending=True),
    }[key]


def work_first(queryset, now):
    """Annotate ``work_rank``: what needs someone (in review, drafts, pending changes, scheduled) first."""
    order = ["in_review", "draft", "pending", "scheduled"]
    return queryset.annotate(
        work_rank=Case(
            *[When(state_q(key, now), then=Value(rank)) for rank, key in enumerate(order)],
            default=Value(len(order)),
            output_field=IntegerField(),
        )
    )


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in LABELS:
            return queryset.filter(state_q(self.value(), timezone.now()))
        return queryset


class IssueFilter(admin.RelatedFieldListFilter):
    """The taxonomy is "Issue" to editors (django-taggit's default title says "Tags")."""

    @property
    def title(self):
        return "issue"

    @title.setter
    def title(self, value):
        pass


class WorkFirstChangeList(ChangeList):
    """Unless the user sorts by a column: work in progress first, then the most recently updated.

    (Not ModelAdmin.ordering: the admin also orders other pages' brief pickers by it, on querysets
    without the annotation.)"""

    def _get_default_ordering(self):
        return ["work_rank", "-updated_at"]


class BriefChangeListMixin:
    list_display = ["title", "state_badge", "type", "published", "updated"]
    list_display_links = ["title"]
    list_filter = [
        StateFilter,
        ("issues", IssueFilter),
        "type",
        ("authors", admin.RelatedOnlyFieldListFilter),
        ("published_at", admin.DateFieldListFilter),
    ]

    def get_queryset(self, request):
        return work_first(with_pending(super().get_queryset(request)), timezone.now())

    def get_changelist(self, request, **kwargs):
        return WorkFirstChangeList

    @admin.display(description="state", ordering="work_rank")
    def state_badge(self, brief):
        return brief_state(brief, has_pending=getattr(brief, "has_pending", False)).badge(short=True)

    # Compact times (Django's "Nov. 30, 2026, 4:15 p.m." took the title's room).
    @admin.display(description="publication", ordering="published_at", empty_value="—")
    def published(self, brief):
        return brief.published_at and f"{timezone.localtime(brief.published_at):%Y-%m-%d %H:%M}"

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, brief):
        return f"{timezone.localtime(brief.updated_at):%Y-%m-%d %H:%M}"
