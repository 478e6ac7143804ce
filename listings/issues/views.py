from collections import defaultdict

from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from briefs.models import Brief, BriefIssue
from core.pagination import ListingPages
from experts.models import Expert
from issues.models import Issue
from serving import remember
from serving import tags as t

from ..parts import issue_parts


def live_counts(issues, children):
    """{issue pk: number of distinct live briefs of the issue and its descendants}: what its page lists.

    It reads every (issue, live brief) pair (about 0.5 s at 50,000 briefs on PostgreSQL): the
    issue index works it out once per change and remembers it (``issue_tree``).
    """
    tagged = defaultdict(set)
    pairs = Brief.objects.live().filter(issue_links__isnull=False).order_by().values_list("issue_links__tag_id", "pk")
    for issue_id, brief_id in pairs:
        tagged[issue_id].add(brief_id)
    counts = {}

    def subtree(pk, seen):
        seen.add(pk)
        briefs = set(tagged[pk])
        for child in children[pk]:
            if child not in seen:  # a cycle in bad data must not loop forever
                briefs |= subtree(child, seen)
        counts[pk] = len(briefs)
        return briefs

    for issue in issues:
        if issue.pk not in counts:
            subtree(issue.pk, set())
    return counts


def issue_tree():
    """Top-level issues in display order, each with ``subissues`` and ``live_count``."""
    issues = list(Issue.objects.all())  # already in display order (sort_order, name)
    by_pk = {issue.pk: issue for issue in issues}
    children = defaultdict(list)
    roots = []
    for issue in issues:
        issue.subissues = []
    for issue in issues:
        parent = by_pk.get(issue.parent_id)
        if parent is None:
            roots.append(issue)
        else:
            parent.subissues.append(issue)
            children[parent.pk].append(issue.pk)
    # Moved by any publication, withdrawal or schedule (``briefs``), and by a brief's issues or the
    # taxonomy changing (``issues``); bounded by the next scheduled change.
    counts = remember("issue-counts", {t.every("brief"), t.every("issue")}, lambda: live_counts(issues, children))
    for issue in issues:
        issue.live_count = counts.get(issue.pk, 0)
    return roots


class IssueListView(TemplateView):
    template_name = "issues/issue_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(issues=issue_tree(), **kwargs)


class IssueDetailView(ListingPages, ListView):
    """An issue with its live briefs and those of all its sub-issues, newest first."""

    template_name = "issues/issue_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.issue = get_object_or_404(Issue.objects.select_related("parent"), slug=self.kwargs["slug"])
        self.issue_ids = Issue.objects.descendant_ids(self.issue)
        # A subquery rather than a join: a brief tagged with two of these issues is listed once, no DISTINCT.
        tagged = BriefIssue.objects.filter(tag_id__in=self.issue_ids).values("content_object_id")
        return Brief.objects.live().filter(pk__in=tagged).with_cards()

    def listing_key(self):
        return f"issue-briefs:{self.issue.pk}"

    def listing_tags(self):
        return {t.listing("issue", self.issue.pk)}

    def get_context_data(self, **kwargs):
        subissues = self.issue.children.all()
        experts = Expert.objects.active().filter(issues__in=self.issue_ids).distinct()
        return super().get_context_data(
            issue=self.issue,
            page_parts=issue_parts(self.issue, subissues, experts, self.request),
            **kwargs,
        )
