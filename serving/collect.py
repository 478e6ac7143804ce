"""What a page depends on, found while it renders: no view or template has to say.

While a response is rendered for the page cache (``collecting()``), every instance of a registered
model that is loaded from the database adds its tag (``post_init``, public Django API: no walk over
a template context or a queryset's private caches), and whatever the data layer reads that a tag
cannot be found for (a listing's keys, a remembered count, a kept fragment) adds its own with
``depends_on()``. Collections nest: a fragment rendered inside a page collects its own tags, which
also count for the page.
"""

import contextlib
import contextvars

from django.db.models.signals import post_init

from . import tags

_current = contextvars.ContextVar("serving_dependencies", default=None)


@contextlib.contextmanager
def collecting(*, private=False):
    """Collect the tags of what is read inside the block into the set it yields (and into the
    enclosing collection's, unless ``private``: the caller decides what of it the page shows)."""
    outer = _current.get()
    found = set()
    token = _current.set(found)
    try:
        yield found
    finally:
        _current.reset(token)
        if outer is not None and not private:
            outer.update(found)


def depends_on(*names):
    """The page being rendered (if any) shows what ``names`` tag."""
    found = _current.get()
    if found is not None:
        found.update(names)


def depends_on_all(names):
    found = _current.get()
    if found is not None:
        found.update(names)


def _loaded(sender, instance, **kwargs):
    found = _current.get()
    if found is not None and instance.pk is not None:
        found.add(tags.of(instance))


def tag_loaded(model):
    """Tag every instance of ``model`` (registered in serving.tags) that a page loads."""
    post_init.connect(_loaded, sender=model, dispatch_uid=f"serving-loaded-{model._meta.label_lower}")
