"""Items in lists (cards on listing pages and the home page, an expert's quotations) rendered as
fragments (serving/fragments.py): each item's card once per change of what it shows.

A listing page knows its items' keys without reading them (pagination.py remembers them), so when
every card is kept, an uncached page of 20 items reads none of them: only the items whose card
is missing or out of date are read, by their keys.

A card shows what its batch query loaded (serving collects it: the item, its type, its authors...),
what its own render loads, and what the caller says it shows besides (``tags``, ``tags_of``).
"""

from collections.abc import Sequence

from django.template.loader import get_template
from django.utils.safestring import SafeString

from serving import depends_on_all, fragments
from serving import tags as t
from serving.collect import collecting

CARD = "includes/brief_card.html"


class KeyedItems(Sequence):
    """A listing page's items as their keys, in order; ``load(keys)`` reads items (live ones
    only). Cards come from fragments; the items themselves are read only when iterated. ``tags``:
    what the keys were drawn from (a page showing them depends on it)."""

    def __init__(self, keys, load, *, tags=()):
        self.keys, self.load = list(keys), load
        self.items = None
        depends_on_all(tags)

    def __len__(self):
        return len(self.keys)

    def __getitem__(self, index):
        if self.items is None:
            self.items = self.load(self.keys)
        return self.items[index]


def render(items, template=CARD, *, tags=(), tags_of=None, context_name="brief", **params):
    """``items`` each rendered by ``template`` (with the item as ``context_name`` and ``params``),
    joined, from kept fragments where they are current. ``items`` is a ``KeyedItems``, of which only
    those without a current fragment are read, or a list of items (rendered, not kept). ``tags``:
    what else every card shows that an edit of the item itself does not move (an expert's quotations:
    their listing's tag); ``tags_of(item)``: what one card shows that its query did not load (search
    results' issues, attached from remembered ones)."""
    if not isinstance(items, KeyedItems):
        # Items already read (a preview's, a plain list): their cards are rendered, not kept, as
        # what the query that read them loaded cannot be told apart per card.
        card = get_template(template)
        return SafeString("".join(str(card.render({context_name: item, **params})) for item in items))
    keys = items.keys
    variant = ",".join(f"{name}={value}" for name, value in sorted(params.items()))
    names = {pk: f"{template}:{variant}:{pk}" for pk in keys}

    def render_missing(missing):
        missing = set(missing)
        wanted = {pk for pk, name in names.items() if name in missing}
        with collecting(private=True) as loaded:
            source = items.load([pk for pk in keys if pk in wanted])
        # What the cards' query loaded besides the items (types, authors) shows on their cards: each
        # card is kept with all of it (an edit of one card's author drops the others read with it).
        shown_with = {tag for tag in loaded if tag not in {t.of(item) for item in source}} | set(tags)
        card = get_template(template)
        rendered = {}
        for item in source:
            with collecting(private=True) as own:  # what rendering this card loads
                html = str(card.render({context_name: item, **params}))
            shown = {*shown_with, *own, t.of(item), *(tags_of(item) if tags_of else ())}
            rendered[names[item.pk]] = (html, shown)
        return rendered

    found = fragments.kept(list(dict.fromkeys(names.values())), render_missing)
    shown = [found[names[pk]] for pk in keys if names[pk] in found]
    return SafeString("".join(fragment.value for fragment in shown))  # each came out of a template
