"""Tag names: the one module that spells them (tests/test_cache_layer.py fails on a tag built elsewhere).

A cached page is kept with the tags of what it shows; an edit moves the tags of what it changed, and
every page carrying one of them is dropped (here, in Varnish, in a CDN). The names:

- ``of(instance)`` / ``item(label, pk)``: ``brief:12``, ``expert:3``: an object as a card or a name
  shows it. Every instance a page loads from the database is tagged so (collect.py), for the models
  a content type registered (``register()``).
- ``body(label, pk)``: ``brief-body:12``: what only the object's own page shows (a brief's quotes,
  related reading, corrections).
- ``listing(label, pk)``: ``listing:issue:4``: which live items a page of that issue, expert or type
  lists.
- ``every(label)``: ``briefs``, ``issues``: site-wide listings (home, archive, indexes, sitemap).
- ``SITE``: every page (moved by writes that cannot say what they changed, and after an outage);
  ``ANY``: moved by every edit (feeds, which show everything, follow it).
- Named listings a content type defines (``LEAD_PICTURES``, ``SEARCH_FACETS``) are constants here.
"""

SITE = "site"
ANY = "any"
# The home page leads with the newest live brief with a picture: adding or removing one moves this.
LEAD_PICTURES = "lead-pictures"
# Facet counts (search, the archive) also follow quotes and authors (search/index.py moves it).
SEARCH_FACETS = "search-facets"

_labels = {}  # "app_label.modelname" -> the label tags use ("briefs.brieftype" -> "type")


def register(model, label):
    """Tag instances of ``model`` as ``<label>:<pk>`` (and its listings as ``listing:<label>:<pk>``)."""
    _labels[model._meta.label_lower] = label


def label_of(model):
    """The label ``model`` was registered with, or ``None``."""
    return _labels.get(model._meta.label_lower)


def item(label, pk):
    return f"{label}:{pk}"


def of(instance):
    """``instance``'s tag, or ``None`` (an unregistered model, an unsaved instance)."""
    label = label_of(type(instance))
    return item(label, instance.pk) if label and instance.pk is not None else None


def body(label, pk):
    return f"{label}-body:{pk}"


def listing(label, pk):
    return f"listing:{label}:{pk}"


def every(label):
    return f"{label}s"


def items(label, pks):
    return {item(label, pk) for pk in pks}


def listings(label, pks):
    return {listing(label, pk) for pk in pks}


def bodies(label, pks):
    return {body(label, pk) for pk in pks}
