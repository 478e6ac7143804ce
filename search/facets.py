"""Filters and facet counts. Each facet counts what the search would find with every *other* filter
kept, so picking a value never hides the alternatives; an issue counts its sub-issues' briefs."""

import datetime

from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from briefs.models import Brief, BriefIssue, ExpertQuote
from experts.models import Expert
from issues.models import descendant_ids_from

from .forms import LATEST, day_start

FACETS = ("issue", "expert", "type", "date")
MAX_EXPERTS = 25  # the expert facet lists the most frequent ones


def subtrees(issues):
    """{issue pk: ids of the issue and its descendants} for the whole (small) taxonomy."""
    pairs = [(issue.pk, issue.parent_id) for issue in issues]
    return {issue.pk: descendant_ids_from(pairs, issue.pk) for issue in issues}


def filtered(queryset, filters, trees, *, skip=None):
    """``queryset`` narrowed by every filter in ``filters`` but ``skip`` (one of FACETS)."""
    if skip != "issue" and filters["issue"]:
        tagged = BriefIssue.objects.filter(tag_id__in=trees[filters["issue"].pk]).values("content_object_id")
        queryset = queryset.filter(pk__in=tagged)
    if skip != "expert" and (expert := filters["expert"]):
        authored = Brief.authors.through.objects.filter(expert_id=expert.pk).values("brief_id")
        quoted = ExpertQuote.objects.filter(expert_id=expert.pk).values("brief_id")
        queryset = queryset.filter(Q(pk__in=authored) | Q(pk__in=quoted))
    if skip != "type" and filters["type"]:
        queryset = queryset.filter(type_id=filters["type"].pk)
    if skip != "date":
        if filters["from"]:
            queryset = queryset.filter(published_at__gte=day_start(filters["from"]))
        if filters["to"] and filters["to"] < LATEST:
            queryset = queryset.filter(published_at__lt=day_start(filters["to"] + datetime.timedelta(days=1)))
    return queryset


def issue_counts(queryset, issues, trees):
    """{issue pk: matching briefs tagged with it or any of its sub-issues} (one query).

    Written as SQL: the ORM takes longer to compile one filtered count per issue than the database
    takes to run them. The ids are the taxonomy's own integers; the matching briefs are a subquery.
    """
    if not issues:
        return {}
    inner, params = queryset.order_by().values("pk").query.sql_with_params()
    columns = []
    for issue in issues:
        ids = ", ".join(str(int(pk)) for pk in sorted(trees[issue.pk]))
        case = f"CASE WHEN tag_id IN ({ids}) THEN content_object_id END"
        # A brief tagged with an issue and its sub-issue counts once for the issue.
        columns.append(f"COUNT(DISTINCT {case})" if len(trees[issue.pk]) > 1 else f"COUNT({case})")
    table = BriefIssue._meta.db_table
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE content_object_id IN ({inner})"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {issue.pk: count for issue, count in zip(issues, row, strict=True)}


def expert_counts(queryset):
    """[(expert, matching briefs they wrote or are quoted in)], most first (one query)."""
    inner, params = queryset.order_by().values("pk").query.sql_with_params()
    authors = Brief.authors.through._meta.db_table
    quotes = ExpertQuote._meta.db_table
    experts = Expert._meta.db_table
    # UNION (not UNION ALL): a brief an expert wrote and is quoted in counts once.
    sql = (
        f"SELECT e.id, e.name, e.slug, COUNT(*) AS n FROM ("
        f"SELECT expert_id, brief_id FROM {authors} WHERE brief_id IN ({inner}) "
        f"UNION SELECT expert_id, brief_id FROM {quotes} WHERE brief_id IN ({inner})"
        f") AS pairs JOIN {experts} e ON e.id = pairs.expert_id "
        f"GROUP BY e.id, e.name, e.slug ORDER BY n DESC, e.name LIMIT {MAX_EXPERTS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        return [(Expert(pk=pk, name=name, slug=slug), count) for pk, name, slug, count in cursor.fetchall()]


def type_counts(queryset):
    return dict(queryset.order_by().values("type_id").annotate(n=Count("pk")).values_list("type_id", "n"))


def year_counts(queryset, max_years=60):
    """[(year, matching briefs published that year in the site's time zone)], newest first.

    Two cheap queries (the range of dates, then one count per year as plain comparisons) rather
    than one that converts every brief's date to a year (a function call per row on SQLite).
    """
    bounds = queryset.order_by().aggregate(first=Min("published_at"), last=Max("published_at"))
    if bounds["first"] is None:
        return []
    last = timezone.localtime(bounds["last"]).year
    first = max(timezone.localtime(bounds["first"]).year, last - max_years + 1)
    counts = {
        f"y{year}": Count(
            "pk",
            filter=Q(
                published_at__gte=day_start(datetime.date(year, 1, 1)),
                published_at__lt=day_start(datetime.date(year + 1, 1, 1)),
            ),
        )
        for year in range(first, last + 1)
    }
    row = queryset.order_by().aggregate(**counts)
    return [(int(key[1:]), count) for key, count in sorted(row.items(), reverse=True) if count]
