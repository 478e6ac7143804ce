from django.urls import path

from . import views
from .feeds import IssueFeed

app_name = "issues"
urlpatterns = [
    path("", views.IssueListView.as_view(), name="list"),
    path("<slug:slug>/", views.IssueDetailView.as_view(), name="detail"),
    path("<slug:slug>/feed/", IssueFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", IssueFeed(atom=True), name="feed_atom"),
]
