"""Filters and facet counts. Each facet counts what the search would find with every *other* filter
kept, so picking a value never hides the alternatives; an issue counts its sub-issues' briefs.

The total and the four facets are one query: the briefs found (or the live ones) are read once into
a materialized CTE, with one column per filter saying whether the brief passes it; each count then
keeps the columns of the filters it keeps. Counting them one query each read the found briefs again
each time (at 100,000 briefs and 10,000 matches, 18 ms per read on PostgreSQL).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.utils import timezone

from briefs.models import Brief, BriefIssue, ExpertQuote
from experts.models import Expert
from issues.models import descendant_ids_from
from serving import remember
from serving.tags import every

from .forms import LATEST, day_start

FACETS = ("issue", "expert", "type", "date")
DOCUMENT_COLUMNS = ("vector", "issue_ids", "expert_ids")  # read with each match on PostgreSQL
MAX_EXPERTS = 25  # the expert facet lists the most frequent ones
MAX_YEARS = 60  # the year facet lists the newest ones


def subtrees(issues):
    """{issue pk: ids of the issue and its descendants} for the whole (small) taxonomy."""
    pairs = [(issue.pk, issue.parent_id) for issue in issues]
    return {issue.pk: descendant_ids_from(pairs, issue.pk) for issue in issues}


def conditions(filters, trees):
    """{facet: the condition its filter puts on briefs, or None when it is not set}."""
    found = dict.fromkeys(FACETS)
    if filters["issue"]:
        tagged = BriefIssue.objects.filter(tag_id__in=trees[filters["issue"].pk]).values("content_object_id")
        found["issue"] = Q(pk__in=tagged)
    if expert := filters["expert"]:
        authored = Brief.authors.through.objects.filter(expert_id=expert.pk).values("brief_id")
        quoted = ExpertQuote.objects.filter(expert_id=expert.pk).values("brief_id")
        found["expert"] = Q(pk__in=authored) | Q(pk__in=quoted)
    if filters["type"]:
        found["type"] = Q(type_id=filters["type"].pk)
    dates = Q()
    if filters["from"]:
        dates &= Q(published_at__gte=day_start(filters["from"]))
    if filters["to"] and filters["to"] < LATEST:
        dates &= Q(published_at__lt=day_start(filters["to"] + datetime.timedelta(days=1)))
    found["date"] = dates or None
    return found


def filtered(queryset, filters, trees):
    """``queryset`` narrowed by every filter in ``filters``."""
    return queryset.filter(*(condition for condition in conditions(filters, trees).values() if condition))


@dataclass
class Counts:
    total: int  # what the page lists: every filter kept
    issues: dict  # {issue pk: briefs tagged with it or any of its sub-issues}
    experts: list  # [(expert, briefs they wrote or are quoted in)], most first
    types: dict  # {type pk: briefs}
    years: list  # [(year, briefs published that year in the site's time zone)], newest first
    page: list | None = None  # with a Window: the ids of that results page, in order


def counted(queryset, filters, trees, issues, window=None, *, documents=False):
    """The total and the facets' counts over ``queryset`` (the briefs found), in one query; with an
    engine.Window, the ids of that results page too (``Counts.page``), in the same query.

    ``documents``: ``queryset`` is joined to the search documents (a search on PostgreSQL), whose
    ``issue_ids`` and ``expert_ids`` the issue and expert facets then count, rather than looking up
    each brief's issue links, authors and quotes, and whose ``vector`` a Window may rank by. The
    vector is carried as stored (a pointer to its TOAST rows): it is read only where it is ranked."""
    flags = {
        f"{facet}_ok": ExpressionWrapper(condition or Value(True), output_field=BooleanField())
        for facet, condition in conditions(filters, trees).items()
    }
    # published_at as the year it falls in, by plain comparisons from the newest year down: no
    # function per row (SQLite's time-zone conversion is a Python function).
    year = Case(
        *(When(published_at__gte=day_start(datetime.date(y, 1, 1)), then=Value(y)) for y in _years()),
        output_field=IntegerField(),
    )
    extra = {name: F(f"search_document__{name}") for name in DOCUMENT_COLUMNS} if documents else {}
    base = queryset.order_by().annotate(year=year, **flags, **extra)
    # In the order of the SQL: the model's fields, then the annotations in the order given.
    columns = ["pk", "type_id", "published_at", "year", *flags, *extra]
    inner, params = base.values_list(*columns).query.sql_with_params()
    keep = {facet: " AND ".join(f"{other}_ok" for other in FACETS if other != facet) for facet in FACETS}
    everything = " AND ".join(f"{facet}_ok" for facet in FACETS)
    branches = [
        # The first branch names the columns' types (PostgreSQL reads a bare NULL as text).
        f"SELECT 'total', CAST(NULL AS BIGINT), COUNT(*), CAST(NULL AS TEXT), CAST(NULL AS TEXT), "
        f"CAST(NULL AS BIGINT) FROM m WHERE {everything}",
        f"SELECT 'type', type_id, COUNT(*), NULL, NULL, NULL FROM m WHERE {keep['type']} GROUP BY type_id",
        f"SELECT 'year', year, COUNT(*), NULL, NULL, NULL FROM m WHERE {keep['date']} GROUP BY year",
        _experts_branch(keep["expert"], documents),
        *_issue_branches(keep["issue"], trees, documents),
    ]
    if window:  # last: its parameters follow the CTE's
        branches.append(
            f"SELECT 'page', id, NULL, NULL, NULL, place FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY "
            f"{window.order}) AS place FROM m WHERE {everything}) AS ranked WHERE place > %s AND place <= %s"
        )
        params = (*params, *window.params, window.offset, window.offset + window.limit)
    tree = ", ".join(f"({int(pk)}, {int(tag)})" for pk in sorted(trees) for tag in sorted(trees[pk]))
    sql = (
        f"WITH m(id, type_id, published_at, year, {', '.join([*flags, *extra])}) AS MATERIALIZED ({inner})"
        + (f", tree(issue_id, tag_id) AS (VALUES {tree})" if tree and not documents else "")
        + " "
        + " UNION ALL ".join(branches)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _counts(rows, issues, window)


def _years():
    """The years a brief of the site may fall in, newest first: from now's back to the oldest live
    brief's (one indexed query, remembered until a brief is published, moved or withdrawn)."""
    (oldest,) = remember(
        "search:oldest-live",
        {every("brief")},
        lambda: (Brief.objects.live().order_by("published_at").values_list("published_at", flat=True).first(),),
    )
    now = timezone.localtime().year
    return range(now, (timezone.localtime(oldest).year if oldest else now) - 1, -1)


