"""The admin's autocomplete widgets and fields, minus the 500s a bogus id would cause: for every
ModelAdmin and inline with ``autocomplete_fields`` (``SafeAutocompleteAdminMixin``)."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple

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
