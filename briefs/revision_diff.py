"""Field-by-field comparison of two revisions, for editors: it reads like the brief.

Rich text is compared block by block (paragraphs, headings, list items, quotes), parsed with
lxml.html; blocks are lined up with difflib, and a changed block shows its word-level changes.
Quotes, related links and the other lists are blocks too. Everything shown is escaped here and
marked safe only after escaping.

(lxml.html.diff.htmldiff was tried for the words inside a block: it replaces short paragraphs
whole, "Something happened." against "Something big happened today." included, so the
word diff below stays.)
"""

import difflib
import re
from pathlib import PurePath

import lxml.html
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from experts.models import Expert
from issues.models import Issue

from .models import Brief, BriefType

# Words, single punctuation marks and (collapsed) spaces: a changed full stop does not mark the
# whole word before it as changed, and joining the tokens gives the text back.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def text_to_words(value):
    return TOKEN.findall(" ".join((value or "").split()))


def _segments(old, new):
    """[(changed, old tokens, new tokens)], where a run of only spaces and punctuation between
    two changes joins them: "U<ins>.</ins>S" noise becomes one readable change."""
    segments = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        segments.append([op != "equal", old[i1:i2], new[j1:j2]])
    for index in range(1, len(segments) - 1):
        changed, tokens, _ = segments[index]
        if not changed and segments[index - 1][0] and segments[index + 1][0] and not any(t.isalnum() for t in tokens):
            segments[index][0] = True
    merged = []
    for changed, old_tokens, new_tokens in segments:
        if merged and changed and merged[-1][0]:
            merged[-1][1] = merged[-1][1] + old_tokens
            merged[-1][2] = merged[-1][2] + new_tokens
        else:
            merged.append([changed, old_tokens, new_tokens])
    return merged


def word_diff(old, new):
    """Escaped HTML showing ``new`` against ``old`` word by word with <del> and <ins>."""
    parts = []
    for changed, old_tokens, new_tokens in _segments(old, new):
        if not changed:
            parts.append(escape("".join(old_tokens)))
            continue
        if old_tokens:
            parts.append(format_html("<del>{}</del>", "".join(old_tokens)))
        if new_tokens:
            parts.append(format_html("<ins>{}</ins>", "".join(new_tokens)))
    return mark_safe("".join(parts))  # noqa: S308 - every part was escaped above


# Blocks of rich text; anything else at the top level (a div, a figure) is one block of its text.
LIST_TAGS = {"ul", "ol"}
SAME_BLOCK_RATIO = 0.5  # below this, a replaced block reads better as removed + added


def _clean(text):
    return " ".join((text or "").split())


def _text(element):
    """A block's words, and where its links go (a changed address is a change)."""
    links = [f"⟨{a.get('href')}⟩" for a in element.iter("a") if a.get("href")]
    return _clean(" ".join([element.text_content(), *links]))


def html_blocks(value):
    """[(tag, text)] of a (sanitised) HTML fragment, block by block: list items one by one."""
    if not (value or "").strip():
        return []
    root = lxml.html.fragment_fromstring(value, create_parent="div")
    blocks = [("p", _clean(root.text))] if _clean(root.text) else []
    for element in root:
        if not isinstance(element.tag, str):
            continue  # a comment
        if element.tag in LIST_TAGS:
            blocks += [("li", _text(item)) for item in element.iter("li")]
        elif element.tag == "table":
            blocks += [("tr", " | ".join(_clean(c.text_content()) for c in row)) for row in element.iter("tr")]
        else:
            blocks.append((element.tag if element.tag in BLOCK_LABELS else "p", _text(element)))
        if _clean(element.tail):
            blocks.append(("p", _clean(element.tail)))
    return [(tag, text) for tag, text in blocks if text]


BLOCK_LABELS = {"p", "h2", "h3", "h4", "blockquote", "li", "tr", "pre"}


def block_diff(old, new):
    """[{tag, marker, html}] for two lists of (tag, text) blocks, in the new order. ``marker``: "same",
    "changed" (``html`` shows its word changes), "removed" or "added"."""
    rows = []

    def whole(marker, blocks, mark):
        rows.extend({"tag": tag, "marker": marker, "html": format_html(mark, text)} for tag, text in blocks)

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            whole("same", old[i1:i2], "{}")
            continue
        removed, added = list(old[i1:i2]), list(new[j1:j2])
        while removed and added:
            (old_tag, old_text), (new_tag, new_text) = removed[0], added[0]
            ratio = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).ratio()
            if old_tag != new_tag or ratio < SAME_BLOCK_RATIO:
                break
            removed.pop(0), added.pop(0)
            diff = word_diff(text_to_words(old_text), text_to_words(new_text))
            rows.append({"tag": new_tag, "marker": "changed", "html": diff})
        whole("removed", removed, "<del>{}</del>")
        whole("added", added, "<ins>{}</ins>")
    return rows


