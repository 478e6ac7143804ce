from django.urls import path, register_converter

from serving import cache_page
from serving.tags import every

from . import views
from .feeds import IssueFeed


class UnicodeSlugConverter:
    """Issue slugs may be Unicode (django-taggit slugifies "Türkiye" to "türkiye"): accept and build them."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "issues"
urlpatterns = [
    path("", cache_page(views.IssueListView.as_view(), shows={every("brief"), every("issue")}), name="list"),
    path("<uslug:slug>/", cache_page(views.IssueDetailView.as_view(), params={"page"}), name="detail"),
    path("<uslug:slug>/feed/", IssueFeed(), name="feed"),
    path("<uslug:slug>/feed/atom/", IssueFeed(atom=True), name="feed_atom"),
]
