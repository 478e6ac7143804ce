"""Matching, ranking and excerpts on each database, behind one small interface.

PostgreSQL: the stored weighted vector, ``websearch_to_tsquery('english', ...)`` (GIN index),
``ts_rank`` and ``ts_headline``. SQLite: the FTS5 table, ``bm25()`` with column weights and
``snippet()``. Either way the query starts from ``Brief.objects.live()``, decided at query time.
"""

import functools
import operator
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.listed import KeyedItems

from .index import MARK_END, MARK_START
from .models import BriefDocument

# FTS5 columns: title, summary, people, quotes, body, folded (weights as PostgreSQL's A, B, B, B, C, B).
BM25 = "bm25(search_fts, 10.0, 4.0, 4.0, 4.0, 1.0, 4.0)"
FTS_IDS = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
EXCERPT_WORDS = 30
# PostgreSQL's 'english' reading words without their accents (search migration 0003), so that an
# excerpt marks "Wiśniewski" for the query "Wisniewski" as matching found it.
EXCERPT_CONFIG = "dossier_english_unaccent"


def is_postgresql():
    return connection.vendor == "postgresql"


def _ts_query(parsed):
    """The parsed query as one tsquery: websearch_to_tsquery per term, grouped as the parser says."""

    def term(phrase):
        return SearchQuery(parsed.websearch_term(phrase), search_type="websearch", config="english")

    query = None
    for clause in parsed.clauses:
        either = functools.reduce(operator.or_, (term(phrase) for phrase in clause))
        query = either if query is None else query & either
    for phrase in parsed.excluded:
        query = ~term(phrase) if query is None else query & ~term(phrase)
    return query


def matching(queryset, parsed):
    """``queryset`` (briefs) narrowed to those matching ``parsed``; unchanged for an empty query."""
    if not parsed:
        return queryset
    if is_postgresql():
        return queryset.filter(search_document__vector=_ts_query(parsed))
    if wanted := parsed.fts5_wanted():
        queryset = queryset.filter(pk__in=RawSQL(FTS_IDS, [wanted]))
    if excluded := parsed.fts5_excluded():
        queryset = queryset.exclude(pk__in=RawSQL(FTS_IDS, [excluded]))
    return queryset


@dataclass
class Window:
    """One results page worked out with the counts (facets.counted), in the same statement: the
    briefs found are read once. ``order`` is SQL over the columns of facets' CTE, with ``params``;
    rows ``offset`` < place <= ``offset`` + ``limit``."""

    order: str
    params: list
    offset: int
    limit: int


def window(parsed, *, by_date, number, per_page):
    """The Window of results page ``number`` (a ``?page=`` value), or None when the page cannot be
    read with the counts: a ``number`` that is not a plain page number (``last``, garbage: the
    paginator answers those), or relevance on SQLite, where bm25() can only be read in the query
    holding the FTS5 MATCH (Ranked does that).

    On PostgreSQL ranking reads every candidate's vector (the CTE's ``vector``: facets.counted with
    ``documents``), only for the briefs that pass every filter."""
    number = number or "1"
    if not number.isdecimal() or int(number) < 1:  # (isdigit() admits "²", which int() refuses)
        return None
    offset = (int(number) - 1) * per_page
    if by_date or not parsed.clauses:
        return Window("published_at DESC, id DESC", [], offset, per_page)
    if not is_postgresql():
        return None
    sql, params = _compiled(_ts_query(parsed))
    return Window(f"ts_rank(vector, {sql}) DESC, published_at DESC, id DESC", params, offset, per_page)


def _compiled(expression):
    """SQL and parameters of an expression that refers to no table (a tsquery)."""
    query = BriefDocument.objects.all().query
    compiler = query.get_compiler(connection=connection)
    return compiler.compile(expression.resolve_expression(query))


def ranked(queryset, parsed, *, by_date):
    """Matching briefs in result order: relevance first (newest first among equals), or by date."""
    if by_date or not parsed.clauses:
        return queryset.order_by("-published_at", "-pk")
    return Ranked(queryset.order_by("-published_at", "-pk"), parsed)