class _Names:
    """Looks every id of both revisions up once (a fixed number of queries per comparison)."""

    def __init__(self, *datas):
        ids = {key: set() for key in ("type", "experts", "issues", "briefs")}
        for data in datas:
            ids["type"].add(data["type"])
            ids["experts"].update(data["authors"])
            ids["experts"].update(q["expert"] for q in data["quotes"])
            ids["issues"].update(data["issues"])
            ids["briefs"].update(link["target_brief"] for link in data["related_links"] if link["target_brief"])
        self.types = {pk: t.name for pk, t in BriefType.objects.in_bulk(ids["type"]).items()}
        self.experts = {pk: e.name for pk, e in Expert.objects.in_bulk(ids["experts"]).items()}
        self.issues = {pk: i.name for pk, i in Issue.objects.in_bulk(ids["issues"]).items()}
        self.briefs = {pk: b.title for pk, b in Brief.objects.in_bulk(ids["briefs"]).items()}

    def lines(self, data):
        return {
            "type": [self.types.get(data["type"], f"(deleted type {data['type']})")],
            "authors": [self.experts.get(pk, f"(deleted expert {pk})") for pk in data["authors"]],
            "issues": [self.issues.get(pk, f"(deleted issue {pk})") for pk in data["issues"]],
            "quotes": [
                f"{self.experts.get(q['expert'], '(deleted expert)')}"
                f"{', ' + q['expert_title'] if q['expert_title'] else ''}: “{q['text']}”"
                for q in data["quotes"]
            ],
            "related_links": [self._link(link) for link in data["related_links"]],
            "lead_image": picture_lines(data),
        }

    def _link(self, link):
        if link["target_brief"]:
            return f"Brief: {self.briefs.get(link['target_brief'], '(deleted brief)')}"
        text = f"“{link['title']}”"
        if link["byline"]:
            text += f" {link['byline']}"
        if link["url"]:
            text += f" <{link['url']}>"
        return text


def picture_lines(data):
    """The lead picture as lines: its file's name (a new upload has a new name), alt text, caption, credit."""
    if "lead_image" not in data:
        return ["Not recorded (saved before revisions kept the picture)"]
    if not data["lead_image"]:
        return ["No picture"]
    lines = [f"Picture: {PurePath(data['lead_image']).name}", f"Alt text: {data['lead_image_alt']}"]
    lines += [f"{label}: {data[key]}" for key, label in PICTURE_LABELS if data.get(key)]
    return lines


PICTURE_LABELS = [("lead_image_caption", "Caption"), ("lead_image_credit", "Credit")]
PICTURE_KEYS = ["lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit"]


def _fill_picture(data, other):
    """A revision from before pictures were kept (no picture keys) left the picture as it was: it
    reads as the other revision's picture, not as a removal."""
    if "lead_image" in data or "lead_image" not in other:
        return data
    return {**data, **{key: other[key] for key in PICTURE_KEYS}}


FIELDS = [
    ("title", "Title", "text"),
    ("slug", "Slug", "text"),
    ("type", "Type", "list"),
    ("summary", "Summary", "text"),
    ("authors", "Authors", "list"),
    ("issues", "Issues", "list"),
    ("developments", "Latest Developments", "html"),
    ("quotes", "Expert Analysis (quotes)", "list"),
    ("body", "Further sections", "html"),
    ("related_links", "Related Reading", "list"),
    ("lead_image", "Lead picture", "list"),
]


def _fill_titles(data, other):
    """``data`` with each quote's empty "title shown" taken from the same quote in ``other``: publishing
    fills it in from the expert's profile, which is no edit anyone made."""
    titles = {(q["expert"], q["text"]): q["expert_title"] for q in other["quotes"] if q["expert_title"]}
    quotes = [
        {**q, "expert_title": q["expert_title"] or titles.get((q["expert"], q["text"]), "")} for q in data["quotes"]
    ]
    return {**data, "quotes": quotes}


def compare(old, new):
    """[{label, changed, kind, diff}] for every field of two revisions' ``data``, in reading order.

    ``diff`` is escaped HTML for one-line text, and [{tag, marker, html}] blocks for rich text and lists.
    """
    old_data, new_data = _fill_titles(old.data, new.data), _fill_titles(new.data, old.data)
    old_data, new_data = _fill_picture(old_data, new_data), _fill_picture(new_data, old_data)
    names = _Names(old_data, new_data)
    old_lines, new_lines = names.lines(old_data), names.lines(new_data)
    result = []
    for key, label, kind in FIELDS:
        if kind == "list":
            a, b = [("li", line) for line in old_lines[key]], [("li", line) for line in new_lines[key]]
            diff = block_diff(a, b)
        elif kind == "html":
            a, b = html_blocks(old_data.get(key)), html_blocks(new_data.get(key))
            diff = block_diff(a, b)
        else:
            a, b = old_data.get(key) or "", new_data.get(key) or ""
            diff = word_diff(text_to_words(a), text_to_words(b))
        result.append({"key": key, "label": label, "kind": kind, "changed": a != b, "diff": diff})
    return result
