from django.urls import path, register_converter

from core.converters import TwoDigitConverter
from serving import cache_page
from serving.tags import every

from . import views
from .feeds import SiteFeed, TypeFeed

register_converter(TwoDigitConverter, "dd")

# The archive at /briefs/ (``briefs:list``) is search's view with its filters and facets: search/urls.py
# has its route, which config/urls.py mounts in this namespace (briefs do not import search).
app_name = "briefs"
urlpatterns = [
    path("", cache_page(views.HomeView.as_view(), shows={every("brief"), every("issue")}), name="home"),
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
]
