"""One search, from the request's parameters to everything the results page shows.

Used by /search/ and by /briefs/ (the same filters without ``q`` make the archive filterable).
The page runs a fixed number of queries whatever the data size: [the expert], the total, the four
facets and the page's keys (one query; SQLite ranks in one more), excerpts, [names and "did you
mean"]; the issues, types and the oldest live brief's date are remembered per change, and the
results' cards are kept fragments (their briefs, authors and issues are read only when missing).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.safestring import mark_safe

from briefs.models import Brief, BriefIssue, BriefType
from core import listed
from core.pagination import by_keys, paginate_or_404
from issues.models import Issue
from serving import remember
from serving.tags import SEARCH_FACETS, every, items

from . import engine, facets, suggest
from .forms import SORTS, SearchForm
from .query import parse

PER_PAGE = 20


@dataclass
class Option:
    label: str
    count: int
    url: str
    selected: bool = False
    depth: int = 0


@dataclass
class Facet:
    name: str
    title: str
    options: list = field(default_factory=list)
    clear_url: str = ""


def with_params(params, **changes):
    """``?`` + the current parameters with ``changes`` (None removes one), always without ``page``:
    a changed parameter keeps its place, a new one goes last. (A results page builds dozens of these
    links; copying the QueryDict for each cost more than the rest of its facets.)"""
    changes = {name.rstrip("_"): value for name, value in changes.items()}  # from_ for "from"
    pairs = []
    for name, values in params.lists():
        if name == "page":
            continue
        if name not in changes:
            pairs.extend((name, value) for value in values)
        elif changes[name] is not None:
            pairs.append((name, str(changes[name])))
    pairs.extend((name, str(value)) for name, value in changes.items() if value is not None and name not in params)
    return f"?{urlencode(pairs)}" if pairs else "?"


def issue_options(issues, counts, selected, params):
    """Issues in tree order (parents before their sub-issues) with their counts, empty ones left out."""
    children = {}
    for issue in issues:
        children.setdefault(issue.parent_id, []).append(issue)
    known = {issue.pk for issue in issues}
    options, seen = [], set()

    def walk(issue, depth):
        if issue.pk in seen:
            return
        seen.add(issue.pk)
        count = counts.get(issue.pk, 0)
        if count or issue == selected:
            is_selected = issue == selected
            url = with_params(params, issue=None if is_selected else issue.slug)
            options.append(Option(issue.name, count, url, is_selected, min(depth, 3)))
        for child in children.get(issue.pk, ()):
            walk(child, depth + 1)

    for issue in issues:
        if issue.parent_id is None or issue.parent_id not in known:
            walk(issue, 0)
    return options


# What the unfiltered archive's counts follow (briefs/urls.py ARCHIVE_SHOWS: search moves
# "search-facets" for quotes and authors).
EVERYTHING_TAGS = {every("brief"), every("issue"), every("expert"), every("type"), SEARCH_FACETS}
FILTERS = ("q", "issue", "expert", "type", "from", "to")


def unfiltered(filters):
    """Whether the page lists every live brief (the archive's first view, an empty search)."""
    return not any(filters[name] for name in FILTERS)


def build_facets(counts, filters, issues, types, params):
    selected = filters
    experts = [
        Option(
            e.name,
            n,
            with_params(params, expert=e.slug),
            selected["expert"] is not None and e.pk == selected["expert"].pk,
        )
        for e, n in counts.experts
    ]
    if selected["expert"] is not None and not any(o.selected for o in experts):
        experts.insert(0, Option(selected["expert"].name, 0, "", True))
    for option in experts:
        if option.selected:
            option.url = with_params(params, expert=None)
    kinds = [
        Option(
            t.name,
            counts.types.get(t.pk, 0),
            with_params(params, type=None if t == selected["type"] else t.slug),
            t == selected["type"],
        )
        for t in types
        if counts.types.get(t.pk) or t == selected["type"]
    ]
    year_options = []
    for year, count in counts.years:
        start, end = f"{year}-01-01", f"{year}-12-31"
        chosen = str(selected["from"] or "") == start and str(selected["to"] or "") == end
        url = with_params(params, from_=None, to=None) if chosen else with_params(params, from_=start, to=end)
        year_options.append(Option(str(year), count, url, chosen))
    return [
        Facet(
            "issue",
            "Issue",
            issue_options(issues, counts.issues, selected["issue"], params),
            with_params(params, issue=None),
        ),
        Facet("expert", "Expert", experts, with_params(params, expert=None)),
        Facet("type", "Type", kinds, with_params(params, type=None)),
        Facet("year", "Year", year_options, with_params(params, from_=None, to=None)),
    ]


def attach_issues(briefs, issues):
    """``brief.issue_list`` for each brief: its issues in the taxonomy's order, from one query of
    (brief, issue) pairs and the issues already read (cheaper than a prefetch through taggit)."""
    tagged = {}
    pairs = BriefIssue.objects.filter(content_object_id__in=[brief.pk for brief in briefs])
    for brief_id, issue_id in pairs.values_list("content_object_id", "tag_id"):
        tagged.setdefault(brief_id, set()).add(issue_id)
    for brief in briefs:
        ids = tagged.get(brief.pk, set())
        brief.issue_list = [issue for issue in issues if issue.pk in ids]
    return briefs


RESULT_CARD = "search/includes/result.html"
EXCERPT = re.compile(r"<!--excerpt (\d+)-->(.*?)<!--/excerpt-->", re.S)


def result_cards(briefs, parsed, issues):
    """The results' cards (``briefs``: KeyedItems), each kept as a fragment with its summary
    between markers, put in place of the summary by its excerpt where the search has one: the
    excerpt depends on the query, the rest of a card only on the brief. Only the briefs whose card
    is missing are read (with their issues)."""
    load = briefs.load
    briefs.load = lambda keys: attach_issues(load(keys), issues)
    excerpts = engine.excerpts(briefs.keys, parsed)

    def excerpt(match):
        found = excerpts.get(int(match.group(1)))
        return f'<p class="card-summary search-excerpt">{found}</p>' if found else match.group(2)

    cards = listed.render(briefs, RESULT_CARD, tags_of=issue_tags)
    return mark_safe(EXCERPT.sub(excerpt, cards))  # each part escaped


def issue_tags(brief):
    """A result's card also shows its issues (``issue_list``, attached from remembered issues)."""
    return items("issue", [issue.pk for issue in brief.issue_list])


def _read_taxonomy():
    return list(Issue.objects.all()), list(BriefType.objects.all())


def taxonomy():
    """The issues and the types of brief, read once per change of either."""
    return remember("search:taxonomy", {every("issue"), every("type")}, _read_taxonomy)


def run(request, *, with_text=True):
    """The context for a results page (raises Http404 for a bad ``?page=``)."""
    params = request.GET
    issues, types = taxonomy()
    form = SearchForm(params, issues=issues, types=types)
    form.is_valid()
    filters = form.filters()
    if not with_text:
        filters["q"] = ""
    parsed = parse(filters["q"])
    trees = facets.subtrees(issues)

    live = engine.matching(Brief.objects.live(), parsed)
    by_date = filters["sort"] == "date"
    if unfiltered(filters):
        # Counting every live brief on each uncached archive page would grow with the archive: the
        # counts are worked out once per change and remembered (and the pages' keys, by the paginator).
        counts = remember("facets:counts", EVERYTHING_TAGS, lambda: facets.counted(live, filters, trees, issues))
        listing, window = {"listing": "archive", "tags": EVERYTHING_TAGS}, None
    else:
        # The page's ids come with the counts where the database allows (engine.window): the briefs
        # found are then read once per search, not once for the counts and again for the page.
        window = engine.window(parsed, by_date=by_date, number=params.get("page"), per_page=PER_PAGE)
        # A search on PostgreSQL joined the documents: their facet ids and vector come with each match.
        documents = bool(parsed) and engine.is_postgresql()
        counts, listing = facets.counted(live, filters, trees, issues, window, documents=documents), {}
    found = counts.total
    shown = facets.filtered(live, filters, trees).with_cards()
    results = engine.ranked(shown, parsed, by_date=by_date)
    if not listing:  # (the archive's unfiltered pages: the paginator remembers their keys)
        cards = Brief.objects.live().with_cards()
        results = engine.Paged(results, lambda keys: by_keys(cards, keys), window, counts.page)
    page = paginate_or_404(results, params.get("page"), PER_PAGE, count=found, **listing)
    # The page's briefs as their keys: cards are kept fragments (core/listed.py), so the briefs
    # are read only for cards missing or out of date.
    page_briefs = page.object_list

    context = {
        "form": form,
        "messages_for_search": form.messages(),
        "query": filters["q"],
        "filters": filters,
        "sort": filters["sort"],
        "sort_options": [
            (label, with_params(params, sort=None if name == "relevance" else name), name == filters["sort"])
            for name, label in SORTS.items()
        ],
        "page_title": f"Search results for “{filters['q']}”" if filters["q"] else "Search",
        "page_obj": page,
        "results": page_briefs,
        # Search results' cards, with excerpts and issues (the archive shows the briefs' own cards).
        "result_cards": result_cards(page_briefs, parsed, issues) if with_text else "",
        "found": found,
        "facets": build_facets(counts, filters, issues, types, params),
        "is_filtered": any(filters[name] for name in ("issue", "expert", "type", "from", "to")),
        "clear_filters_url": with_params(QueryDict(mutable=True), q=filters["q"] or None),
    }
    if parsed:
        # An expert named exactly is among the experts of the results (names are searched).
        experts = [expert for expert, _ in counts.experts]
        context["named_issue"], context["named_expert"] = suggest.named(filters["q"], issues, experts)
        if not found:
            better = suggest.did_you_mean(filters["q"], parsed.words, issues, suggest.all_experts())
            if better and better.casefold() != filters["q"].casefold():
                context["did_you_mean"] = better
                context["did_you_mean_url"] = with_params(params, q=better)
    context["parsed"] = parsed
    return context
