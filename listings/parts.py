"""The parts of an issue's and an expert's page, kept as fragments (core/parts.py)."""

from django.db.models import prefetch_related_objects

from core.parts import kept_parts
from serving import tags as t


def issue_parts(issue, subissues, experts, request):
    """An issue page's header and sidebar (sub-issues, experts: which of them is listed follows the
    issue's listing tag)."""

    def context():
        return {"issue": issue, "subissues": list(subissues), "experts": list(experts)}

    templates = ["issues/parts/header.html", "issues/parts/sidebar.html"]
    return kept_parts(f"issue-parts:{issue.pk}", templates, context, request, tags={t.listing("issue", issue.pk)})


def expert_parts(expert, request):
    """An expert page's profile: header (picture, program, title, issues), biography, follow links."""

    def context():
        prefetch_related_objects([expert], "issues")
        return {"expert": expert}

    return kept_parts(f"expert-parts:{expert.pk}", ["experts/parts/profile.html"], context, request)
