"""Rich text: one allow-list, one sanitiser, one model field.

CKEditor 5 stores whatever the browser posts, so every rich-text field is cleaned with nh3 on
save (``RichTextField.pre_save``): admin, importer, shell and fixtures all pass through it, and
templates and feeds can mark the stored HTML safe.
"""

import nh3
from django import forms
from django.db import models

from .textcheck import validate_xml_safe

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark", "code", "pre",
    "a", "ul", "ol", "li", "blockquote", "hr",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
}
# CKEditor 5 wraps every table in <figure class="table">; keeping that one class (and no other)
# makes its output survive a save unchanged, so revisions do not differ by a stripped attribute.
ALLOWED_CLASSES = {"figure": {"table"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html):
    """Return ``html`` with everything outside the allow-list removed.

    Scripts and styles go with their content; other unknown tags (an ``h1``, a ``div``) are
    unwrapped so their text survives; event handlers, ``style`` and ``javascript:`` URLs are
    dropped; links get ``rel="noopener noreferrer"``.
    """
    if not html:
        return ""
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Keep typography as typed: a non-breaking space stays the character, not an entity.
    return html.replace("&nbsp;", "\u00a0").strip()


class RichTextField(models.TextField):
    """A text column holding sanitised HTML, edited with CKEditor 5 in forms."""

    # Characters XML cannot carry are refused, not silently dropped by the sanitiser (nh3 keeps them).
    default_validators = [validate_xml_safe]

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        from django_ckeditor_5.widgets import CKEditor5Widget

        # Always CKEditor: the admin's TextField override would otherwise swap in a textarea.
        if not isinstance(kwargs.get("widget"), CKEditor5Widget):
            kwargs["widget"] = CKEditor5Widget(config_name="default")
        kwargs.setdefault("form_class", RichTextFormField)
        return super().formfield(**kwargs)


class RichTextFormField(forms.CharField):
    """Cleans on the form too, so a form's ``cleaned_data`` and previews are already safe."""

    def to_python(self, value):
        return sanitize_html(super().to_python(value))
