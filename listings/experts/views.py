from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from briefs.models import CARD_SKIPS, Brief, ExpertQuote
from core.pagination import ListingPages, paginate_or_404
from experts.models import Expert
from serving import tags as t

from ..parts import expert_parts


class ExpertListView(ListView):
    """Active experts grouped by program; those without a program come last."""

    template_name = "experts/expert_list.html"

    def get_queryset(self):
        no_program = ExpressionWrapper(Q(program=""), output_field=BooleanField())
        return Expert.objects.active().annotate(no_program=no_program).order_by("no_program", "program", "name")


class ExpertDetailView(ListingPages, ListView):
    """A profile with two independent lists: briefs they wrote (``?page=``) and briefs quoting them
    (``?quoted=``). Inactive experts keep their profile: their old briefs still link to it."""

    template_name = "experts/expert_detail.html"
    paginate_by = 10

    def get_queryset(self):
        self.expert = get_object_or_404(Expert, slug=self.kwargs["slug"])
        return Brief.objects.live().filter(authors=self.expert).with_cards()

    def listing_key(self):
        return f"expert-wrote:{self.expert.pk}"

    def listing_tags(self):
        return {t.listing("expert", self.expert.pk)}

    def quoted_cards(self):
        """Live briefs with what a quotation card shows (their type, this expert's quotes)."""
        quotes = ExpertQuote.objects.filter(expert=self.expert)
        return (
            Brief.objects.live()
            .select_related("type")
            .defer(*CARD_SKIPS)
            .prefetch_related(Prefetch("quotes", queryset=quotes, to_attr="expert_quotes"))
        )

    def quoted_briefs(self):
        quotes = ExpertQuote.objects.filter(expert=self.expert)
        return self.quoted_cards().filter(pk__in=quotes.values("brief_id"))

    def get_context_data(self, **kwargs):
        quoted = paginate_or_404(
            self.quoted_briefs(),
            self.request.GET.get("quoted"),
            self.paginate_by,
            listing=f"expert-quoted:{self.expert.pk}",
            tags=self.listing_tags(),
            cards=self.quoted_cards(),
        )
        # A quote's edit moves the expert's listing (not the brief): their quotation cards follow it.
        return super().get_context_data(
            expert=self.expert,
            page_parts=expert_parts(self.expert, self.request),
            quoted_page=quoted,
            quoted_tags=self.listing_tags(),
            **kwargs,
        )
