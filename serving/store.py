"""Kept values and the versions that say whether they are still current.

Anything kept (a page, a fragment, a remembered value) is stored in Django's default cache (shared
by every process: Redis with ``REDIS_URL``, else a folder of files on this machine) with the versions
of its tags (versions.py) and a due time. It is served only while every tag keeps its version and
its time is not up, both checked on every read against our own clock: a cache server's expiry never
decides what readers see. An edit moves its tags (``bump()``), at once and again when its transaction
commits, so a page rendered before the commit is not stored under the new versions.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import transaction
from django.utils import timezone

from . import journal, purge, versions
from .cache import on_recovery
from .tags import ANY, SITE


def _reset_store(setting, **kwargs):
    if setting == "CACHES":
        versions.reset_store()


setting_changed.connect(_reset_store)


# Edits


def bump(tags):
    """Move ``tags`` now, and again when the current transaction commits (a reader rendering a page
    before the commit would otherwise store the old content under the new versions). If the cache
    cannot take them, they are recorded with the edit and moved when it answers (journal.py)."""
    tags = {*tags, ANY}
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        journal.move(tags)  # recorded in the edit's transaction if the cache is away

        def committed():
            if not versions.store().bump(tags):
                journal.record(tags)  # the cache went away since (a second record is harmless)
            purge.send(tags)  # caches in front refetch committed data only

        transaction.on_commit(committed)
    else:
        journal.move(tags)
        purge.send(tags)


def _recovered():
    """Writes made while the cache was unreachable could not move any version: this process saw the
    outage, so everything kept before it goes, and what was recorded meanwhile is moved."""
    versions.store().bump({SITE, ANY})
    journal.check(force=True)


on_recovery(_recovered)


def current_versions():
    """The shared versions, once pending moves (journal.py) have been looked for."""
    journal.check()
    return versions.store()


def invalidate_everything():
    """Drop every kept page, feed, fragment and remembered value (for writes that cannot say what
    they changed)."""
    bump({SITE})


def generation():
    """A string that changes with every public edit (for feeds' keys and ETags); a fresh random one
    when the versions cannot be read, so nothing is reused while the cache is down."""
    found = current_versions().get([versions.EDITED_AT, SITE, ANY])
    if found is None:
        return f"0-unreadable-{uuid.uuid4().hex}"
    return f"{found[versions.EDITED_AT]}-{found[ANY]}-{found[SITE]}"


def generation_started(value):
    """The Unix time of the last public edit a ``generation()`` value stands for (0: unknown)."""
    started = int(value.split("-", 1)[0])
    return started if started < 1 << 40 else 0  # a slot never written holds a random number


def edits():
    """The version of ``any`` (``None`` if unreadable): read it before rendering, give it to ``keep()``."""
    found = current_versions().get([ANY])
    return None if found is None else found[ANY]


# Entries


def cache_key(prefix, request, *, generation_value=None):
    """A key for ``request``'s URL (hashed: URLs can be long); feeds add the generation to it."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{prefix}:{generation_value}:{path}" if generation_value else f"{prefix}:{path}"


# This process's copies of entries of the shared cache, so a hit reads only the (tiny) versions
# from the shared store. A copy is checked against the shared versions like the entry itself.
_copies = LocMemCache("dossier-page-copies", {"OPTIONS": {"MAX_ENTRIES": 1000}})


def get_kept(key, *, with_tags=False):
    """What ``keep()`` stored under ``key``, unless its time is up or a tag it shows has moved since
    (``with_tags``: ``(value, tags)``)."""
    for source in (_copies, cache):
        entry = source.get(key)
        if entry is None:
            continue
        if _current(entry):
            if source is cache:
                _copy(key, entry)
            return (entry[0], frozenset(entry[2])) if with_tags else entry[0]
        if source is _copies:
            _copies.delete(key)  # the shared cache may hold a newer rendering
    return None


def get_many_kept(keys):
    """``get_kept()`` for several keys: {key: (value, tags)} of those kept and current, with one read
    of the shared cache (for what this process has no copy of) and one of the versions for them all."""
    entries = _copies.get_many(keys)
    shared = cache.get_many([key for key in keys if key not in entries]) if len(entries) < len(keys) else {}
    entries.update(shared)
    now = timezone.now().timestamp()
    stamps = {tag for _value, _due, entry_stamps in entries.values() for tag in entry_stamps}
    current = current_versions().get(list(stamps)) if stamps else {}
    found = {}
    for key, entry in entries.items():
        value, due, entry_stamps = entry
        if current is not None and now < due and all(current[tag] == v for tag, v in entry_stamps.items()):
            found[key] = (value, frozenset(entry_stamps))
            if key in shared:
                _copy(key, entry)
        elif key not in shared:
            _copies.delete(key)  # the shared cache may hold a newer rendering
    return found


def _current(entry):
    _value, due, stamps = entry
    if timezone.now().timestamp() >= due:
        return False
    return not stamps or current_versions().get(list(stamps)) == stamps  # None: versions unreadable


def _copy(key, entry):
    _copies.set(key, entry, max(1, int(entry[1] - timezone.now().timestamp()) + 1))


def keep(key, value, due, *, tags=(), edits_before=None):
    """Store ``value`` until the timestamp ``due``, valid while ``tags`` keep their versions.
    Nothing is stored if the due time has passed, or if any public edit happened since
    ``edits_before`` (``edits()`` read before the render: the page may mix old and new data).
    Returns whether the value was fit to keep (so a cache in front may keep it too)."""
    return keep_many({key: (value, tags)}, due, edits_before=edits_before)


def keep_many(entries, due, *, edits_before=None):
    """``keep()`` for several values at once (``{key: (value, tags)}``), all rendered since
    ``edits_before``: one read of their tags' versions and one write, rather than one of each per
    value (the cards of a page of results). Returns whether they were kept."""
    seconds = due - timezone.now().timestamp()
    if seconds <= 0 or not entries:
        return False
    stamps = {}
    if wanted := {tag for _value, tags in entries.values() for tag in tags}:
        # The tags first, then ``any``: an edit moving both in between is seen by the second read.
        stamps = versions.store().get([*wanted, ANY])
        if stamps is None or edits_before is None or stamps[ANY] != edits_before:
            return False  # versions unreadable (the cache is down), or an edit overlapped the render
    kept = {key: (value, due, {tag: stamps[tag] for tag in tags}) for key, (value, tags) in entries.items()}
    cache.set_many(kept, int(seconds) + 1)  # the backend's expiry only frees space
    for key, entry in kept.items():
        _copy(key, entry)
    return True
