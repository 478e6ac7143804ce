from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from briefs.models import Brief

from .models import Issue


class IssueListView(ListView):
    model = Issue
    template_name = "issues/issue_list.html"


class IssueDetailView(ListView):
    template_name = "issues/issue_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.issue = get_object_or_404(Issue, slug=self.kwargs["slug"])
        ids = Issue.objects.descendant_ids(self.issue)
        return Brief.objects.live().filter(issues__in=ids).distinct().with_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(issue=self.issue, **kwargs)
