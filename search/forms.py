"""The search and archive filters: ``q``, ``issue``, ``expert``, ``type``, ``from``, ``to``, ``sort``.

A value that cannot be used (an unknown slug, a malformed date, ``from`` after ``to``) becomes a
message on the page and is left out; the rest of the search still runs. Nothing here raises.
"""

import datetime

from django import forms
from django.utils import timezone

from experts.models import Expert

from .query import normalise

EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(9998, 12, 31)
SORTS = {"relevance": "Relevance", "date": "Newest first"}


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=False, label="Search")
    issue = forms.CharField(required=False)
    expert = forms.CharField(required=False)
    type = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def __init__(self, data, *, issues, types, **kwargs):
        super().__init__(data, **kwargs)
        date = {
            "required": False,
            "input_formats": ["%Y-%m-%d"],
            "error_messages": {"invalid": "Enter a date as YYYY-MM-DD."},
        }
        self.fields["from"] = forms.DateField(label="From", **date)
        self.fields["to"] = forms.DateField(label="To", **date)
        self.issues = {issue.slug: issue for issue in issues}
        self.types = {brief_type.slug: brief_type for brief_type in types}

    def clean_q(self):
        return normalise(self.cleaned_data["q"])

    def clean_issue(self):
        return self._lookup("issue", self.issues.get, "issue")

    def clean_type(self):
        return self._lookup("type", self.types.get, "type of brief")

    def clean_expert(self):
        return self._lookup("expert", lambda slug: Expert.objects.filter(slug=slug).first(), "expert")

    def _lookup(self, name, find, label):
        slug = self.cleaned_data[name].strip()
        if not slug:
            return None
        found = find(slug)
        if found is None:
            raise forms.ValidationError(f"There is no {label} “{slug[:60]}”; showing results without it.")
        return found

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or "relevance"
        if sort not in SORTS:
            raise forms.ValidationError(f"Results can be sorted by relevance or date, not “{sort[:30]}”.")
        return sort

    def _clean_fields(self):
        super()._clean_fields()
        for name in ("from", "to"):
            day = self.cleaned_data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Pick a date between {EARLIEST.year} and {LATEST.year}.")

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The “to” date is before the “from” date; showing results without the dates.")
            self.cleaned_data.pop("from", None)
        return data

    def filters(self):
        """The usable values (valid fields only), with the defaults for the rest."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            "q": data.get("q") or "",
            "issue": data.get("issue"),
            "expert": data.get("expert"),
            "type": data.get("type"),
            "from": data.get("from"),
            "to": data.get("to"),
            "sort": data.get("sort") or "relevance",
        }

    def messages(self):
        return [message for errors in self.errors.values() for message in errors]


def day_start(day):
    """The first instant of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
