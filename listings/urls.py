from django.urls import path

from core.sitemaps import index, section_file
from serving import cache_page
from serving.tags import ANY, every

from .sitemaps import SECTIONS

# The sitemap files list every live brief, issue, expert and type; the index counts them (pages).
SITEMAP_SHOWS = {every("brief"), every("issue"), every("expert"), every("type")}
# The index's lastmod for briefs is their latest correction, and a correction moves no listing
# (only the brief's own tags): the index, a few aggregate queries, is dropped on any public edit.
SITEMAP_INDEX_SHOWS = {*SITEMAP_SHOWS, ANY}
# A file names 2,000 briefs: checking each one's version made a hit cost 1.4 ms (a page's: 0.3 ms).
# It follows every public edit instead (crawlers read sitemaps seldom; a miss is one file).
SITEMAP_FILE_SHOWS = SITEMAP_INDEX_SHOWS

app_name = "listings"
urlpatterns = [
    path(
        "sitemap.xml",
        cache_page(index, shows=SITEMAP_INDEX_SHOWS),
        {"sitemaps": SECTIONS, "section_url": "listings:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(section_file, params={"p"}, shows=SITEMAP_FILE_SHOWS, per_object=False),
        {"sitemaps": SECTIONS},
        name="sitemap_section",
    ),
]
