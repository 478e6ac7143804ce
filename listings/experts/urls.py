from django.urls import path

from serving import cache_page
from serving.tags import every

from . import views
from .feeds import ExpertFeed

app_name = "experts"
urlpatterns = [
    path("", cache_page(views.ExpertListView.as_view(), shows={every("expert")}), name="list"),
    path("<slug:slug>/", cache_page(views.ExpertDetailView.as_view(), params={"page", "quoted"}), name="detail"),
    path("<slug:slug>/feed/", ExpertFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", ExpertFeed(atom=True), name="feed_atom"),
]
