"""The editors' desk on the admin index: what needs the signed-in user now, one click to each brief.

Each section is one query (a fixed number whatever the data), at most LIMIT briefs with a link to
the full filtered list. Editors see what awaits their review; contributors what they wait for.
"""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from .. import workflow
from ..models import Brief, Transition
from .changelist import state_q, with_pending
from .state import brief_state

LIMIT = 10
SCHEDULE_DAYS = 7
Status = Brief.Status


def _last_step(field):
    return Subquery(Transition.objects.filter(brief=OuterRef("pk")).order_by("-at", "-pk").values(field)[:1])


def _briefs(queryset, order, now):
    if "has_pending" not in queryset.query.annotations:
        queryset = with_pending(queryset)
    briefs = list(
        queryset.select_related("type", "created_by", "submitted_by")
        .annotate(last_from=_last_step("from_state"), last_comment=_last_step("comment"))
        .order_by(*order)[: LIMIT + 1]
    )
    for brief in briefs:
        brief.state = brief_state(brief, has_pending=brief.has_pending, now=now)
        brief.sent_back = brief.status == Status.DRAFT and brief.last_from == Status.IN_REVIEW
    return briefs[:LIMIT], len(briefs) > LIMIT


def sections(*, user, now=None):
    """[{key, title, help, briefs, more, more_url}] for ``user``; empty sections are kept (they say "none")."""
    if not user.has_perm("briefs.view_brief"):
        return []
    now = now or timezone.now()
    changelist = reverse("admin:briefs_brief_changelist")
    mine = Q(created_by=user) | Q(submitted_by=user)
    week_ahead = now + datetime.timedelta(days=SCHEDULE_DAYS)
    result = []

    def add(key, title, help_text, queryset, order, more_url):
        briefs, more = _briefs(queryset, order, now)
        result.append(
            {"key": key, "title": title, "help": help_text, "briefs": briefs, "more": more, "more_url": more_url}
        )

    if user.has_perm("briefs.review_brief"):
        add(
            "review",
            "Awaiting your review",
            "Submitted for review by someone else (your own submissions go to another editor).",
            Brief.objects.filter(status=Status.IN_REVIEW).exclude(submitted_by=user),
            ["updated_at", "pk"],
            f"{changelist}?state=in_review",
        )
    else:
        add(
            "submitted",
            "Your briefs in review",
            "Waiting for an editor; you can read them, not change them.",
            Brief.objects.filter(mine, status=Status.IN_REVIEW),
            ["updated_at", "pk"],
            f"{changelist}?state=in_review",
        )
    add(
        "drafts",
        "Your drafts and briefs sent back",
        "Drafts you started or submitted; a brief sent back shows the reviewer's comment.",
        Brief.objects.filter(mine, status=Status.DRAFT),
        ["-updated_at", "-pk"],
        f"{changelist}?state=draft",
    )
    add(
        "scheduled",
        f"Going out in the next {SCHEDULE_DAYS} days",
        "Scheduled: they go live at their publication time.",
        Brief.objects.filter(status=Status.PUBLISHED, published_at__gt=now, published_at__lte=week_ahead),
        ["published_at", "pk"],
        reverse("admin:briefs_brief_schedule"),
    )
    add(
        "pending",
        "Pending changes to live briefs",
        "Readers see the live version until an editor publishes the changes."
        if workflow.is_editor(user)
        else "Readers see the live version until an editor publishes them; submit yours for review.",
        with_pending(Brief.objects.all()).filter(state_q("pending", now)),
        ["updated_at", "pk"],
        f"{changelist}?state=pending",
    )
    return result
