"""Briefs in lists (cards on listing pages and the home page, an expert's quotations) rendered as
fragments (serving/fragments.py): each brief's card once per change of what it shows.

A listing page knows its briefs' keys without reading them (pagination.py remembers them), so when
every card is kept, an uncached page of 20 briefs reads none of them: only the briefs whose card
is missing or out of date are read, by their keys.
"""

from collections.abc import Sequence

from django.template.loader import get_template
from django.utils.safestring import SafeString

from serving import depends_on_all, fragments
from serving import tags as t
from serving.collect import collecting

from .dependencies import card_tags

CARD = "includes/brief_card.html"


class KeyedBriefs(Sequence):
    """A listing page's briefs as their keys, in order; ``load(keys)`` reads briefs (live ones
    only). Cards come from fragments; the briefs themselves are read only when iterated. ``tags``:
    what the keys were drawn from (a page showing them depends on it)."""

    def __init__(self, keys, load, *, tags=()):
        self.keys, self.load = list(keys), load
        self.briefs = None
        depends_on_all(tags)

    def __len__(self):
        return len(self.keys)

    def __getitem__(self, index):
        if self.briefs is None:
            self.briefs = self.load(self.keys)
        return self.briefs[index]


def render(briefs, template=CARD, *, tags=(), **params):
    """``briefs`` each rendered by ``template`` (with ``brief`` and ``params``), joined, from kept
    fragments where they are current. ``briefs`` is a ``KeyedBriefs``, of which only those without
    a current fragment are read, or a list of briefs (rendered, not kept). ``tags``: what else the cards show, that
    an edit of the brief itself does not move (an expert's quotations: their listing's tag)."""
    if not isinstance(briefs, KeyedBriefs):
        # Briefs already read (a preview's, a plain list): their cards are rendered, not kept, as
        # what the query that read them loaded cannot be told apart per card.
        card = get_template(template)
        return SafeString("".join(str(card.render({"brief": brief, **params})) for brief in briefs))
    keys = briefs.keys
    variant = ",".join(f"{name}={value}" for name, value in sorted(params.items()))
    names = {pk: f"{template}:{variant}:{pk}" for pk in keys}

    def render_missing(missing):
        missing = set(missing)
        wanted = {pk for pk, name in names.items() if name in missing}
        with collecting(private=True) as loaded:
            source = briefs.load([pk for pk in keys if pk in wanted])
        # What the cards' query loaded besides the briefs (types, authors) shows on their cards: each
        # card is kept with all of it (an edit of one card's author drops the others read with it).
        shown_with = {tag for tag in loaded if tag not in {t.of(brief) for brief in source}} | set(tags)
        card = get_template(template)
        rendered = {}
        for brief in source:
            shown = {*shown_with, *card_tags(brief)}
            rendered[names[brief.pk]] = (str(card.render({"brief": brief, **params})), shown)
        return rendered

    found = fragments.kept(list(dict.fromkeys(names.values())), render_missing)
    shown = [found[names[pk]] for pk in keys if names[pk] in found]
    return SafeString("".join(fragment.value for fragment in shown))  # each came out of a template
