"""One clear state per brief, for the change page's state line, the change list's badges and the desk.

The stored status says where a brief is in the workflow; what an editor needs to know is what
readers see now: a published brief may be scheduled, live, live with pending changes or expired.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html

from ..models import Brief

LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "scheduled": "Scheduled",
    "live": "Live",
    "pending": "Live with pending changes",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class State:
    key: str
    label: str
    at: object = None  # the time that goes with it: when a scheduled brief goes out, when one expired

    @property
    def is_live(self):
        return self.key in ("live", "pending")

    def badge(self, *, short=False):
        """The state as a badge; ``short``: without its time (a list shows the time in its own column)."""
        return format_html(
            '<span class="state-badge state-{}">{}</span>', self.key, LABELS[self.key] if short else self.label
        )


def brief_state(brief, *, has_pending, now=None):
    """The State of ``brief``; ``has_pending``: whether it has a pending revision (the caller knows how
    to find that cheaply: one query on a change page, an annotation in a list)."""
    now = now or timezone.now()
    if brief.status != Brief.Status.PUBLISHED:
        return State(brief.status, LABELS[brief.status])
    if brief.published_at is None or brief.published_at > now:
        when = timezone.localtime(brief.published_at) if brief.published_at else None
        label = f"Scheduled for {when:%Y-%m-%d %H:%M %Z}" if when else LABELS["scheduled"]
        return State("scheduled", label, brief.published_at)
    if brief.expires_at is not None and brief.expires_at <= now:
        return State("expired", LABELS["expired"], brief.expires_at)
    key = "pending" if has_pending else "live"
    return State(key, LABELS[key], brief.published_at)
