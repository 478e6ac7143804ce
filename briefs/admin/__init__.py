from django.contrib import admin

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


LEAD_PICTURE_FIELDS = ["lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit"]


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
        ("Lead picture", {"fields": LEAD_PICTURE_FIELDS}),
        # Status changes only through the workflow buttons (briefs.workflow); it is shown read-only.
        ("Publishing", {"fields": ["status", "published_at", "expires_at", "corrected_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk is not None and self._pending_mode(request, obj):
            # Revisions do not carry the picture yet: on a live brief it cannot wait as a pending
            # change, and must not go live unreviewed, so it is changed while the brief is not live.
            readonly += LEAD_PICTURE_FIELDS
        return readonly


@admin.register(BriefType)
class BriefTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
