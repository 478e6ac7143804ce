from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from . import pagecache
from .listed import KeyedBriefs


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

    def page(self, number):
        """The page, its briefs found by the keys remembered for it: finding the newest N of a
        listing walks the archive by date until N match, which for a rare expert or issue is most
        of it; reading N briefs by their keys is not."""
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

        found = pagecache.remember(f"page:{self.listing}:{self.per_page}:{number}", self.tags, keys)
        # The briefs are read when iterated; cards of them (listed.render) need only their keys.
        return self._get_page(KeyedBriefs(found, lambda keys: by_keys(listing, keys)), number, self)


def by_keys(listing, keys):
    """The live briefs of ``listing`` with these keys, in that order, read by their keys alone,
    with the listing's related objects, prefetching and deferred fields. The listing's own filters
    and order are left out (the keys came from it, in its order): given either, SQLite walks the
    briefs by date again rather than reading a few by their keys."""
    shown = listing.model.objects.live().filter(pk__in=keys).order_by()
    shown.query.select_related = listing.query.select_related
    shown.query.deferred_loading = listing.query.deferred_loading
    shown._prefetch_related_lookups = listing._prefetch_related_lookups
    found = {brief.pk: brief for brief in shown}
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


def paginate_or_404(queryset, number, per_page, *, listing=None, tags=(), count=None):
    """One page of ``queryset`` for a ``?param=`` value, read as ListView reads ``?page=``: a
    missing value is page 1, ``last`` is the last page, and a value that is not a number or is
    past the end is a 404, never a 500. ``count``, when the caller knows it, saves counting again."""
    if listing is None:
        paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    else:
        paginator = ListingPaginator(queryset, per_page, allow_empty_first_page=True, listing=listing, tags=tags)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not worked out
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from None
