"""One allow-list for every rich-text field: what reaches templates and feeds is clean."""

import pytest

from core.richtext import sanitize_html
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


# What CKEditor 5 (47.x) sends for each item of the toolbar in settings.CKEDITOR_5_CONFIGS (as seen in
# tests/e2e/test_richtext_browser.py; less the random data-list-item-id on list items, dropped on save).
CKEDITOR_OUTPUT = [
    "<h2>Deterring Attacks</h2><h3>Background</h3><p>Plain\u00a0text.</p>",
    "<p><strong>Bold</strong>, <i>italic</i> and "
    '<a href="https://www.example.org/analysis?id=1&amp;x=2" rel="noopener noreferrer">a link</a>.</p>',
    "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol><li>first</li><li>second</li></ol>",
    "<blockquote><p>Quoted paragraph.</p></blockquote>",
    '<figure class="table"><table><thead><tr><th>Year</th><th>Attacks</th></tr></thead>'
    '<tbody><tr><td colspan="2">None</td></tr><tr><td rowspan="2">2024</td><td>170</td></tr></tbody>'
    "</table></figure>",
]


@pytest.mark.parametrize("html", CKEDITOR_OUTPUT, ids=["headings", "inline", "lists", "blockquote", "table"])
def test_ckeditor_output_survives_unchanged(html):
    """Everything the editor's toolbar can make is stored exactly as the editor sent it."""
    assert sanitize_html(html) == html


def test_ckeditor_list_item_ids_are_dropped():
    """CKEditor 5 gives list items random ids on every load; stored, they would make each save differ."""
    html = '<ul><li data-list-item-id="e80379520c9df">one</li></ul>'
    assert sanitize_html(html) == "<ul><li>one</li></ul>"


def test_only_the_table_class_survives():
    html = (
        '<figure class="table quote" onclick="x"><table><tbody><tr><td class="x">1</td></tr></tbody></table></figure>'
    )
    assert sanitize_html(html) == '<figure class="table"><table><tbody><tr><td>1</td></tr></tbody></table></figure>'


WIDER_XSS = [
    '<a href="jav&#x09;ascript:alert(1)">a</a>',
    '<a href="&#106;avascript:alert(1)">a</a>',
    '<a href=" JaVaScRiPt:alert(1)">a</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<table><tr><td><img src=x onerror=alert(1)></td></tr></table>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<p style="background:url(javascript:alert(1))">s</p>',
    "<template><script>alert(1)</script></template>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    "<p><b><i>unclosed <script>alert(1)",
]


DANGEROUS = (
    "<script", "javascript:", "vbscript:", "data:", "onerror", "onload", "ontoggle", "<img", "<svg",
    "<math", "<iframe", "<form", "<meta", "<base", "style=", "<noscript", "<details", "<template",
)  # fmt: skip


@pytest.mark.parametrize("html", WIDER_XSS)
def test_wider_xss_corpus_is_harmless(html):
    clean = sanitize_html(html)
    for bad in DANGEROUS:
        assert bad not in clean.lower(), (bad, clean)
