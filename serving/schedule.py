"""Time: nothing kept outlives the next scheduled change, and values worked out once per change.

A content type that publishes on a schedule registers when its next change is due
(``register_schedule``: the next publication or expiry after a moment). A page rendered at ``now``
is kept until the earliest such change (at most ``PUBLIC_PAGE_CACHE_SECONDS``), and every read checks
that due time against the clock: a brief due at 21:24:00 is on the pages at 21:24:00.

``remember()`` keeps what an uncached page derives from many rows (a listing's count, the keys of
its page, a brief's suggestions) the same way, once per change of what it was derived from.
"""

from django.conf import settings
from django.utils import timezone

from . import collect, store
from .tags import SITE

_schedules = []  # (name, next_change(now) -> datetime | None, tags moved when that schedule changes)


def register_schedule(name, next_change, tags):
    """``next_change(now)``: the next scheduled change after ``now`` (``None``: none); ``tags``: what
    an edit of that schedule moves (a new publication time moves the listing of every brief)."""
    if all(known != name for known, _function, _tags in _schedules):
        _schedules.append((name, next_change, frozenset(tags)))


def next_change_timestamp(now):
    """The earliest scheduled change after ``now`` as a timestamp (``None`` if none), each schedule's
    remembered until it is due or its tags move, so an uncached page does not scan for it again."""
    moments = []
    for name, next_change, tags in _schedules:
        moment = remember(
            f"next-change:{name}",
            tags,
            lambda f=next_change: _timestamp(f(now)),
            now=now,
            until=lambda moment: moment,
            shows=(),  # a page is kept until the change is due, not dropped when the schedule moves
        )
        if moment is not None:
            moments.append(moment)
    return min(moments) if moments else None


def _timestamp(moment):
    return moment.timestamp() if moment is not None else None


def keep_until(now):
    """The timestamp a page rendered from ``now`` may be kept until: the next scheduled change, at
    most ``settings.PUBLIC_PAGE_CACHE_SECONDS`` later."""
    due = now.timestamp() + settings.PUBLIC_PAGE_CACHE_SECONDS
    moment = next_change_timestamp(now)
    return min(due, moment) if moment is not None else due


def seconds_until_next_change(now=None):
    """Whole seconds until the next scheduled change after ``now``, at most
    ``settings.PUBLIC_PAGE_CACHE_SECONDS`` (rounded down: gone by the second the change is due)."""
    now = now or timezone.now()
    return max(0, int(keep_until(now) - now.timestamp()))


def remember(name, tags, compute, *, now=None, until=None, shows=None):
    """``compute()``, kept in the shared cache while ``tags`` (and the tags of every object it loads)
    keep their versions and until the next scheduled change (at most ``settings.REMEMBER_SECONDS``):
    worked out once per change, not once per render. Nothing is kept if an edit overlapped the
    computation. ``until(value)``, if given, is a timestamp the value itself expires at (``None``:
    no limit). A page that uses the value depends on what it was derived from, or on ``shows`` only
    when given (suggestions drawn from the newest briefs follow the listings they show, not every
    publication that moves the pool's edge).

    The value must not be ``None``; it is kept independently of the page cache (which
    ``PUBLIC_PAGE_CACHE_SECONDS=0`` turns off), since it is data, not a rendering."""
    key = f"remembered:v1:{name}"
    now = now or timezone.now()
    kept = store.get_kept(key, with_tags=True)
    if kept is not None:
        (value,), derived_from = kept
    else:
        edits_before = store.edits()
        with collect.collecting(private=True) as derived_from:
            collect.depends_on_all(tags)
            value = compute()
        due = remembered_until(now, until(value) if until is not None else next_change_timestamp(now))
        store.keep(key, (value,), due, tags={*derived_from, SITE}, edits_before=edits_before)
    collect.depends_on_all(derived_from if shows is None else shows)
    return value


def remembered_until(now, limit):
    """The timestamp data worked out at ``now`` may be kept until: ``limit`` (the next scheduled
    change; ``None``: none), at most ``settings.REMEMBER_SECONDS`` later."""
    due = now.timestamp() + settings.REMEMBER_SECONDS
    return min(due, limit) if limit is not None else due
