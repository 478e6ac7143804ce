from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from briefs.models import Brief

from .models import Expert


class ExpertListView(ListView):
    template_name = "experts/expert_list.html"

    def get_queryset(self):
        return Expert.objects.active()


class ExpertDetailView(ListView):
    template_name = "experts/expert_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.expert = get_object_or_404(Expert, slug=self.kwargs["slug"])
        return (
            Brief.objects.live().filter(Q(authors=self.expert) | Q(quotes__expert=self.expert)).distinct().with_cards()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(expert=self.expert, **kwargs)
