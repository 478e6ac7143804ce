from django.urls import path

from . import views

app_name = "issues"
urlpatterns = [
    path("", views.IssueListView.as_view(), name="list"),
    path("<slug:slug>/", views.IssueDetailView.as_view(), name="detail"),
]
