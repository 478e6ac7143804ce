from django.urls import path

from config.urls import urlpatterns as site
from serving import cache_page

from . import views

urlpatterns = [
    path("notes/", cache_page(views.NoteListView.as_view()), name="notes"),
    path("notes/<slug:slug>/", cache_page(views.NoteDetailView.as_view()), name="note"),
    *site,
]
