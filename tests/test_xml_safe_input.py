"""Characters XML cannot carry never get in: every admin text field refuses them with a form error
naming the character; titles and names also refuse line breaks and bidirectional controls."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from briefs import workflow
from briefs.models import Brief, BriefType
from core.textcheck import validate_one_line, validate_xml_safe
from experts.models import Expert
from issues.models import Issue
from tests.factories import BriefFactory, BriefTypeFactory, EditorFactory, ExpertFactory, IssueFactory
from tests.test_admin import ADD_URL, brief_post, errors_of

pytestmark = pytest.mark.django_db

# XML 1.0 forbids these (C0 controls but tab, LF and CR; U+FFFE; U+FFFF). Lone surrogates cannot be
# posted at all (a browser sends UTF-8, Django decodes an invalid sequence to U+FFFD); the model
# validators refuse them too (test_validators_name_the_character).
XML_ILLEGAL = {"U+0001": "\x01", "U+0008": "\x08", "U+001F": "\x1f", "U+FFFE": "\ufffe", "U+FFFF": "\uffff"}
# Legal XML, but in a one-line title or name they reorder what follows on screen.
BIDI = {"U+202E": "\u202e", "U+2066": "\u2066", "U+2069": "\u2069"}
LINE_BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n"}

# Every text field of the brief form and its inlines, and whether it is a title or name.
BRIEF_FIELDS = {
    "title": True,
    "summary": False,
    "developments": False,  # rich text
    "body": False,  # rich text
    "quotes-1-text": False,
    "quotes-1-expert_title": True,
    "related_links-1-title": True,
    "related_links-1-byline": True,
    "related_links-1-url": False,
}


def _inside(field, char):
    """A valid value for ``field`` with ``char`` in the middle."""
    valid = brief_post()[field]
    if field.endswith("url"):
        return f"https://example.org/a{char}b"
    if valid.startswith("<"):
        return f"<p>Drones{char} were shot down.</p>"
    return valid[:5] + char + valid[5:]


@pytest.mark.parametrize("char", [*XML_ILLEGAL.values(), *BIDI.values()], ids=[*XML_ILLEGAL, *BIDI])
def test_brief_form_refuses_the_character_in_every_field_naming_it(admin_client, char):
    """One post with the character in every text field of the brief and its inlines (bidi controls:
    in the titles and names only): each field says which character it refuses."""
    fields = [field for field, one_line in BRIEF_FIELDS.items() if one_line or char in XML_ILLEGAL.values()]
    response = admin_client.post(ADD_URL, brief_post(**{field: _inside(field, char) for field in fields}))
    assert response.status_code == 200
    errors = errors_of(response)
    for field in fields:
        assert field in errors, (field, errors)
        if not field.endswith("url"):  # the URL field may refuse it first as "Enter a valid URL."
            assert f"U+{ord(char):04X}" in " ".join(errors[field]), (field, errors[field])
    assert not Brief.objects.filter(slug="iran-backed-iraqi-militias-resume-attacks").exists()


@pytest.mark.parametrize("newline", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_titles_and_names_cannot_carry_line_breaks(admin_client, newline):
    fields = [field for field, one_line in BRIEF_FIELDS.items() if one_line]
    response = admin_client.post(ADD_URL, brief_post(**{field: _inside(field, newline) for field in fields}))
    assert response.status_code == 200
    errors = errors_of(response)
    for field in fields:
        assert "one line" in " ".join(errors[field]), (field, errors)


def test_summary_and_quotes_keep_their_line_breaks_and_rtl_text(admin_client):
    """Multi-line fields keep paragraphs; Arabic, Hebrew, emoji and bidi marks in prose are fine."""
    summary = "Two attacks \u2067in 24 hours\u2069 end a pause.\nسلام עולם 🚀"
    response = admin_client.post(ADD_URL, brief_post(summary=summary, title="حرب Iran ⚔ עולם"))
    assert response.status_code == 302, errors_of(response)
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    assert (brief.summary, brief.title) == (summary, "حرب Iran ⚔ עולם")


# The other admin forms: expert, issue and type names and texts.
OTHER_FORMS = {
    "expert": (
        "admin:experts_expert_add",
        lambda: {"name": "Bradley Bowman", "slug": "bradley-bowman", "title": "Director", "program": "CMPP"},
        {"name": True, "title": True, "program": True, "bio": False},
        Expert,
    ),
    "issue": (
        "admin:issues_issue_add",
        lambda: {"name": "Iran", "slug": "iran", "sort_order": "0"},
        {"name": True, "description": False},
        Issue,
    ),
    "type": (
        "admin:briefs_brieftype_add",
        lambda: {"name": "Analysis", "slug": "analysis", "sort_order": "0"},
        {"name": True, "description": False},
        BriefType,
    ),
}


@pytest.mark.parametrize(
    ("form", "char"),
    [
        pytest.param(form, char, id=f"{form}-{label}")
        for form in OTHER_FORMS
        for label, char in {**XML_ILLEGAL, **BIDI, **LINE_BREAKS}.items()
    ],
)
def test_expert_issue_and_type_forms_refuse_the_character(admin_client, form, char):
    url, data, fields, model = OTHER_FORMS[form]
    data = data()
    refusing = [field for field, one_line in fields.items() if one_line or char in XML_ILLEGAL.values()]
    for field in refusing:
        data[field] = f"{data.get(field, '') or 'Some text'}{char} more"
    response = admin_client.post(reverse(url), data)
    assert response.status_code == 200
    expected = "one line" if char[0] in "\r\n" else f"U+{ord(char):04X}"
    for field in refusing:
        errors = " ".join(response.context["adminform"].form.errors.get(field, []))
        assert expected in errors, (field, errors)
    assert not model.objects.exists()


def test_workflow_comments_and_corrections_refuse_the_character():
    editor = EditorFactory()
    brief = BriefFactory(status="draft", published_at=None)
    with pytest.raises(workflow.WorkflowError, match="U\\+0001"):
        workflow.submit_for_review(brief=brief, user=editor, comment="Ready\x01")
    brief.refresh_from_db()
    assert brief.status == "draft"
    live = BriefFactory()
    with pytest.raises(workflow.WorkflowError, match="U\\+FFFF"):
        workflow.add_correction(brief=live, user=editor, text="We misspelled\uffff a name.")
    assert not live.corrections.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x00b", "U+0000 (a control character) cannot be stored"),
        ("a\x1bb", "U+001B (a control character) cannot be stored"),
        ("a\ud800b", "U+D800 (a lone surrogate) cannot be stored"),
        ("a\udfffb", "U+DFFF (a lone surrogate) cannot be stored"),
        ("a\ufffeb", "U+FFFE (a non-character) cannot be stored"),
    ],
)
def test_validators_name_the_character(value, message):
    brief = Brief(title="Fine", slug="fine", type=BriefTypeFactory(), summary=value)
    with pytest.raises(Exception) as error:
        brief.full_clean()
    assert message in " ".join(error.value.message_dict["summary"])


def test_tab_and_ordinary_unicode_pass():
    for value in ("a\tb", "سلام", "עולם", "🚀 emoji", "Ünïcödé", "\U0010fffd", "\u200f rtl mark"):
        validate_xml_safe(value)
        validate_one_line(value)


def _project_apps():
    """The apps of this repository (a .venv inside the checkout holds Django's own: not those)."""
    return [config for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)]


