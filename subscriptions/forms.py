from django import forms
from django.core.exceptions import ValidationError

from briefs.models import BriefType
from experts.models import Expert
from issues.models import Issue

from .models import Frequency


def _choices(queryset, label):
    # Slugs, not ids, so /subscribe/?issue=iran preselects a topic and the form posts readable values.
    return forms.ModelMultipleChoiceField(
        queryset, required=False, to_field_name="slug", widget=forms.CheckboxSelectMultiple, label=label
    )


class TopicsForm(forms.Form):
    everything = forms.BooleanField(required=False, label="Every brief we publish")
    issues = _choices(Issue.objects.order_by("name"), "Issues")
    experts = _choices(Expert.objects.active().order_by("name"), "Experts")
    types = _choices(BriefType.objects.all(), "Types of brief")
    frequency = forms.ChoiceField(
        choices=Frequency.choices, initial=Frequency.IMMEDIATE, widget=forms.RadioSelect, label="How often"
    )

    def clean(self):
        data = super().clean()
        topics = ("everything", "issues", "experts", "types")
        if not self.errors and not any(data.get(name) for name in topics):
            raise ValidationError("Choose at least one issue, expert or type of brief to follow (or every brief).")
        return data

    def topics(self):
        return {name: self.cleaned_data[name] for name in ("frequency", "everything", "issues", "experts", "types")}


class SubscribeForm(TopicsForm):
    email = forms.EmailField(
        max_length=254,
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ["email"]
