import functools

from django.views.generic import TemplateView

from . import results
from .log import record_search


class SearchView(TemplateView):
    """/search/: full-text search over live briefs with facets (never cached whole: queries vary)."""

    template_name = "search/search.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        response = self.render_to_response(context)
        if context["query"] and context["page_obj"].number == 1:  # later pages are the same search
            # Recorded when the response is closed, after the server has sent it: the reader never
            # waits for the log (on SQLite its commit is a disk flush).
            record = functools.partial(record_search, query=context["query"], found=context["found"])
            close = response.close

            def close_and_record():
                try:
                    close()
                finally:
                    record()

            response.close = close_and_record
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(**results.run(self.request), **kwargs)


class ArchiveView(TemplateView):
    """/briefs/: every live brief, newest first, with the search's filters and facets (no ``q``)."""

    template_name = "briefs/brief_list.html"

    def get_context_data(self, **kwargs):
        context = results.run(self.request, with_text=False)
        return super().get_context_data(object_list=context["results"], **context, **kwargs)
