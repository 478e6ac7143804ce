from django.contrib import admin
from django.db.models import F
from django.db.models.functions import Coalesce

from core.autocomplete import SafeAutocompleteAdminMixin
from core.conflicts import NoLostUpdateAdminMixin

from .models import Issue


@admin.register(Issue)
class IssueAdmin(NoLostUpdateAdminMixin, SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ["indented_name", "slug", "featured", "sort_order"]
    list_editable = ["featured", "sort_order"]
    list_filter = ["featured", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "description", "image", "image_alt", "sort_order", "featured"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def get_ordering(self, request):
        # The list reads as a tree: each top-level issue, then its sub-issues (two levels deep).
        return [
            Coalesce("parent__sort_order", "sort_order").asc(),
            Coalesce("parent__name", "name").asc(),
            F("parent").asc(nulls_first=True),
            "sort_order",
            "name",
        ]

    @admin.display(description="Issue", ordering="name")
    def indented_name(self, issue):
        depth = len(issue.ancestors())
        return ("— " * depth) + issue.name
