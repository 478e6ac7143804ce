"""The "Searches" page: what readers looked for in the last 30 days, and what found nothing."""

import datetime

from django.contrib import admin
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.utils import timezone

from .models import SearchLog

DAYS = 30
ROWS = 50


def top_queries(*, days=DAYS, rows=ROWS, today=None):
    """(most frequent queries, queries that found nothing) over the last ``days`` days, with counts."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=days - 1)
    recent = SearchLog.objects.filter(day__gte=since).values("query").order_by()
    frequent = recent.annotate(searches=Sum("count"), empty=Sum("zero_results")).order_by("-searches", "query")
    nothing = recent.filter(zero_results__gt=0).annotate(searches=Sum("zero_results")).order_by("-searches", "query")
    return list(frequent[:rows]), list(nothing[:rows]), since


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by searches, one row per query and day, and holds no reader data."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django's own refusal
        frequent, nothing, since = top_queries()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Searches",
            "subtitle": f"Last {DAYS} days",
            "frequent": frequent,
            "nothing": nothing,
            "since": since,
            "days": DAYS,
        }
        return TemplateResponse(request, "admin/search/searchlog/report.html", context)
