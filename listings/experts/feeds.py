from django.conf import settings
from django.db.models import Q

from briefs.feeds import ObjectFeed
from briefs.models import Brief, ExpertQuote
from experts.models import Expert
from serving import tags as t


class ExpertFeed(ObjectFeed):
    """Live briefs an expert wrote or is quoted in: ``/experts/<slug>/feed/``."""

    url_name = "experts:feed"

    def get_object(self, request, slug):
        # Inactive experts keep their profile and old briefs, so they keep their feed too.
        return Expert.objects.get(slug=slug)

    def scope_tags(self, obj):
        return {t.listing("expert", obj.pk)}

    def scope(self, obj):
        # Subqueries, not joins: a brief the expert wrote and is quoted in (twice) appears once.
        authored = Brief.authors.through.objects.filter(expert=obj).values("brief_id")
        quoted = ExpertQuote.objects.filter(expert=obj).values("brief_id")
        return Q(pk__in=authored) | Q(pk__in=quoted)

    def description(self, obj):
        return f"The latest briefs by or quoting {obj.name}, published by {settings.SITE_NAME}."
