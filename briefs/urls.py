from django.urls import path, register_converter

from core.converters import TwoDigitConverter
from core.sitemaps import index, section_file
from search.views import ArchiveView
from serving import cache_page
from serving.tags import ANY, SEARCH_FACETS, every

from . import views
from .feeds import SiteFeed, TypeFeed
from .sitemaps import sitemaps

register_converter(TwoDigitConverter, "dd")

# The sitemap files list every live brief, issue, expert and type; the index counts them (pages).
SITEMAP_SHOWS = {every("brief"), every("issue"), every("expert"), every("type")}
# The index's lastmod for briefs is their latest correction, and a correction moves no listing
# (only the brief's own tags): the index, a few aggregate queries, is dropped on any public edit.
SITEMAP_INDEX_SHOWS = {*SITEMAP_SHOWS, ANY}
# A file names 2,000 briefs: checking each one's version made a hit cost 1.4 ms (a page's: 0.3 ms).
# It follows every public edit instead (crawlers read sitemaps seldom; a miss is one file).
SITEMAP_FILE_SHOWS = SITEMAP_INDEX_SHOWS
# The archive's facet counts (#12) also follow quotes and authors: search moves SEARCH_FACETS for those.
ARCHIVE_SHOWS = {*SITEMAP_SHOWS, SEARCH_FACETS}

app_name = "briefs"
urlpatterns = [
    path("", cache_page(views.HomeView.as_view(), shows={every("brief"), every("issue")}), name="home"),
    # The archive with the search's filters and facets (#12): its counts name issues, experts and types.
    path("briefs/", cache_page(ArchiveView.as_view(), params={"page"}, shows=ARCHIVE_SHOWS), name="list"),
    path(
        "briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/",
        cache_page(views.BriefDetailView.as_view()),
        name="detail",
    ),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/pdf/", views.brief_pdf, name="pdf"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/card.png", views.brief_card, name="card"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/cite.bib", views.cite_bibtex, name="cite_bib"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/cite.ris", views.cite_ris, name="cite_ris"),
    path("card.png", views.site_card, name="site_card"),
    path("types/<slug:slug>/", cache_page(views.TypeDetailView.as_view(), params={"page"}), name="type"),
    path("feed/", SiteFeed(), name="feed"),
    path("feed/atom/", SiteFeed(atom=True), name="feed_atom"),
    path("types/<slug:slug>/feed/", TypeFeed(), name="type_feed"),
    path("types/<slug:slug>/feed/atom/", TypeFeed(atom=True), name="type_feed_atom"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml",
        cache_page(index, shows=SITEMAP_INDEX_SHOWS),
        {"sitemaps": sitemaps(), "section_url": "briefs:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(section_file, params={"p"}, shows=SITEMAP_FILE_SHOWS, per_object=False),
        {"sitemaps": sitemaps()},
        name="sitemap_section",
    ),
]
