"""Parse one plain-text brief export (as copied from the old site) into plain dataclasses.

No database here: the loader decides what exists. Every piece keeps the line it came from so an
error can name ``file:line``. One paragraph per line is assumed (that is how text copied from a
web page arrives); blank lines between paragraphs are optional.

The shape (see DESIGN.md, "Plain-text brief exports")::

    April 24, 2024 | Flash Brief          header: DATE | TYPE
    Iran-Backed Iraqi Militias ...        title (the header block may be repeated once)
    Latest Developments                   paragraphs -> developments
    Expert Analysis                       “quote ...” Name, Title  (a quote may span paragraphs)
    Deterring Attacks on U.S. Forces      a heading: short, no terminal punctuation, then paragraphs
    ...
    The consequences of ...,” by A and B  related reading (opening quote mark often lost)
    Issues:                               then issue names run together on one line
"""

import codecs
import datetime
import re
from pathlib import Path

from django.conf import settings

from core import textcheck

from .parsed import ExportError, Link, Paragraph, ParsedBrief, Quote, Section
from .text import QUOTE_CLOSE, QUOTE_OPEN, ends_a_sentence

DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%B %d %Y", "%d %B %Y", "%Y-%m-%d")
LATEST_RE = re.compile(r"^latest developments:?$", re.IGNORECASE)
EXPERT_RE = re.compile(r"^expert analysis:?$", re.IGNORECASE)
RELATED_HEADING_RE = re.compile(r"^(related reading|related analysis|further reading|related):?$", re.IGNORECASE)
ISSUES_RE = re.compile(r"^issues:\s*(?P<rest>.*)$", re.IGNORECASE)
# Lines are split with str methods, not regular expressions that backtrack: an export can hold a
# megabyte on one line, and every step here must stay linear in its length (tests/test_import_limits.py).
# ``Title,” by A and B`` or ``Title,” SOURCE``: the opening quote mark is often lost; the byline
# holds no double quote marks. See _related() for the title.
BYLINE_MAX_CHARS = 200
# What follows a quote's closing mark: ``Name, Title``. Names are a few capitalised words.
NAME_RE = re.compile(r"[^\W\d_][\w.’'\- ]{0,78}")
NAME_MAX_CHARS = 79
DOUBLE_QUOTES = '“”"'
HEADING_MAX_CHARS = 100
# C0 controls except tab and line ends, and DEL: in a text export they mean a binary or damaged file.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The non-characters XML cannot carry either (lone surrogates never survive UTF-8 decoding).
NONCHARACTER_RE = re.compile("[\ufffe\uffff]")
# Column sizes of BriefType.name, RelatedLink.title and ExpertQuote.expert_title.
TYPE_MAX_CHARS, LINK_TITLE_MAX_CHARS, EXPERT_TITLE_MAX_CHARS = 100, 255, 255
HEADING_MAX_WORDS = 14


def read_export(path, *, max_bytes=None):
    """Decode and parse the file at ``path``; raises ExportError for any bad input.

    A file past ``max_bytes`` (default: the ``IMPORT_MAX_BYTES`` setting) is refused before it is
    parsed: a brief is a few kilobytes, and a huge file is a mistake or an attack.
    """
    path = Path(path)
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # never more than the limit in memory
    except OSError as exc:
        raise ExportError(path, 1, f"cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise ExportError(
            path,
            1,
            f"file too large (over {limit:,} bytes; a brief export is a few KB). "
            "The IMPORT_MAX_BYTES setting raises the limit.",
        )
    return parse_export(decode_export(data, source=path), source=path)


