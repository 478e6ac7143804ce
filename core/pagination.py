from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from serving import remember

from .listed import KeyedItems


class ListingPaginator(Paginator):
    """A paginator whose count of a listing (``listing``: a name, ``tags``: what moves it) is worked
    out once per change and remembered (serving.remember): counting every live brief of an issue
    on every uncached page would grow with the archive. ``cards``: the queryset that reads listed
    items with what their cards show (by default the model's ``live().with_cards()``)."""

    def __init__(self, object_list, per_page, *, listing, tags, cards=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.listing, self.tags, self.cards = listing, tags, cards

    @cached_property
    def count(self):
        return remember(f"count:{self.listing}", self.tags, lambda: Paginator.count.func(self))

    def page(self, number):
        """The page, its items found by the keys remembered for it: finding the newest N of a
        listing walks the archive by date until N match, which for a rare expert or issue is most
        of it; reading N items by their keys is not."""
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listing = self.object_list

        def keys():
            return list(listing.values_list("pk", flat=True)[bottom:top])

        found = remember(f"page:{self.listing}:{self.per_page}:{number}", self.tags, keys)
        cards = self.cards if self.cards is not None else listing.model.objects.live().with_cards()
        # The items are read when iterated; cards of them (listed.render) need only their keys.
        return Page(KeyedItems(found, lambda keys: by_keys(cards, keys)), number, self)


def by_keys(cards, keys):
    """The items of ``cards`` (a queryset of live items, with what their cards show, and no
    filter of a listing) with these keys, in that order, read by their keys alone. The listing's
    own filters and order are left out (the keys came from it, in its order): given either, SQLite
    walks the briefs by date again rather than reading a few by their keys."""
    found = {item.pk: item for item in cards.filter(pk__in=keys).order_by()}
    return [found[pk] for pk in keys if pk in found]


class ListingPages:
    """For a ListView: ``listing_key()`` and ``listing_tags()`` name what its pages list."""

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return ListingPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            listing=self.listing_key(),
            tags=self.listing_tags(),
            **kwargs,
        )


def paginate_or_404(queryset, number, per_page, *, listing=None, tags=(), cards=None, count=None):
    """One page of ``queryset`` for a ``?param=`` value, read as ListView reads ``?page=``: a
    missing value is page 1, ``last`` is the last page, and a value that is not a number or is
    past the end is a 404, never a 500. ``count``, when the caller knows it, saves counting again."""
    if listing is None:
        paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    else:
        paginator = ListingPaginator(
            queryset, per_page, allow_empty_first_page=True, listing=listing, tags=tags, cards=cards
        )
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not worked out
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from None