class Ranked:
    """The matches in relevance order: ``ids(page)`` are a slice's brief ids in rank order.

    On PostgreSQL a page is read with the counts (Window); this ranks only for a page asked for
    otherwise (``?page=last``).
    SQLite: bm25() can only be read in the query that holds the FTS5 MATCH. Joined to briefs in one
    ORM query, SQLite's planner walks the live briefs and runs the full-text query once per brief
    (1 s at 10,000 briefs); a MATERIALIZED CTE makes it run the full-text query once, then join.
    """

    def __init__(self, queryset, parsed):
        self.queryset, self.parsed = queryset, parsed

    def count(self):
        return self.queryset.count()

    def ids(self, page):
        return self._ranked_ids(page) if is_postgresql() else self._bm25_ids(page)

    def _ranked_ids(self, page):
        rank = SearchRank(F("search_document__vector"), _ts_query(self.parsed))
        ordered = self.queryset.annotate(rank=rank).order_by("-rank", "-published_at", "-pk")
        return list(ordered.values_list("pk", flat=True)[page])

    def _bm25_ids(self, page):
        inner, params = self.queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matched AS MATERIALIZED (SELECT rowid AS id, {BM25} AS rank FROM search_fts "
                "WHERE search_fts MATCH %s) "
                "SELECT b.id FROM matched JOIN briefs_brief b ON b.id = matched.id "
                f"WHERE b.id IN ({inner}) ORDER BY matched.rank, b.published_at DESC, b.id DESC LIMIT %s OFFSET %s",
                [self.parsed.fts5_wanted(), *params, page.stop - page.start, page.start],
            )
            return [row[0] for row in cursor.fetchall()]


class Paged:
    """The results for the paginator (``count()`` and slices), a slice as the keys of its briefs
    (``KeyedItems``): their cards are kept fragments, so a brief is read only when its card is
    missing, by ``load(keys)``. ``results`` is a queryset in result order or a Ranked; the keys of
    the Window's page, if any, are ``ids`` (read with the counts)."""

    def __init__(self, results, load, window=None, ids=None):
        self.results, self.load, self.window, self.ids = results, load, window, ids

    def count(self):
        return self.results.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        window = self.window
        if window is not None and page.start == window.offset and page.stop <= window.offset + window.limit:
            keys = self.ids[: page.stop - page.start]
        elif isinstance(self.results, Ranked):
            keys = self.results.ids(page)
        else:
            keys = list(self.results.values_list("pk", flat=True)[page])
        return KeyedItems(keys, self.load)


def marked(text):
    """An excerpt with the database's match marks as <mark> elements, everything else escaped."""
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    if html.count("<mark>") != html.count("</mark>"):  # a cut through a mark: drop them all
        html = html.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(html)


def excerpts(brief_ids, parsed):
    """{brief id: highlighted excerpt} for the briefs on one results page (one query)."""
    if not brief_ids or not parsed.clauses:
        return {}
    if is_postgresql():
        text = Concat("summary", Value(" "), "quotes", Value(" "), "body", output_field=TextField())
        headline = SearchHeadline(
            text,
            _ts_query(parsed),
            config=EXCERPT_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_fragments=2,
            min_words=12,
            max_words=EXCERPT_WORDS,
            fragment_delimiter=" … ",
        )
        rows = BriefDocument.objects.filter(pk__in=brief_ids).annotate(excerpt=headline).values_list("pk", "excerpt")
    else:
        # Excerpts come from the text columns, not the title (shown anyway) or the names.
        expression = "{summary quotes body} : (" + parsed.fts5_wanted() + ")"
        placeholders = ", ".join(["%s"] * len(brief_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet(search_fts, -1, %s, %s, '…', {EXCERPT_WORDS}) FROM search_fts "
                f"WHERE search_fts MATCH %s AND rowid IN ({placeholders})",
                [MARK_START, MARK_END, expression, *brief_ids],
            )
            rows = cursor.fetchall()
    return {pk: marked(text) for pk, text in rows if text and MARK_START in text}
