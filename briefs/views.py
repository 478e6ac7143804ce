from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView, TemplateView

from issues.models import Issue

from .models import Brief, BriefType


class HomeView(TemplateView):
    template_name = "briefs/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = Brief.objects.live().with_cards()[:10]
        context["featured_issues"] = Issue.objects.filter(featured=True)
        return context


class BriefListView(ListView):
    template_name = "briefs/brief_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Brief.objects.live().with_cards()


class TypeDetailView(BriefListView):
    template_name = "briefs/brieftype_detail.html"

    def get_queryset(self):
        self.brief_type = get_object_or_404(BriefType, slug=self.kwargs["slug"])
        return super().get_queryset().filter(type=self.brief_type)

    def get_context_data(self, **kwargs):
        return super().get_context_data(brief_type=self.brief_type, **kwargs)


class BriefDetailView(DetailView):
    template_name = "briefs/brief_detail.html"

    def get_queryset(self):
        return (
            Brief.objects.live()
            .with_cards()
            .prefetch_related("quotes__expert", "related_links__target_brief", "corrections")
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))
