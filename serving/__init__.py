"""The one cache layer (see docs/design.md, "The cache layer").

A content type uses it in three places and nowhere else:

- its app's ``ready()`` registers its models (``track``), what an edit of them moves (its
  ``dependencies.py``, with signals and its queryset) and its schedule (``register_schedule``);
- its URLconf wraps its public views in ``cache_page``;
- its data layer (querysets, paginators) may ``remember`` what it derives from many rows, and
  declares listings it reads by key (``depends_on``).

Views and templates know nothing of it. Tag names come from ``serving.tags`` only.
"""

from .collect import depends_on, depends_on_all
from .dependencies import track
from .pages import cache_page
from .schedule import register_schedule, remember, seconds_until_next_change
from .store import bump, invalidate_everything

__all__ = [
    "bump",
    "cache_page",
    "depends_on",
    "depends_on_all",
    "invalidate_everything",
    "register_schedule",
    "remember",
    "seconds_until_next_change",
    "track",
]
