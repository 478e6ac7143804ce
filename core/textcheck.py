"""Text that XML, feeds and email headers can carry: validators for input, a cleaner for output.

Everything we store ends up in XML (RSS, Atom, the sitemap) or in an email subject. XML 1.0 cannot
represent C0 control characters other than tab, LF and CR, the non-characters U+FFFE and U+FFFF, or
lone surrogates: one of them in a title made every feed listing it answer 500 (Django refuses to
write them) or, for U+FFFE/U+FFFF, a feed no reader could parse. Bidirectional override and isolate
controls are legal XML but let a one-line title or name reorder what follows it on screen, and a
line break in a title breaks the subject line of the workflow email.

Input is refused at the model fields (``validators=``), so the admin, its inlines and the importer's
``full_clean`` all give a form error naming the character. Output goes through ``xml_safe()``, so
content stored before these checks existed (or written with ``QuerySet.update()``) still gives
well-formed feeds.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

# What XML 1.0 (section 2.2, "Char") excludes, within what a Python str can hold.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI.
BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
LINE_BREAK_RE = re.compile("[\r\n]")


def describe(char):
    """``U+0001 (a control character)``: how error messages name a character."""
    code = ord(char)
    if code < 0x20:
        kind = "a line break" if char in "\r\n" else "a control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code in (0xFFFE, 0xFFFF):
        kind = "a non-character"
    else:
        name = unicodedata.name(char, "").lower()
        kind = f"the {name} control" if name else "a bidirectional control"
    return f"U+{code:04X} ({kind})"


def first_unsafe(text, *, one_line=False):
    """The first character of ``text`` we refuse (with ``one_line``, as in a title or name), or None."""
    if not isinstance(text, str):
        return None
    patterns = (XML_ILLEGAL_RE, BIDI_CONTROL_RE, LINE_BREAK_RE) if one_line else (XML_ILLEGAL_RE,)
    found = [match.start() for pattern in patterns if (match := pattern.search(text))]
    return text[min(found)] if found else None


def validate_xml_safe(value):
    """Every stored text field: refuse characters XML 1.0 cannot carry."""
    _refuse(first_unsafe(value), "cannot be stored")


def validate_one_line(value):
    """Titles and names, on top of ``validate_xml_safe``: one line, no bidirectional controls."""
    if not isinstance(value, str):
        return
    if LINE_BREAK_RE.search(value):
        raise ValidationError("A title or name must be one line: remove the line break.", code="line_break")
    bidi = BIDI_CONTROL_RE.search(value)
    _refuse(bidi and bidi.group(), "cannot be used in a title or name")


def _refuse(char, what):
    if char is not None:
        raise ValidationError(
            "%(character)s " + what + "; remove it (it was probably pasted in by accident).",
            code="unsafe_character",
            params={"character": describe(char)},
        )


# The validators lists model fields use (one list each, so the migrations stay readable).
TEXT_VALIDATORS = [validate_xml_safe]
NAME_VALIDATORS = [validate_xml_safe, validate_one_line]


def xml_safe(text):
    """``text`` without the characters XML 1.0 cannot carry (for output of already stored content)."""
    if isinstance(text, str) and XML_ILLEGAL_RE.search(text):
        return XML_ILLEGAL_RE.sub("", text)
    return text
