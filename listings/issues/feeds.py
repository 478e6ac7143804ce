from django.conf import settings
from django.db.models import Q

from briefs.feeds import ObjectFeed
from briefs.models import BriefIssue
from issues.models import Issue, descendant_ids_from
from serving import tags as t


class IssueFeed(ObjectFeed):
    """Live briefs on one issue or any issue below it: ``/issues/<slug>/feed/``."""

    url_name = "issues:feed"

    def get_object(self, request, slug):
        # The whole (small) taxonomy in one query gives the issue and its descendants, so a
        # conditional request is answered in two queries (this and the feed's freshness).
        taxonomy = list(Issue.objects.only("pk", "name", "slug", "parent_id"))
        issue = next((candidate for candidate in taxonomy if candidate.slug == slug), None)
        if issue is None:
            raise Issue.DoesNotExist(slug)
        issue.feed_issue_ids = descendant_ids_from(((each.pk, each.parent_id) for each in taxonomy), issue.pk)
        return issue

    def scope_tags(self, obj):
        return {t.listing("issue", obj.pk)}

    def scope(self, obj):
        # A subquery, not a join: a brief tagged with an issue and its sub-issue appears once.
        return Q(pk__in=BriefIssue.objects.filter(tag_id__in=obj.feed_issue_ids).values("content_object_id"))

    def description(self, obj):
        return f"The latest briefs on {obj.name} and its sub-issues, published by {settings.SITE_NAME}."
