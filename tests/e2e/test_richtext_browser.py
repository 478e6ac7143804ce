"""Rich text in the real editor: what CKEditor 5 makes with the toolbar's tools survives save and
reload unchanged, and what it cannot make (scripts, handlers) never reaches the database."""

import re

import pytest

from briefs.models import Brief
from core.richtext import sanitize_html
from tests.factories import BriefFactory, SuperUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Typed into the editor as HTML: one of everything the toolbar offers (settings.CKEDITOR_5_CONFIGS).
TOOLBAR_HTML = (
    "<h2>Deterring Attacks</h2><h3>Background</h3>"
    '<p><strong>Bold</strong>, <i>italic</i> and <a href="https://www.example.org/x">a link</a>.</p>'
    "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>"
    "<blockquote><p>Quoted.</p></blockquote>"
    "<table><thead><tr><th>Year</th><th>Attacks</th></tr></thead>"
    "<tbody><tr><td>2024</td><td>170</td></tr></tbody></table>"
)
EDITOR_DATA = "() => window.editors['id_body'].getData()"


def without_list_ids(html):
    return re.sub(r' data-list-item-id="[^"]*"', "", html)


def open_body_editor(page, url):
    page.goto(url)
    page.wait_for_function("() => window.editors && window.editors['id_body']")


def test_toolbar_output_survives_save_and_reload(log_in, problems):
    SuperUserFactory(username="ada")
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None, body="")
    change = f"/admin/briefs/brief/{brief.pk}/change/"
    page = log_in("ada")
    open_body_editor(page, change)
    page.evaluate("(html) => window.editors['id_body'].setData(html)", TOOLBAR_HTML)
    made = page.evaluate(EDITOR_DATA)
    assert '<figure class="table">' in made  # the editor wraps tables itself

    with page.expect_navigation():
        page.click("input[name=_continue]")
    brief.refresh_from_db()
    for kept in ("<h2>", "<h3>", "<strong>", "<i>", 'href="https://www.example.org/x"', "<ul>", "<ol>",
                 "<blockquote>", '<figure class="table">', "<thead>", "<th>"):  # fmt: skip
        assert kept in brief.body, (kept, brief.body)

    # Stored exactly as the sanitiser keeps the editor's output: nothing else was lost on the way.
    assert brief.body == sanitize_html(made)

    open_body_editor(page, change)
    # The editor numbers list items afresh on every load (data-list-item-id); all else is as made.
    assert without_list_ids(page.evaluate(EDITOR_DATA)) == without_list_ids(made)
    assert not problems


def test_script_set_in_the_editor_never_reaches_the_database(log_in):
    SuperUserFactory(username="ada")
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None, body="")
    page = log_in("ada")
    open_body_editor(page, f"/admin/briefs/brief/{brief.pk}/change/")
    # The editor's own filter drops most of this; the server must not rely on it: also post it raw.
    page.evaluate(
        """() => { window.editors['id_body'].setData('<p onclick="x()">Fine</p>');
                   document.getElementById('id_body').value =
                     '<p onclick="x()">Fine</p><script>alert(1)</script><a href="javascript:alert(2)">y</a>'; }"""
    )
    page.evaluate("() => window.editors['id_body'].destroy()")  # so it cannot overwrite the raw value
    with page.expect_navigation():
        page.click("input[name=_continue]")
    brief.refresh_from_db()
    assert "Fine" in brief.body
    for bad in ("onclick", "<script", "javascript:"):
        assert bad not in brief.body