def test_every_text_field_of_every_project_app_has_the_xml_safe_validator():
    """A new CharField or TextField that forgets the validator fails here.

    Exempt: fields with choices (only their choices can be stored), slugs (their own validator allows
    letters, digits, hyphens and underscores only), and PreviewLinkUse's fields, which the server
    writes from the request itself, never from a form.
    """
    exempt = {"briefs.PreviewLinkUse"}
    checked, missing = [], []
    assert {"briefs", "experts", "issues"} <= {config.label for config in _project_apps()}
    for config in _project_apps():
        for model in config.get_models():
            if model._meta.label in exempt:
                continue
            for field in model._meta.get_fields():
                if not isinstance(field, (models.CharField, models.TextField)):
                    continue
                if field.choices or isinstance(field, models.SlugField):
                    continue
                checked.append(f"{model._meta.label}.{field.name}")
                if validate_xml_safe not in field.validators:
                    missing.append(checked[-1])
    assert not missing, f"text fields without core.textcheck.validate_xml_safe: {missing}"
    # The walk found the fields it is meant to guard (a broken walk would pass vacuously).
    assert {"briefs.Brief.title", "briefs.Brief.body", "experts.Expert.bio", "issues.Issue.name"} <= set(checked)


def test_titles_and_names_are_one_line_fields():
    for model, name in [
        (Brief, "title"),
        (BriefType, "name"),
        (Expert, "name"),
        (Expert, "title"),
        (Issue, "name"),
    ]:
        assert validate_one_line in model._meta.get_field(name).validators, (model, name)


def test_factories_still_make_valid_objects():
    """The factories' own values pass the new checks (other tests rely on them)."""
    for obj in (BriefFactory(), ExpertFactory(), IssueFactory(), BriefTypeFactory()):
        obj.full_clean(validate_unique=False)
