from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from issues.models import Issue

from .models import Brief, ExpertQuote, RelatedLink

# The largest id a 64-bit primary key column holds (SQLite raises OverflowError past it).
MAX_ID = 2**63 - 1


def plausible_ids(values):
    """The values that could be ids: a re-displayed form looks them up, and a bogus one ("abc",
    a 20-digit number) would raise there instead of leaving the form's own error to show."""
    return [v for v in values if str(v).isdigit() and int(v) <= MAX_ID]


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's admin autocomplete, minus the 500 on re-displaying a form posted with a bogus id."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, plausible_ids(value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """As SafeAutocompleteSelect, for many-to-many fields."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, plausible_ids(value), attr)


IssueAutocomplete = SafeAutocompleteSelectMultiple


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id past 64 bits as an invalid choice (Django's own check lets it reach the
    database, where SQLite raises OverflowError)."""

    def _check_values(self, value):
        for pk in value or ():
            try:
                too_big = abs(int(str(pk))) > MAX_ID
            except ValueError:
                continue  # not a number: Django's own check says so
            if too_big:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class SafeAutocompleteAdminMixin:
    """For every ModelAdmin and inline with ``autocomplete_fields``: use the safe widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
