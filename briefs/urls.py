from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from search.views import ArchiveView

from . import views
from .converters import TwoDigitConverter
from .feeds import SiteFeed, TypeFeed
from .pagecache import cache_public_page
from .sitemaps import sitemaps

register_converter(TwoDigitConverter, "dd")

app_name = "briefs"
urlpatterns = [
    path("", cache_public_page(views.HomeView.as_view()), name="home"),
    path("briefs/", cache_public_page(ArchiveView.as_view()), name="list"),  # filterable (#12)
    path(
        "briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/",
        cache_public_page(views.BriefDetailView.as_view()),
        name="detail",
    ),
    path("types/<slug:slug>/", cache_public_page(views.TypeDetailView.as_view()), name="type"),
    path("feed/", SiteFeed(), name="feed"),
    path("feed/atom/", SiteFeed(atom=True), name="feed_atom"),
    path("types/<slug:slug>/feed/", TypeFeed(), name="type_feed"),
    path("types/<slug:slug>/feed/atom/", TypeFeed(atom=True), name="type_feed_atom"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("sitemap.xml", cache_public_page(sitemap), {"sitemaps": sitemaps()}, name="sitemap"),
]
