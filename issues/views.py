from collections import defaultdict

from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from briefs.models import Brief, BriefIssue
from experts.models import Expert

from .models import Issue


def issue_tree():
    """Top-level issues, each with ``subissues`` and ``live_count``: the distinct live briefs of the
    issue and its descendants (what its page lists). Two queries whatever the size of the tree."""
    issues = list(Issue.objects.all())
    tagged = defaultdict(set)
    pairs = Brief.objects.live().filter(issue_links__isnull=False).order_by().values_list("issue_links__tag_id", "pk")
    for issue_id, brief_id in pairs:
        tagged[issue_id].add(brief_id)
    by_pk = {issue.pk: issue for issue in issues}
    for issue in issues:
        issue.subissues = []
    roots = []
    for issue in issues:  # already in display order (sort_order, name)
        parent = by_pk.get(issue.parent_id)
        (parent.subissues if parent else roots).append(issue)

    def count(issue, seen):
        seen.add(issue.pk)
        briefs = set(tagged[issue.pk])
        for child in issue.subissues:
            if child.pk not in seen:
                briefs |= count(child, seen)
        issue.live_count = len(briefs)
        return briefs

    for root in roots:
        count(root, set())
    return roots


class IssueListView(TemplateView):
    template_name = "issues/issue_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(issues=issue_tree(), **kwargs)


class IssueDetailView(ListView):
    """An issue with its live briefs and those of all its sub-issues, newest first."""

    template_name = "issues/issue_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.issue = get_object_or_404(Issue.objects.select_related("parent"), slug=self.kwargs["slug"])
        self.issue_ids = Issue.objects.descendant_ids(self.issue)
        # A subquery rather than a join: a brief tagged with two of these issues is listed once, no DISTINCT.
        tagged = BriefIssue.objects.filter(tag_id__in=self.issue_ids).values("content_object_id")
        return Brief.objects.live().filter(pk__in=tagged).with_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            issue=self.issue,
            subissues=self.issue.children.all(),
            experts=Expert.objects.active().filter(issues__in=self.issue_ids).distinct(),
            **kwargs,
        )
