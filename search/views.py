from django.views.generic import TemplateView

from . import results
from .log import record_search


class SearchView(TemplateView):
    """/search/: full-text search over live briefs with facets (never cached whole: queries vary)."""

    template_name = "search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**results.run(self.request), **kwargs)
        if context["query"] and context["page_obj"].number == 1:  # later pages are the same search
            record_search(query=context["query"], found=context["found"])
        return context


class ArchiveView(TemplateView):
    """/briefs/: every live brief, newest first, with the search's filters and facets (no ``q``)."""

    template_name = "briefs/brief_list.html"

    def get_context_data(self, **kwargs):
        context = results.run(self.request, with_text=False)
        return super().get_context_data(object_list=context["results"], **context, **kwargs)
