"""One allow-list for every rich-text field: what reaches templates and feeds is clean."""

import pytest

from briefs.richtext import sanitize_html
from tests.factories import BriefFactory, ExpertFactory, IssueFactory

XSS = (
    '<p onclick="steal()">Hello <script>alert(1)</script><a href="javascript:alert(2)">click</a>'
    '<img src=x onerror="alert(3)"><span style="color:red">red</span></p>'
    "<iframe src='https://evil.example'></iframe><style>body{display:none}</style>"
)


def test_dangerous_markup_removed():
    clean = sanitize_html(XSS)
    for bad in ("onclick", "<script", "alert(1)", "javascript:", "onerror", "<img", "style", "<iframe"):
        assert bad not in clean
    assert "Hello" in clean and "click" in clean and "red" in clean


def test_editorial_markup_kept():
    html = (
        "<h2>Background</h2><p><strong>Bold</strong> <em>it</em> "
        '<a href="https://example.org/x" title="t">link</a></p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quoted</p></blockquote>"
        "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2024</td></tr></tbody></table>"
    )
    clean = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", 'href="https://example.org/x"', "<ul>", "<ol>", "<blockquote>", "<table>"):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


def test_unknown_tags_unwrapped_not_lost():
    assert sanitize_html("<h1>Title</h1><div><p>Text</p></div>") == "Title<p>Text</p>"


def test_typography_survives():
    text = "<p>Kata\u2019ib Hezbollah said \u201cfabricated news.\u201d\u00a0Really.</p>"
    assert sanitize_html(text) == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make, field",
    [
        (lambda v: BriefFactory(developments=v), "developments"),
        (lambda v: BriefFactory(body=v), "body"),
        (lambda v: ExpertFactory(bio=v), "bio"),
        (lambda v: IssueFactory(description=v), "description"),
    ],
)
def test_every_rich_text_field_is_sanitised_on_save(make, field):
    obj = make(XSS)
    obj.refresh_from_db()
    stored = getattr(obj, field)
    assert "<script" not in stored and "onclick" not in stored and "javascript:" not in stored
    assert "Hello" in stored