def decode_export(data, *, source):
    """UTF-8 only; a byte-order mark and CRLF/CR line ends are tolerated; control characters are not."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExportError(
            source, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the export as UTF-8"
        ) from None
    # Word's manual line break (vertical tab) and page break (form feed) end a line too.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    for pattern, kind in ((CONTROL_RE, "control character"), (NONCHARACTER_RE, "non-character")):
        found = pattern.search(text)
        if found:
            # PostgreSQL cannot store NUL, no other control character belongs in prose, and XML
            # (the feeds) can carry neither controls nor U+FFFE/U+FFFF.
            line = text.count("\n", 0, found.start()) + 1
            raise ExportError(
                source, line, f"{kind} U+{ord(found.group()):04X} in the text; is this really a text export?"
            )
    return text


def parse_export(text, *, source):
    """Turn the text of one export into a ParsedBrief."""
    blocks = [Paragraph(number, line.strip()) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    if not blocks:
        raise ExportError(source, 1, "empty file: expected a “DATE | TYPE” header and a title")
    brief, rest = _parse_head(blocks, source=source)
    rest = _take_issues(brief, rest)
    rest = _take_related(brief, rest)
    _parse_sections(brief, rest, source=source)
    _check_one_line_fields(brief)
    return brief


def _check_one_line_fields(brief):
    """Titles and names refuse bidirectional controls (they would reorder the page around them),
    as the admin does; named here with the line, not later as a database error."""
    fields = [
        (brief.header_line, "type name", brief.type_name),
        (brief.title_line, "title", brief.title),
        (brief.issues_line, "issue names", brief.issues_text),
        *((quote.line, "expert name or title", f"{quote.expert_name} {quote.expert_title}") for quote in brief.quotes),
        *((link.line, "related-reading title or byline", f"{link.title} {link.byline}") for link in brief.links),
    ]
    for line, what, text in fields:
        char = textcheck.first_unsafe(text, one_line=True)
        if char is not None:
            raise ExportError(brief.source, line, f"{textcheck.describe(char)} in the {what}; remove it")


def _parse_head(blocks, *, source):
    header = blocks[0]
    match = _header(header.text)
    if not match:
        raise ExportError(
            source,
            header.line,
            f"no “DATE | TYPE” header (such as “April 24, 2024 | Flash Brief”): found “{excerpt(header.text)}”",
        )
    date = parse_date(match["date"])
    if date is None:
        raise ExportError(
            source, header.line, f"unreadable date “{excerpt(match['date'])}” (expected e.g. “April 24, 2024”)"
        )
    if len(blocks) < 2 or _is_structural(blocks[1].text) or blocks[1].text == header.text:
        line = blocks[1].line if len(blocks) > 1 else header.line
        raise ExportError(source, line, "no title after the “DATE | TYPE” header")
    title = blocks[1]
    rest = blocks[2:]
    # The old site printed the header block twice; keep it once.
    if rest and rest[0].text == header.text:
        if len(rest) < 2 or rest[1].text != title.text:
            raise ExportError(source, rest[0].line, "the repeated header block has a different title")
        rest = rest[2:]
    elif rest and rest[0].text == title.text:
        rest = rest[1:]
    _check_length(match["type"].strip(), TYPE_MAX_CHARS, "type name", source=source, line=header.line)
    brief = ParsedBrief(
        source=str(source),
        header_line=header.line,
        date=date,
        type_name=" ".join(match["type"].split()),
        title_line=title.line,
        title=title.text,
    )
    return brief, rest


def _header(text):
    """``DATE | TYPE``: exactly one bar with something on either side, or None."""
    date, bar, type_name = text.partition("|")
    if not bar or "|" in type_name or not date.strip() or not type_name.strip():
        return None
    return {"date": date.strip(), "type": type_name.strip()}


def parse_date(value):
    value = " ".join(value.split())  # also folds non-breaking spaces
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _is_structural(text):
    return bool(LATEST_RE.match(text) or EXPERT_RE.match(text) or ISSUES_RE.match(text))


def _take_issues(brief, blocks):
    """Everything from "Issues:" to the end is the issue line(s); split later against known issues."""
    for index, block in enumerate(blocks):
        match = ISSUES_RE.match(block.text)
        if match:
            brief.issues_line = block.line
            parts = [match["rest"]] + [b.text for b in blocks[index + 1 :]]
            brief.issues_text = " ".join(" ".join(parts).split())
            if blocks[index + 1 :]:
                brief.issues_line = blocks[index + 1].line
            return blocks[:index]
    return blocks


def _take_related(brief, blocks):
    """Related reading is the run of citation-shaped lines at the end (before "Issues:")."""
    start = len(blocks)
    while start > 0 and _related(blocks[start - 1].text):
        start -= 1
    for block in blocks[start:]:
        match = _related(block.text)
        title = match["title"].strip().lstrip('“"')
        _check_length(title, LINK_TITLE_MAX_CHARS, "related-reading title", source=brief.source, line=block.line)
        brief.links.append(Link(block.line, title, match["byline"].strip()))
    if start > 0 and RELATED_HEADING_RE.match(blocks[start - 1].text):
        start -= 1
    return blocks[:start]


def _related(text):
    """A related-reading line (``[“]Title,” BYLINE``), or None, as ``{"title": ..., "byline": ...}``.

    The byline holds no quote marks, so the ``,”`` before it is at the line's last quote mark; it is
    followed by white space and at most 200 characters. Inner quotes in the title must pair up
    (“The “Axis” Explained”), which tells a citation from prose that quotes a phrase (said it was
    “a mistake,” according to ...).
    """
    mark = max(text.rfind(q) for q in DOUBLE_QUOTES)
    if mark < 2 or text[mark] == "“" or text[mark - 1] != ",":
        return None
    rest = text[mark + 1 :]
    byline = rest.lstrip()
    if not rest[:1].isspace() or len(byline) > BYLINE_MAX_CHARS:
        return None
    if not byline:  # only white space after the mark: the last of it stands as the byline
        byline = rest[-1:] if len(rest) > 1 else ""
        if not byline:
            return None
    title = text[: mark - 1]
    if title[:1] in '“"' and len(title) > 1:
        title = title[1:]
    if title.count("“") == title.count("”") and '"' not in title:
        return {"title": title, "byline": byline}
    return None


def looks_like_heading(text):
    """A short line without terminal punctuation (the caller checks that paragraphs follow)."""
    return (
        len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and not _opens_quote(text)
        and text[-1] not in ".!?:;,…" + QUOTE_CLOSE
    )


def _is_heading(blocks, index):
    """A heading-shaped line followed by a paragraph (not by another heading-shaped line or nothing)."""
    if not looks_like_heading(blocks[index].text) or _is_structural(blocks[index].text):
        return False
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return following is not None and not _is_structural(following.text) and not looks_like_heading(following.text)


def _parse_sections(brief, blocks, *, source):
    section = "developments"
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if LATEST_RE.match(block.text):
            section = "developments"
        elif EXPERT_RE.match(block.text):
            section = "quotes"
        elif section == "quotes" and (_opens_quote(block.text) or _has_attribution(block.text)):
            quote, index = _parse_quote(blocks, index, source=source)
            if not quote.paragraphs:
                raise ExportError(source, quote.line, f"empty quote attributed to {quote.expert_name}")
            brief.quotes.append(_limited(quote, source=source))
            continue
        elif section == "quotes" and not _is_heading(blocks, index):
            # Swallowing an introduction into the next quote would misquote someone: stop instead.
            raise ExportError(
                source,
                block.line,
                "quote without attribution: paragraphs under “Expert Analysis” must be quotes "
                f"ending in “Name, Title” (found “{excerpt(block.text)}”)",
            )
        elif _is_heading(blocks, index):
            section = "body"
            brief.sections.append(Section(block.line, block.text))
        elif section == "body":
            brief.sections[-1].paragraphs.append(block)
        else:
            brief.developments.append(block)
        index += 1


def _parse_quote(blocks, start, *, source):
    """Paragraphs from ``start`` until a closing quote mark followed by "Name, Title".

    The attribution is on the quote's last line (``...twice.” Bradley Bowman, Senior Director``)
    or, tolerated, alone on the next line after a paragraph ending in a closing quote mark.
    """
    paragraphs = []
    for index in range(start, len(blocks)):
        text = blocks[index].text
        if _is_structural(text) and index > start:
            break
        closing = max(text.rfind(mark) for mark in QUOTE_CLOSE)
        attribution = _attribution(text[closing + 1 :]) if closing >= 0 else None
        if attribution:
            paragraphs.append(text[: closing + 1])
            return _quote(blocks[start].line, paragraphs, *attribution), index + 1
        paragraphs.append(text)
        following = blocks[index + 1].text if index + 1 < len(blocks) else ""
        if closing == len(text) - 1 and not _opens_quote(following):
            attribution = _attribution(following)
            if attribution:
                return _quote(blocks[start].line, paragraphs, *attribution), index + 2
    raise ExportError(
        source,
        blocks[start].line,
        "quote without attribution: expected the closing quote mark followed by “Name, Title” "
        f"(the quote beginning “{excerpt(blocks[start].text.lstrip(QUOTE_OPEN))}”)",
    )


def _limited(quote, *, source):
    _check_length(quote.expert_title, EXPERT_TITLE_MAX_CHARS, "expert title", source=source, line=quote.line)
    return quote


def _check_length(text, limit, what, *, source, line):
    """Refuse rather than truncate: a cut-off title would be wrong on the public page."""
    if len(text) > limit:
        raise ExportError(source, line, f"{what} too long ({len(text)} characters, at most {limit})")


def _has_attribution(text):
    closing = max(text.rfind(mark) for mark in QUOTE_CLOSE)
    return closing >= 0 and _attribution(text[closing + 1 :]) is not None


def _attribution(text):
    """``Name, Title`` (what follows a quote's closing mark) as ``(name, title)``, or None."""
    raw_name, comma, rest = text.lstrip().partition(",")
    raw_name = raw_name.rstrip()
    if (
        not comma
        or len(raw_name) > NAME_MAX_CHARS
        or not NAME_RE.fullmatch(raw_name)
        or not rest[:1].isspace()
        or len(rest) < 2
        or any(q in rest for q in DOUBLE_QUOTES)
    ):
        return None
    match = {"name": raw_name, "title": rest}
    name = " ".join(match["name"].split())
    words = name.split()
    if not 1 <= len(words) <= 6 or not words[0][0].isupper() or ends_a_sentence(name):
        return None
    return name, match["title"].strip()


def _quote(line, paragraphs, name, title):
    cleaned = []
    last = len(paragraphs) - 1
    for position, text in enumerate(paragraphs):
        opened = text[:1] in QUOTE_OPEN
        if opened:
            text = text[1:]
        # The final paragraph ends with the closing mark; a middle one may close too (balanced).
        if text[-1:] in QUOTE_CLOSE and (position == last or (opened and _balanced(text[:-1]))):
            text = text[:-1]
        cleaned.append(text.strip())
    return Quote(line=line, paragraphs=[p for p in cleaned if p], expert_name=name, expert_title=title)


def _balanced(text):
    return text.count("“") == text.count("”")


def excerpt(text, limit=60):
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _opens_quote(text):
    return text[:1] in QUOTE_OPEN
