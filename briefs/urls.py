from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter
from django.views.decorators.cache import cache_page

from . import views
from .converters import TwoDigitConverter
from .sitemaps import SITEMAP_CACHE_SECONDS, sitemaps

register_converter(TwoDigitConverter, "dd")

app_name = "briefs"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("briefs/", views.BriefListView.as_view(), name="list"),
    path("briefs/<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.BriefDetailView.as_view(), name="detail"),
    path("types/<slug:slug>/", views.TypeDetailView.as_view(), name="type"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap),
        {"sitemaps": sitemaps()},
        name="sitemap",
    ),
]
