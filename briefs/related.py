"""What a brief page shows around the brief: its related reading and the suggestions topping it up."""

from django.db.models import Count, Prefetch, Q

from .models import Brief, ExpertQuote, RelatedLink

# A brief with fewer hand-picked related items than this is topped up with suggestions.
RELATED_READING_SIZE = 4


def brief_page_queryset():
    """Live briefs with everything their page shows, in a fixed number of queries.

    Related links to briefs are kept only when the target is live: the filter runs in the
    prefetch query (a subquery on ``live()``), so a withdrawn target never reaches the template.
    """
    live_targets = Brief.objects.live()
    return (
        Brief.objects.live()
        .select_related("type")
        .prefetch_related(
            "authors",
            "issues",
            "corrections",
            Prefetch("quotes", queryset=ExpertQuote.objects.select_related("expert")),
            Prefetch(
                "related_links",
                queryset=RelatedLink.objects.filter(
                    Q(target_brief__isnull=True) | Q(target_brief__in=live_targets)
                ).select_related("target_brief__type"),
            ),
        )
    )


def suggested_briefs(brief, *, exclude_ids=(), limit=RELATED_READING_SIZE):
    """Live briefs sharing the most issues with ``brief``, newest first among equals.

    One query (none when the brief has no issues): filtering on the issue links before counting
    them makes the count the number of *shared* issues.
    """
    issue_ids = [issue.pk for issue in brief.issues.all()]
    if not issue_ids or limit <= 0:
        return []
    return list(
        Brief.objects.live()
        .exclude(pk__in=[brief.pk, *exclude_ids])
        .filter(issue_links__tag_id__in=issue_ids)
        .annotate(shared_issues=Count("issue_links"))
        .select_related("type")
        .order_by("-shared_issues", "-published_at", "-pk")[:limit]
    )


def suggestions_for(brief):
    """Suggestions topping the brief's related reading up to ``RELATED_READING_SIZE`` items.

    The hand-picked items come from ``brief.related_links.all()``, prefetched (and filtered to
    live targets) by ``brief_page_queryset``; the template reads them from there too, so a preview
    that fills the same prefetch cache renders the same page.
    """
    links = list(brief.related_links.all())
    linked = [link.target_brief_id for link in links if link.target_brief_id]
    return suggested_briefs(brief, exclude_ids=linked, limit=RELATED_READING_SIZE - len(links))
