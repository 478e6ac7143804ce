"""Briefs in lists (cards on listing pages and the home page, an expert's quotations) rendered as
fragments (pagecache/fragments.py): each brief's card once per change of what it shows.

A listing page knows its briefs' keys without reading them (pagination.py remembers them), so when
every card is kept, an uncached page of 20 briefs reads none of them: only the briefs whose card
is missing or out of date are read, by their keys.
"""

from collections.abc import Sequence

from django.template.loader import get_template
from django.utils.safestring import SafeString

from .pagecache import fragments
from .pagecache import tags as page_tags

CARD = "includes/brief_card.html"


class KeyedBriefs(Sequence):
    """A listing page's briefs as their keys, in order; ``load(keys)`` reads briefs (live ones
    only). Cards come from fragments; the briefs themselves are read only when iterated."""

    def __init__(self, keys, load, *, tags=()):
        self.keys, self.load = list(keys), load
        self._briefs = None
        self.fragments = []  # the cards shown, for the page's tags
        self.listing_tags = frozenset(tags)  # what the keys were drawn from, for the page's tags

    def __len__(self):
        return len(self.keys)

    def __getitem__(self, index):
        if self._briefs is None:
            self._briefs = self.load(self.keys)
        return self._briefs[index]

    @property
    def page_tags(self):
        tags = {*self.listing_tags, *(tag for fragment in self.fragments for tag in fragment.page_tags)}
        if self._briefs is not None:  # iterated: the briefs read show too
            tags |= page_tags.shown(self._briefs)
        return tags


def render(briefs, template=CARD, *, tags=(), **params):
    """``briefs`` each rendered by ``template`` (with ``brief`` and ``params``), joined, from kept
    fragments where they are current. ``briefs`` is a list of briefs, or a ``KeyedBriefs``, of
    which only those without a current fragment are read. ``tags``: what else the cards show, that
    an edit of the brief itself does not move (an expert's quotations: their listing's tag)."""
    keyed = isinstance(briefs, KeyedBriefs)
    if not keyed:
        briefs = list(briefs)
    keys = briefs.keys if keyed else [brief.pk for brief in briefs]
    variant = ",".join(f"{name}={value}" for name, value in sorted(params.items()))
    names = {pk: f"{template}:{variant}:{pk}" for pk in keys}

    def render_missing(missing):
        missing = set(missing)
        wanted = {pk for pk, name in names.items() if name in missing}
        source = briefs.load([pk for pk in keys if pk in wanted]) if keyed else [b for b in briefs if b.pk in wanted]
        card = get_template(template)
        rendered = {}
        for brief in source:
            shown = page_tags.shown(brief) | set(tags)
            rendered[names[brief.pk]] = (str(card.render({"brief": brief, **params})), shown)
        return rendered

    found = fragments.kept(list(dict.fromkeys(names.values())), render_missing)
    shown = [found[names[pk]] for pk in keys if names[pk] in found]
    if keyed:
        briefs.fragments = shown
    return SafeString("".join(fragment.value for fragment in shown))  # each came out of a template
