"""The sitemaps: an index at /sitemap.xml naming one file per section and page (live briefs with
lastmod, types, issues, experts), each at /sitemap-<section>.xml?p=N.

Both are served through the public page cache (``serving``): a scheduled brief appears,
and a withdrawn or expired one leaves, at once.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap, x_robots_tag
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse

from .models import Brief, BriefType


class SiteSitemap(Sitemap):
    """Absolute URLs on SITE_URL, like canonical links, whatever host the crawler asked."""

    # URLs per file, well under the protocol's 50,000. A miss renders a file whole and a hit checks
    # the version of every brief on it, so both cost in proportion to its size: 2,000 URLs is 315 KB
    # and ~150 ms to render at 10,000 briefs on SQLite (all 10,000 in one file: 1.6 MB, ~780 ms),
    # and 100,000 briefs are 50 files in an index of a few KB. A correction re-renders one file.
    limit = 2_000

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


class BriefSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        # Oldest first: a new publication joins the last file, so the others keep their URLs, their
        # lastmod and their cached copies (newest first would shift every brief to the next file).
        return (
            Brief.objects.live()
            .order_by("published_at", "pk")
            .only("slug", "published_at", "corrected_at", "created_at")
        )

    def lastmod(self, brief):
        # The time readers were told the brief changed, as in its JSON-LD dateModified and its
        # feed entries: a correction moves it, typo fixes and workflow saves do not (crawlers
        # distrust a lastmod that moves without a visible change).
        return brief.public_updated_at

    def get_latest_lastmod(self):
        """The latest ``public_updated_at`` of a live brief, in one query (Django's default reads every brief)."""
        return Brief.objects.live().aggregate(latest=Max(Coalesce("corrected_at", "published_at")))["latest"]


class BriefTypeSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # Only types with something to read. EXISTS, not a join with DISTINCT: the index counts
        # these on every render, and at 10,000 briefs (SQLite) the join took 35 ms, EXISTS 0.5 ms.
        return BriefType.objects.filter(Exists(Brief.objects.live().filter(type=OuterRef("pk"))))


def sitemaps():
    from experts.sitemaps import ExpertSitemap
    from issues.sitemaps import IssueSitemap

    return {"briefs": BriefSitemap, "types": BriefTypeSitemap, "issues": IssueSitemap, "experts": ExpertSitemap}


@x_robots_tag
def index(request, sitemaps):
    """The sitemap index: every page of every section, with the section's latest lastmod (if it has
    one). Django's own ``views.index`` writes the host the crawler asked for; this one writes
    SITE_URL like the files it names (the page cache keeps one copy whatever the Host header)."""
    entries = []
    for section, sitemap_class in sitemaps.items():
        site = sitemap_class()
        path = reverse("briefs:sitemap_section", kwargs={"section": section})
        location = f"{site.get_protocol()}://{site.get_domain()}{path}"
        lastmod = site.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [SitemapIndexItem(f"{location}?p={page}", lastmod) for page in site.paginator.page_range[1:]]
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


def section_file(request, sitemaps, section):
    """One file of a section: Django's view without the Last-Modified it sends, the newest lastmod
    on the file. That stays put when a brief leaves the file (withdrawn, expired, or a brief before
    it leaves and it moves up a file), so a crawler or a cache in front revalidating with
    If-Modified-Since would be told the old list is current."""
    response = sitemap(request, sitemaps, section=section)
    response.headers.pop("Last-Modified", None)
    return response
