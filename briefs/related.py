"""What a brief page shows around the brief: its related reading and the suggestions topping it up."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from core.listed import KeyedItems
from core.pagination import by_keys
from serving import remember
from serving import tags as t

from .models import CARD_SKIPS, Brief, ExpertQuote, RelatedLink

# A brief with fewer hand-picked related items than this is topped up with suggestions.
RELATED_READING_SIZE = 4


def brief_page_queryset(briefs=None):
    """Live briefs (or ``briefs``: the worker also makes scheduled ones' files) with everything their
    page shows, its stored citations included (``files``: a join), in a fixed number of queries.

    Related links to briefs are kept only when the target is live: the filter runs in the
    prefetch query (a subquery on ``live()``), so a withdrawn target never reaches the template.
    """
    # Correlated (an index lookup per link), not ``IN (every live brief)``: PostgreSQL hashed the
    # whole live set for that, 80 ms at 100,000 briefs.
    live_target = Exists(Brief.objects.live().filter(pk=OuterRef("target_brief_id")))
    return (
        (Brief.objects.live() if briefs is None else briefs)
        .select_related("type", "files")
        .prefetch_related(
            "authors",
            "issues",
            "corrections",
            Prefetch("quotes", queryset=ExpertQuote.objects.select_related("expert")),
            Prefetch(
                "related_links",
                queryset=RelatedLink.objects.filter(Q(target_brief__isnull=True) | Q(live_target))
                .select_related("target_brief__type")
                .defer(*(f"target_brief__{name}" for name in CARD_SKIPS)),
            ),
        )
    )


# Suggestions are drawn from this many newest live briefs: ranking the whole archive by shared
# issues would cost more with every brief published (and readers want the latest on an issue).
SUGGESTION_POOL = 2000


def suggested_briefs(brief, *, issue_ids, exclude_ids=(), limit=RELATED_READING_SIZE):
    """Live briefs sharing the most of ``issue_ids`` (``brief``'s issues) with ``brief``, newest
    first among equals, from the ``SUGGESTION_POOL`` newest live briefs, as their keys
    (``KeyedItems``: shown from their kept fragments, read only when those are missing).

    Which briefs is worked out once per change of the listings of the brief's issues (a brief
    joining or leaving them) and remembered (serving.remember); the page depends on those listings.
    """
    listings = t.listings("issue", issue_ids)
    if not issue_ids or limit <= 0:
        return KeyedItems([], lambda keys: [], tags=listings)
    excluded = sorted({brief.pk, *exclude_ids})

    def rank():
        live = Brief.objects.live()
        pool = live.order_by("-published_at", "-pk").values("pk")[:SUGGESTION_POOL]
        return list(
            live.filter(pk__in=pool)
            .exclude(pk__in=excluded)
            .filter(issue_links__tag_id__in=issue_ids)
            .annotate(shared_issues=Count("issue_links"))
            .order_by("-shared_issues", "-published_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        )

    key = f"suggested:{brief.pk}:{limit}:{','.join(map(str, excluded))}:{','.join(map(str, sorted(issue_ids)))}"
    # Any publication may move the pool's edge: the keys follow every one, the page its issues'.
    order = remember(key, {t.every("brief"), *listings}, rank, shows=listings)
    return KeyedItems(order, read_suggested, tags=listings)


def read_suggested(keys):
    """Suggested briefs by their keys, for the fragments missing (built only then: a page whose
    suggestions are all kept builds no queryset)."""
    return by_keys(Brief.objects.live().select_related("type").defer(*CARD_SKIPS), keys)
