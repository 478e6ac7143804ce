"""The importer names characters XML cannot carry, and bidi controls in titles and names, by file:line."""

import pytest
from django.core.management import CommandError

from briefs.models import Brief
from tests.import_helpers import RED_SEA, counts, run, taxonomy  # noqa: F401 (a fixture)

# Every test runs with the taxonomy the exports name, as an editor would have set it up.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]

TITLE = "Houthi Strikes Push Red Sea Shipping Toward the Cape"


def _export(tmp_path, old, new, *, count=-1):
    text = RED_SEA.read_text()
    assert old in text
    export = tmp_path / "odd.txt"
    export.write_text(text.replace(old, new, count))
    return export


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("struck the bulk", "struck\ufffe the bulk", 11, "non-character U+FFFE in the text"),
        ("War-risk", "War\uffff-risk", 29, "non-character U+FFFF in the text"),
        ("Sea Shipping", "Sea \u202eShipping", 3, "U+202E (the right-to-left override control) in the title"),
        ("| Analysis", "| Ana\u2066lysis", 1, "U+2066 (the left-to-right isolate control) in the type name"),
        ("Senior Fellow", "Senior \u202dFellow", 17, "U+202D (the left-to-right override control) in the expert"),
        ("by Dana", "by \u202bDana", 39, "U+202B (the right-to-left embedding control) in the related-reading"),
        ("Maritime Security Sanctions", "Maritime \u2069Security Sanctions", 45, "U+2069"),
    ],
    ids=["fffe-prose", "ffff-prose", "rlo-title", "lri-type", "lro-expert-title", "rle-byline", "pdi-issues"],
)
def test_unsafe_characters_are_named_by_file_and_line(tmp_path, old, new, line, message):
    export = _export(tmp_path, old, new)
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(export)
    assert f"{export}:{line}: {message}" in str(caught.value)
    assert "Traceback" not in str(caught.value)
    assert counts() == before


def test_bidi_controls_in_prose_are_kept(tmp_path):
    """Prose may need an isolate around a right-to-left name; only titles and names refuse them."""
    export = _export(tmp_path, "The administration", "The \u2067الإدارة\u2069 administration")
    run(export)
    assert "\u2067الإدارة\u2069" in Brief.objects.get(title=TITLE).body


def test_a_lone_surrogate_is_not_utf8(tmp_path):
    export = tmp_path / "surrogate.txt"
    export.write_bytes(RED_SEA.read_bytes().replace(b"War-risk", b"War\xed\xa0\x80-risk"))
    with pytest.raises(CommandError, match=r"surrogate\.txt:29: not UTF-8 text \(byte 0xed\)"):
        run(export)


def test_an_issue_name_given_on_the_command_line_is_checked(tmp_path):
    with pytest.raises(CommandError, match="--issue “Bad\u202eName”: U\\+202E .* cannot be used in an issue name"):
        run(RED_SEA, "--issue", "Bad\u202eName")
    assert Brief.objects.count() == 0


def test_a_model_validation_error_is_a_file_line_message(tmp_path, monkeypatch):
    """Whatever ``full_clean`` refuses (here a validator refusing every title) is a message, not a traceback."""
    from django.core.exceptions import ValidationError

    from briefs.models import Brief as BriefModel

    def refuse(self, *args, **kwargs):
        raise ValidationError({"title": "U+0001 (a control character) cannot be stored"})

    monkeypatch.setattr(BriefModel, "full_clean", refuse)
    with pytest.raises(CommandError, match=r"red-sea\.txt:3: cannot save this brief: U\+0001"):
        run(RED_SEA)
    assert BriefModel.objects.count() == 0
