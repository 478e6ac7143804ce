from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple

from issues.models import Issue

from .models import Brief, ExpertQuote, RelatedLink


class IssueAutocomplete(AutocompleteSelectMultiple):
    """Admin autocomplete that re-displays a form posted with a bogus issue id as a form error
    (Django's widget would raise a ValueError while looking the bogus id up)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class BriefAdminForm(forms.ModelForm):
    # Replaces taggit's free-text tag field: contributors pick existing issues, never invent them.
    issues = forms.ModelMultipleChoiceField(
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
        if self.instance.status == Brief.Status.PUBLISHED and "published_at" in self.fields and not published_at:
            self.add_error("published_at", "A published brief needs a publication time.")
        return cleaned


class ExpertQuoteForm(forms.ModelForm):
    class Meta:
        model = ExpertQuote
        fields = ["expert", "text", "expert_title", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 60})}


class RelatedLinkForm(forms.ModelForm):
    class Meta:
        model = RelatedLink
        fields = ["target_brief", "url", "title", "byline", "order"]
