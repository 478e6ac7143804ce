from django.urls import path

from serving import cache_page

from . import views
from .models import Page

app_name = "pages"
urlpatterns = [
    path(f"{slug}/", cache_page(views.PageView.as_view()), {"slug": slug}, name=slug) for slug in Page.Slug.values
]
