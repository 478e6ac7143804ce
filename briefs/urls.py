from django.urls import path, register_converter

from . import views
from .converters import TwoDigitConverter
from .feeds import SiteFeed, TypeFeed

register_converter(TwoDigitConverter, "dd")

app_name = "briefs"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("briefs/", views.BriefListView.as_view(), name="list"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.BriefDetailView.as_view(), name="detail"),
    path("types/<slug:slug>/", views.TypeDetailView.as_view(), name="type"),
    path("feed/", SiteFeed(), name="feed"),
    path("feed/atom/", SiteFeed(atom=True), name="feed_atom"),
    path("types/<slug:slug>/feed/", TypeFeed(), name="type_feed"),
    path("types/<slug:slug>/feed/atom/", TypeFeed(atom=True), name="type_feed_atom"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap"),
]
