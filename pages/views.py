from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from .models import Page


class PageView(DetailView):
    """/about/, /contact/, /privacy/: the page with that slug (a 404 until an editor creates it)."""

    template_name = "pages/page_detail.html"
    context_object_name = "page"

    def get_object(self, queryset=None):
        return get_object_or_404(Page, slug=self.kwargs["slug"])
