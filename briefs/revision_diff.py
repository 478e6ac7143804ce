"""Field-by-field comparison of two revisions, for editors.

Rich text is compared as words of its text (tags stripped), so a diff reads like prose;
everything shown is escaped here and marked safe only after escaping.
"""

import difflib
import html
import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from experts.models import Expert
from issues.models import Issue

from .models import Brief, BriefType

TAG = re.compile(r"<[^>]*>")
# Words, single punctuation marks and (collapsed) spaces: a changed full stop does not mark the
# whole word before it as changed, and joining the tokens gives the text back.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def text_to_words(value):
    return TOKEN.findall(" ".join((value or "").split()))


def html_to_words(value):
    """The words of a (sanitised) HTML fragment: tags become spaces, entities become characters."""
    return text_to_words(html.unescape(TAG.sub(" ", value or "")))


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


def list_diff(old, new):
    """[(marker, text)] where marker is "same", "removed" or "added", in the new order."""
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [("same", item) for item in old[i1:i2]]
            continue
        rows += [("removed", item) for item in old[i1:i2]]
        rows += [("added", item) for item in new[j1:j2]]
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
]


def compare(old, new):
    """[{label, changed, kind, diff}] for every field of two revisions' ``data``, in form order."""
    names = _Names(old.data, new.data)
    old_lines, new_lines = names.lines(old.data), names.lines(new.data)
    result = []
    for key, label, kind in FIELDS:
        if kind == "list":
            a, b = old_lines[key], new_lines[key]
            diff = list_diff(a, b)
        else:
            a, b = old.data.get(key) or "", new.data.get(key) or ""
            words = html_to_words if kind == "html" else text_to_words
            diff = word_diff(words(a), words(b))
        result.append({"key": key, "label": label, "kind": kind, "changed": a != b, "diff": diff})
    return result