def _experts_branch(keep, documents):
    """Briefs per expert, as author or quoted, the MAX_EXPERTS most frequent."""
    if documents:  # each expert once per document already
        pairs = f"SELECT unnest(expert_ids) AS expert_id FROM m WHERE {keep}"
    else:
        # UNION (not UNION ALL): a brief an expert wrote and is quoted in counts once.
        authors, quotes = Brief.authors.through._meta.db_table, ExpertQuote._meta.db_table
        pairs = (
            f"SELECT expert_id, brief_id FROM {authors} JOIN m ON m.id = brief_id WHERE {keep} "
            f"UNION SELECT expert_id, brief_id FROM {quotes} JOIN m ON m.id = brief_id WHERE {keep}"
        )
    # Each expert's place (most first, then by name in the database's collation) survives the
    # outer UNION ALL.
    return (
        f"SELECT * FROM (SELECT 'expert', e.id, found.n, e.name, e.slug, "
        f"ROW_NUMBER() OVER (ORDER BY found.n DESC, e.name) AS place FROM ("
        f"SELECT expert_id, COUNT(*) AS n FROM ({pairs}) AS pairs GROUP BY expert_id"
        f") AS found JOIN {Expert._meta.db_table} e ON e.id = found.expert_id "
        f"ORDER BY place LIMIT {MAX_EXPERTS}) AS top_experts"
    )


def _issue_branches(keep, trees, documents):
    """Briefs per issue, a brief tagged with an issue and its sub-issue counted once for the issue."""
    if not trees:
        return []
    if not documents:
        return [
            f"SELECT 'issue', tree.issue_id, COUNT(DISTINCT tagged.content_object_id), NULL, NULL, NULL "
            f"FROM {BriefIssue._meta.db_table} tagged JOIN m ON m.id = tagged.content_object_id "
            f"JOIN tree ON tree.tag_id = tagged.tag_id WHERE {keep} GROUP BY tree.issue_id"
        ]
    # An issue without sub-issues counts the documents naming it; an issue with sub-issues (few)
    # those naming any issue of its subtree, in one pass over the documents for all of them.
    branches = [
        f"SELECT 'issue', tag_id, COUNT(*), NULL, NULL, NULL FROM "
        f"(SELECT unnest(issue_ids) AS tag_id FROM m WHERE {keep}) AS tagged GROUP BY tag_id"
    ]
    parents = {pk: sorted(ids) for pk, ids in sorted(trees.items()) if len(ids) > 1}
    if parents:
        subtree = {pk: "ARRAY[" + ", ".join(str(int(tag)) for tag in ids) + "]" for pk, ids in parents.items()}
        counts = ", ".join(f"COUNT(*) FILTER (WHERE issue_ids && {subtree[pk]}) AS n{int(pk)}" for pk in parents)
        pairs = ", ".join(f"({int(pk)}, n{int(pk)})" for pk in parents)
        branches.append(
            f"SELECT 'subtree', tree.issue_id, tree.n, NULL, NULL, NULL FROM (SELECT {counts} FROM m WHERE {keep}) "
            f"AS found CROSS JOIN LATERAL (VALUES {pairs}) AS tree(issue_id, n)"
        )
    return branches


def _counts(rows, issues, window):
    total, found, subtrees, experts, types, years, page = 0, {}, {}, [], {}, {}, []
    for kind, key, count, name, slug, place in rows:
        if kind == "total":
            total = count
        elif kind == "issue":
            found[key] = count
        elif kind == "subtree":  # an issue with sub-issues, counted over its subtree
            subtrees[key] = count
        elif kind == "expert":
            experts.append((place, Expert(pk=key, name=name, slug=slug), count))
        elif kind == "type":
            types[key] = count
        elif kind == "page":
            page.append((place, key))
        else:
            years[key] = count
    newest = max(years, default=0)
    found.update(subtrees)
    return Counts(
        total=total,
        issues={issue.pk: found.get(issue.pk, 0) for issue in issues},
        experts=[(expert, count) for _, expert, count in sorted(experts, key=lambda row: row[0])],
        types=types,
        years=[(year, years[year]) for year in sorted(years, reverse=True) if year > newest - MAX_YEARS],
        page=[pk for _, pk in sorted(page)] if window else None,
    )
