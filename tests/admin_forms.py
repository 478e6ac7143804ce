"""Build an admin change-form POST from the page a user opened, as a browser would submit it."""

from django import forms
from django.urls import reverse


def _field_data(bound_field):
    name, widget, value = bound_field.html_name, bound_field.field.widget, bound_field.value()
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list) else widget.decompress(value)
        return {f"{name}_{i}": "" if part is None else str(part) for i, part in enumerate(parts)}
    if isinstance(value, bool):
        return {name: "on"} if value else {}
    if isinstance(value, (list, tuple)):
        return {name: [str(getattr(item, "pk", item)) for item in value]}
    return {name: "" if value is None else str(getattr(value, "pk", value))}


def _form_data(form):
    data = {}
    for name in form.fields:
        data.update(_field_data(form[name]))
    return data


def change_form_data(response, **overrides):
    """Everything the change page's form holds (the brief, its inlines, management forms), as POST data."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data.update(overrides)
    return data


def brief_change_url(brief):
    return reverse("admin:briefs_brief_change", args=[brief.pk])


def edit_brief(client, brief, **overrides):
    """Open the brief's change page and post it back with ``overrides`` (files included), as a
    browser does; the save must succeed (a redirect), else the form's errors are shown."""
    from tests.test_admin import errors_of

    page = client.get(brief_change_url(brief))
    response = client.post(brief_change_url(brief), change_form_data(page, **overrides))
    assert response.status_code == 302, errors_of(response)
    return response
