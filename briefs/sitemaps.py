"""sitemap.xml: live briefs (with lastmod), types, issues and experts.

Served through the public page cache (``briefs.pagecache``): a scheduled brief appears, and a
withdrawn or expired one leaves, at once.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from .models import Brief, BriefType


class SiteSitemap(Sitemap):
    """Absolute URLs on SITE_URL, like canonical links, whatever host the crawler asked."""

    # The protocol's maximum per file: every brief is listed in the one /sitemap.xml up to 50,000
    # (past that, ?p=2 holds the rest but nothing links it yet: a sitemap index is the next step).
    limit = 50_000

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


class BriefSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Brief.objects.live().only("slug", "published_at", "corrected_at", "created_at")

    def lastmod(self, brief):
        # The time readers were told the brief changed, as in its JSON-LD dateModified and its
        # feed entries: a correction moves it, typo fixes and workflow saves do not (crawlers
        # distrust a lastmod that moves without a visible change).
        return brief.public_updated_at


class BriefTypeSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # Only types with something to read; the filter is a subquery on live().
        return BriefType.objects.filter(briefs__in=Brief.objects.live()).distinct()


def sitemaps():
    from experts.sitemaps import ExpertSitemap
    from issues.sitemaps import IssueSitemap

    return {"briefs": BriefSitemap, "types": BriefTypeSitemap, "issues": IssueSitemap, "experts": ExpertSitemap}
