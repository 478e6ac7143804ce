from django.contrib import admin

from ..conflicts import NoLostUpdateAdminMixin
from ..forms import BriefAdminForm, ExpertQuoteForm, OrderedInlineFormSet, RelatedLinkForm, SafeAutocompleteAdminMixin
from ..models import Brief, BriefType, ExpertQuote, RelatedLink
from .revisions import RevisionAdminMixin
from .workflow import FollowsBriefInlineMixin, WorkflowAdminMixin


class ExpertQuoteInline(SafeAutocompleteAdminMixin, FollowsBriefInlineMixin, admin.StackedInline):
    model = ExpertQuote
    form = ExpertQuoteForm
    formset = OrderedInlineFormSet
    extra = 0
    autocomplete_fields = ["expert"]
    verbose_name = "expert quote"
    verbose_name_plural = "Expert Analysis (quotes, in order)"


class RelatedLinkInline(SafeAutocompleteAdminMixin, FollowsBriefInlineMixin, admin.TabularInline):
    model = RelatedLink
    form = RelatedLinkForm
    formset = OrderedInlineFormSet
    fk_name = "brief"
    extra = 0
    autocomplete_fields = ["target_brief"]
    verbose_name_plural = "Related Reading (in order): a brief on this site, or a title with URL and/or byline"


@admin.register(Brief)
class BriefAdmin(SafeAutocompleteAdminMixin, WorkflowAdminMixin, RevisionAdminMixin, admin.ModelAdmin):
    form = BriefAdminForm
    list_display = ["title", "type", "status", "published_at", "expires_at", "updated_at"]
    list_filter = ["status", "type", ("published_at", admin.DateFieldListFilter), "issues"]
    list_select_related = ["type"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors"]
    inlines = [ExpertQuoteInline, RelatedLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "type", "summary", "authors", "issues"]}),
        ("Latest Developments", {"fields": ["developments"]}),
        ("Further sections", {"fields": ["body"]}),
        # Status changes only through the workflow buttons (briefs.workflow); it is shown read-only.
        ("Publishing", {"fields": ["status", "published_at", "expires_at", "corrected_at"]}),
    ]


@admin.register(BriefType)
class BriefTypeAdmin(NoLostUpdateAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
