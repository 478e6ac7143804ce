from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.utils.functional import cached_property

from . import pagecache


class ListingPaginator(Paginator):
    """A paginator whose count of a listing (``listing``: a name, ``tags``: what moves it) is worked
    out once per change and remembered (pagecache.remember): counting every live brief of an issue
    on every uncached page would grow with the archive."""

    def __init__(self, object_list, per_page, *, listing, tags, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.listing, self.tags = listing, tags

    @cached_property
    def count(self):
        return pagecache.remember(f"count:{self.listing}", self.tags, lambda: Paginator.count.func(self))


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


def paginate_or_404(queryset, number, per_page, *, listing=None, tags=()):
    """One page of ``queryset`` for a ``?param=`` value, read as ListView reads ``?page=``: a
    missing value is page 1, ``last`` is the last page, and a value that is not a number or is
    past the end is a 404, never a 500."""
    if listing is None:
        paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    else:
        paginator = ListingPaginator(queryset, per_page, allow_empty_first_page=True, listing=listing, tags=tags)
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from None
