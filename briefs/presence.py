"""Who has a brief's change page open: kept in Django's cache (shared by every app server when
Redis is configured), keyed by brief, one entry per user, forgotten after PRESENCE_SECONDS.

An open change page beats every HEARTBEAT_SECONDS (static/briefs/admin/presence.js) and says
goodbye when it is closed or left; a page that stops beating (a crashed browser) is forgotten
within a minute."""

import datetime

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_SECONDS = 20
PRESENCE_SECONDS = 60


def _key(brief_pk):
    return f"briefs:editing:{brief_pk}"


def _fresh(entries, now):
    cutoff = (now - datetime.timedelta(seconds=PRESENCE_SECONDS)).timestamp()
    return {uid: entry for uid, entry in entries.items() if entry["at"] >= cutoff}


def mark_editing(*, brief_pk, user):
    """Note that ``user`` has the brief open now (on opening the page and on each heartbeat)."""
    now = timezone.now()
    entries = _fresh(cache.get(_key(brief_pk), {}), now)
    entries[str(user.pk)] = {"name": user.get_full_name() or user.get_username(), "at": now.timestamp()}
    cache.set(_key(brief_pk), entries, PRESENCE_SECONDS)


def stop_editing(*, brief_pk, user):
    """Forget ``user`` (after they saved and left the page)."""
    entries = cache.get(_key(brief_pk), {})
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(brief_pk), entries, PRESENCE_SECONDS)


def other_editors(*, brief_pk, user):
    """[(name, since datetime)] of other users who had the brief open in the last minutes."""
    now = timezone.now()
    entries = _fresh(cache.get(_key(brief_pk), {}), now)
    return [
        (entry["name"], datetime.datetime.fromtimestamp(entry["at"], tz=datetime.UTC))
        for uid, entry in sorted(entries.items(), key=lambda item: item[1]["at"])
        if uid != str(user.pk)
    ]
