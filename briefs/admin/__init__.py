from django.contrib import admin

from core.autocomplete import SafeAutocompleteAdminMixin
from core.conflicts import NoLostUpdateAdminMixin

from ..forms import BriefAdminForm, ExpertQuoteForm, OrderedInlineFormSet, RelatedLinkForm
from ..models import Brief, BriefType, ExpertQuote, RelatedLink
from .autosave import AutosaveAdminMixin
from .changelist import BriefChangeListMixin
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


class RelatedLinkInline(SafeAutocompleteAdminMixin, FollowsBriefInlineMixin, admin.StackedInline):
    # Stacked, not a table: six inputs side by side overflowed the form's column (1,440 px in 990).
    model = RelatedLink
    form = RelatedLinkForm
    formset = OrderedInlineFormSet
    fk_name = "brief"
    extra = 0
    autocomplete_fields = ["target_brief"]
    verbose_name = "related reading"
    verbose_name_plural = "Related Reading (in order)"
    fieldsets = [
        ("A brief on this site", {"fields": ["target_brief"]}),
        ("…or an outside title", {"fields": [("title", "byline"), "url"]}),
        (None, {"fields": ["order"]}),
    ]


LEAD_PICTURE_FIELDS = ["lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit"]


@admin.register(Brief)
class BriefAdmin(
    SafeAutocompleteAdminMixin,
    BriefChangeListMixin,
    AutosaveAdminMixin,
    WorkflowAdminMixin,
    RevisionAdminMixin,
    admin.ModelAdmin,
):
    form = BriefAdminForm
    list_select_related = ["type"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors"]
    inlines = [ExpertQuoteInline, RelatedLinkInline]
    # In the order of the public page; the change form template puts Expert Analysis after Latest
    # Developments and Related Reading after Further sections.
    fieldsets = [
        ("The brief", {"fields": ["title", "slug", "type", "summary", "issues", "authors"]}),
        ("Latest Developments", {"fields": ["developments"]}),
        ("Further sections", {"fields": ["body"]}),
        # On a live brief a new or removed picture waits in the pending changes like the text.
        ("Lead picture", {"fields": LEAD_PICTURE_FIELDS}),
        # Status changes only through the workflow buttons (briefs.workflow); it is shown read-only.
        ("Publishing", {"fields": ["status", "published_at", "expires_at", "corrected_at"]}),
    ]


@admin.register(BriefType)
class BriefTypeAdmin(NoLostUpdateAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
