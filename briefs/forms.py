from django import forms
from django.contrib import admin
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from core.autocomplete import SafeAutocompleteSelectMultiple, SafeModelMultipleChoiceField
from issues.models import Issue

from .models import Brief, ExpertQuote, RelatedLink

IssueAutocomplete = SafeAutocompleteSelectMultiple


class BriefAdminForm(forms.ModelForm):
    # Replaces taggit's free-text tag field: contributors pick existing issues, never invent them.
    issues = SafeModelMultipleChoiceField(
        queryset=Issue.objects.all(),
        required=False,
        widget=IssueAutocomplete(Brief._meta.get_field("issues"), admin.site),
        help_text=Brief._meta.get_field("issues").help_text,
    )

    class Meta:
        model = Brief
        fields = [
            "title", "slug", "type", "summary", "authors", "issues",
            "developments", "body", "published_at", "expires_at",
            "lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["issues"] = list(self.instance.issues.all())

    def clean(self):
        cleaned = super().clean()
        published_at, expires_at = cleaned.get("published_at"), cleaned.get("expires_at")
        if published_at and expires_at and expires_at <= published_at:
            self.add_error("expires_at", "The expiry time must be after the publication time.")
        elif expires_at and "expires_at" in self.changed_data and expires_at <= timezone.now():
            # Taking a brief down is a workflow step, kept in its history: not a date typed in the past.
            self.add_error("expires_at", "The expiry time is in the past. To take a brief down now, use Withdraw.")
        if self.instance.status == Brief.Status.PUBLISHED and "published_at" in self.fields and not published_at:
            self.add_error("published_at", "A published brief needs a publication time.")
        return cleaned


ORDER_HELP = "Lower numbers come first. A new row left at 0 goes after the row above it."


class OrderedInlineFormSet(BaseInlineFormSet):
    """Quotes and related links come in the order editors add them without typing numbers: a new row
    left at 0 is numbered after the row above it. Stored rows keep their numbers (renumbering them
    would count as an edit of a live brief)."""

    # How many of the first forms stand for stored rows although they post as new ones (a live brief's
    # form: briefs.admin.revisions); they keep their numbers too, 0 included (imported briefs start at 0).
    stored_rows = 0

    def clean(self):
        super().clean()
        last = 0
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or (self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME)):
                continue
            new = form.instance.pk is None and index >= self.stored_rows
            if new and not form.has_changed():
                continue  # an empty extra row
            order = form.cleaned_data.get("order") or 0
            if order == 0 and new:
                order = form.cleaned_data["order"] = form.instance.order = last + 1
            last = max(last, order)


class ExpertQuoteForm(forms.ModelForm):
    class Meta:
        model = ExpertQuote
        fields = ["expert", "text", "expert_title", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 60})}
        help_texts = {"order": ORDER_HELP}


class RelatedLinkForm(forms.ModelForm):
    class Meta:
        model = RelatedLink
        fields = ["target_brief", "url", "title", "byline", "order"]
        help_texts = {"order": ORDER_HELP}
