"""The sitemaps' generic part: a base class writing SITE_URL, the index at /sitemap.xml naming one
file per section and page, and a section's file (each at /sitemap-<section>.xml?p=N).

Which sections there are is the site's business (listings/sitemaps.py); both views are served
through the public page cache (``serving``): a scheduled item appears, and a withdrawn or expired
one leaves, at once.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap, x_robots_tag
from django.template.response import TemplateResponse
from django.urls import reverse


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


@x_robots_tag
def index(request, sitemaps, section_url):
    """The sitemap index: every page of every section, with the section's latest lastmod (if it has
    one). Django's own ``views.index`` writes the host the crawler asked for; this one writes
    SITE_URL like the files it names (the page cache keeps one copy whatever the Host header).
    ``section_url``: the name of the URL serving a section's file (``section_file``)."""
    entries = []
    for section, sitemap_class in sitemaps.items():
        site = sitemap_class()
        path = reverse(section_url, kwargs={"section": section})
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
