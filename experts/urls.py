from django.urls import path

from briefs.pagecache import cache_public_page

from . import views
from .feeds import ExpertFeed

app_name = "experts"
urlpatterns = [
    path("", cache_public_page(views.ExpertListView.as_view(), shows={"experts"}), name="list"),
    path("<slug:slug>/", cache_public_page(views.ExpertDetailView.as_view(), params={"page", "quoted"}), name="detail"),
    path("<slug:slug>/feed/", ExpertFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", ExpertFeed(atom=True), name="feed_atom"),
]
