"""Compare reads like the brief (#11): block by block with word changes inside a block; quote titles
filled in at publication are no edit."""

import pytest
from django.urls import reverse

from briefs import workflow
from briefs.revision_diff import block_diff, html_blocks
from briefs.revisions import live_revision, pending_revision, save_revision
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, EditorFactory, ExpertFactory, ExpertQuoteFactory

pytestmark = pytest.mark.django_db


def test_rich_text_splits_into_blocks_that_keep_their_kind():
    html = (
        '<h2>Background</h2><p>The <a href="https://a.example">militia</a> attacked.</p>'
        "<ul><li>One</li><li>Two</li></ul><blockquote><p>Quoted.</p></blockquote>"
    )
    assert html_blocks(html) == [
        ("h2", "Background"),
        ("p", "The militia attacked. ⟨https://a.example⟩"),
        ("li", "One"),
        ("li", "Two"),
        ("blockquote", "Quoted."),
    ]


def test_a_changed_heading_and_list_are_blocks_not_one_run_on_paragraph():
    old = html_blocks("<h2>Background</h2><p>The militia attacked twice.</p><ul><li>One</li><li>Two</li></ul>")
    new = html_blocks(
        "<h2>Background now</h2><p>The militias attacked three times.</p>"
        "<ul><li>One</li><li>Two</li><li>Three</li></ul>"
    )
    rows = [(row["tag"], row["marker"], str(row["html"])) for row in block_diff(old, new)]
    assert rows == [
        ("h2", "changed", "Background<ins> now</ins>"),
        ("p", "changed", "The <del>militia</del><ins>militias</ins> attacked <del>twice</del><ins>three times</ins>."),
        ("li", "same", "One"),
        ("li", "same", "Two"),
        ("li", "added", "<ins>Three</ins>"),
    ]


def test_blocks_are_escaped():
    rows = block_diff([("p", "a <script>")], [("p", "a <script> b")])
    assert "<script>" not in str(rows[0]["html"]) and "&lt;script&gt;" in str(rows[0]["html"])


def test_live_against_pending_does_not_show_quote_titles_filled_at_publication(client):
    editor = EditorFactory()
    brief = BriefFactory(status="in_review", published_at=None)
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(name="Bradley Bowman", title="Senior Director"), text="A.")
    save_revision(brief=brief, user=editor)
    workflow.publish(brief=brief, user=editor)  # fills in "Senior Director"
    save_revision(brief=brief, user=editor)
    client.force_login(editor)
    page = client.get(reverse("admin:briefs_brief_change", args=[brief.pk]))
    client.post(reverse("admin:briefs_brief_change", args=[brief.pk]), change_form_data(page, summary="New summary."))
    first, pending = brief.revisions.get(number=1), pending_revision(brief)
    assert first.data["quotes"][0]["expert_title"] == "" and live_revision(brief).number == 2
    response = client.get(reverse("admin:briefs_brief_compare", args=[brief.pk]), {"a": first.pk, "b": pending.pk})
    fields = {field["key"]: field for field in response.context["fields"]}
    assert fields["summary"]["changed"]
    assert not fields["quotes"]["changed"]
    assert [row["marker"] for row in fields["quotes"]["diff"]] == ["same"]
