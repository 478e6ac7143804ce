"""Fragments: pieces of public pages rendered once per change of what they show, and kept.

A page the page cache does not hold (its first reader, or the first after an edit dropped it) is
rendered whole, but most of it has not changed: publishing a brief drops its issue's page, yet
19 of the 20 cards on it are as they were. A fragment (a brief's card, the parts of a brief's page)
is kept in the shared cache like a page, with the tags of what it shows (found by ``tags.shown`` in
what it was rendered from) and their versions: it is used while they are unchanged and until the
next scheduled publication or expiry (at most ``settings.REMEMBER_SECONDS``), and is not kept if an
edit overlapped its rendering. A page built from fragments carries their tags (``Fragment.page_tags``,
which ``tags.shown`` reads), so the page cache drops it whenever one of them would be dropped.

Fragments are data, not pages: they stay on when the page cache is off (``PUBLIC_PAGE_CACHE_SECONDS=0``).
"""

from typing import NamedTuple

from django.utils import timezone

from . import collect
from .schedule import next_change_timestamp, remembered_until
from .store import edits, get_many_kept, keep_many
from .tags import SITE

PREFIX = "fragment:v1"


class Fragment(NamedTuple):
    """What was rendered (HTML, or what a page needs of it) and the tags of what it shows."""

    value: object
    page_tags: frozenset


def kept(names, render):
    """``{name: Fragment}`` for each of ``names``: those kept and current are read (one read of the
    cache and one of the versions for all of them); ``render(missing names)`` makes the others as
    ``{name: (value, tags)}`` (``tags``: what they show that is not loaded while rendering them),
    which are kept for the next page (one write for them all). The page being rendered depends on
    what every fragment shows."""
    keys = {name: f"{PREFIX}:{name}" for name in names}
    found = get_many_kept(list(keys.values()))
    fragments = {name: Fragment(*found[key]) for name, key in keys.items() if key in found}
    missing = [name for name in names if name not in fragments]
    if missing:
        now = timezone.now()
        edits_before = edits()  # before reading anything the fragments show
        rendered = render(missing)
        due = remembered_until(now, next_change_timestamp(now))
        for name, (value, tags) in rendered.items():
            fragments[name] = Fragment(value, frozenset({*tags, SITE} - {None}))
        keep_many(
            {keys[name]: (fragments[name].value, fragments[name].page_tags) for name in rendered},
            due,
            edits_before=edits_before,
        )
    for fragment in fragments.values():
        collect.depends_on_all(fragment.page_tags)
    return fragments


def collected(render_one):
    """``render_one()`` -> (value, tags it declares), with the tags of every object it loaded: for
    ``kept``'s ``render`` (each fragment collects on its own, so it carries only what it shows)."""
    with collect.collecting() as shown:
        value, tags = render_one()
    return value, {*shown, *tags}
