"""The parts of a brief's page and of the home page, kept as fragments (core/parts.py)."""

from core.parts import kept_parts
from core.templatetags.dossier import brief_json_ld_data, json_ld_payload
from issues.models import Issue
from serving import tags as t

from .related import brief_page_queryset

BRIEF_PARTS = [f"briefs/parts/{name}.html" for name in ("head", "feeds", "article", "related_links", "end")]


def brief_parts(brief, request):
    """The parts of live ``brief``'s page (its row, read without its relations), with what its
    suggestions are worked out from (its issues, its related links) and its JSON-LD data."""

    def context():
        full = brief_page_queryset().get(pk=brief.pk)
        return {"brief": full, "object": full}

    def data(values):
        full = values["brief"]
        links = list(full.related_links.all())
        return {
            "issue_ids": [issue.pk for issue in full.issues.all()],
            "linked_ids": [link.target_brief_id for link in links if link.target_brief_id],
            "link_count": len(links),
            "json_ld": json_ld_payload(brief_json_ld_data(full)),
        }

    return kept_parts(
        f"brief-parts:{brief.pk}", BRIEF_PARTS, context, request, tags={t.body("brief", brief.pk)}, data=data
    )


def home_parts(request):
    """The home page's featured issues (any issue's edit moves ``issues``: featuring one, its name,
    description or picture)."""

    def context():
        return {"featured_issues": list(Issue.objects.filter(featured=True))}

    return kept_parts("home", ["briefs/parts/featured_issues.html"], context, request, tags={t.every("issue")})
