from django.urls import path

from serving import cache_page
from serving.tags import SEARCH_FACETS, every

from . import views

app_name = "search"
urlpatterns = [path("", views.SearchView.as_view(), name="search")]

# The archive at /briefs/: live briefs with the search's filters and facets (#12). Its counts name
# issues, experts and types, and follow quotes and authors (search moves SEARCH_FACETS for those).
# config/urls.py mounts it in the briefs' namespace as ``briefs:list``.
ARCHIVE_SHOWS = {every("brief"), every("issue"), every("expert"), every("type"), SEARCH_FACETS}
archive = [path("briefs/", cache_page(views.ArchiveView.as_view(), params={"page"}, shows=ARCHIVE_SHOWS), name="list")]
