"""``reverse()`` with its answers remembered: a public page links to dozens of briefs, issues and
experts, and resolving each link again costs more than the rest of rendering it.

The answer depends only on the view name, its arguments, the URLconf and the script prefix, so
those are the key; ``clear()`` runs when tests change the URLconf.
"""

import functools

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=20_000)
def _reverse(viewname, items, urlconf, prefix):
    return reverse(viewname, kwargs=dict(items), urlconf=urlconf)


def cached_reverse(viewname, **kwargs):
    """``reverse(viewname, kwargs=kwargs)``, remembered per URLconf and script prefix."""
    return _reverse(viewname, tuple(sorted(kwargs.items())), get_urlconf(), get_script_prefix())


def clear(**kwargs):
    _reverse.cache_clear()


setting_changed.connect(clear)
