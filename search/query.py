"""One parser for what readers type, and its two safe renderings.

Readers get web-search syntax on both databases: words (all must match), "quoted phrases",
``-word`` and ``-"a phrase"`` to exclude, and ``or`` between two terms, binding tighter than the
implicit "and" as in web search engines: ``iran or iraq militia`` is (iran or iraq) and militia.
Everything else is a word: quotes without a partner, ``*``, ``^``, ``:``, ``NEAR``, SQL. A term
keeps only its letters and digits, so what reaches PostgreSQL's ``websearch_to_tsquery`` (one
call per term, combined with ``&&``, ``||`` and ``!!``) or an FTS5 ``MATCH`` can never be read as
syntax: every FTS5 term is a quoted string, and websearch_to_tsquery never raises on any input.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from .index import fold

TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"|(?P<word>\S+)')
WORD = re.compile(r"[^\W_]+")  # letters and digits: what both databases' tokenizers keep
MAX_TERMS = 32  # a 200-character query cannot hold more useful ones


def normalise(text):
    """The query as typed, tidied: at most SEARCH_MAX_QUERY_LENGTH characters (cut, never refused),
    no control characters (PostgreSQL refuses NUL in text), single spaces."""
    text = "".join(char if char.isprintable() else " " for char in str(text or ""))
    return " ".join(text.split())[: settings.SEARCH_MAX_QUERY_LENGTH].strip()


@dataclass
class ParsedQuery:
    # Every clause must match; a clause is one or more alternatives ("a or b"); an alternative is a
    # phrase: a tuple of words (one word is a phrase of one).
    clauses: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.clauses or self.excluded)

    @property
    def words(self):
        """Every wanted word, in order (for suggestions and exact-name matches)."""
        return [word for clause in self.clauses for phrase in clause for word in phrase]

    @staticmethod
    def websearch_term(phrase):
        """One term as input for PostgreSQL's websearch_to_tsquery, accents folded (the vector
        holds folded words). Terms are combined by the caller, so "or" binds as tightly as on SQLite."""
        words = [fold(word) for word in phrase]
        return f'"{" ".join(words)}"' if len(words) > 1 else words[0]

    def fts5_wanted(self):
        """The FTS5 MATCH expression for the wanted terms ('' when there are none)."""
        return " AND ".join(
            "(" + " OR ".join(_fts5_string(phrase) for phrase in clause) + ")" for clause in self.clauses
        )

    def fts5_excluded(self):
        """An FTS5 MATCH expression any excluded term matches ('' when there are none)."""
        return " OR ".join(_fts5_string(phrase) for phrase in self.excluded)


def _fts5_string(phrase):
    # Words hold only letters and digits, so no double quote can end the string early.
    return '"' + " ".join(phrase) + '"'


def parse(text):
    """Parse reader input (already ``normalise``d or not) into a ParsedQuery; never raises."""
    terms = []  # (kind, phrase) with kind "want", "exclude" or "or"
    for match in TOKEN.finditer(normalise(text).lower()):
        if match.group("word") is not None:
            raw = match.group("word")
            if raw == "or":
                terms.append(("or", ("or",)))
                continue
            negated = raw.startswith("-") and len(raw) > 1
            phrase = tuple(WORD.findall(raw))  # "foo-bar" is the phrase "foo bar", as in websearch
        else:
            negated = bool(match.group("neg"))
            phrase = tuple(WORD.findall(match.group("phrase")))
        if phrase:
            terms.append(("exclude" if negated else "want", phrase))
    parsed = ParsedQuery()
    joining = False
    for position, (kind, phrase) in enumerate(terms[: MAX_TERMS * 2]):
        if kind == "or":
            before = parsed.clauses and position > 0 and terms[position - 1][0] == "want"
            after = position + 1 < len(terms) and terms[position + 1][0] == "want"
            if before and after:
                joining = True
                continue
            kind = "want"  # a lone "or" is just a word
        if kind == "exclude":
            if len(parsed.excluded) < MAX_TERMS:
                parsed.excluded.append(phrase)
        elif joining:
            parsed.clauses[-1].append(phrase)
        elif len(parsed.clauses) < MAX_TERMS:
            parsed.clauses.append([phrase])
        joining = False
    return parsed
