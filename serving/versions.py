"""Tag versions: one number per thing a page can show, moved whenever that thing changes.

A cached page records the versions of its tags when it is stored; it is served only while they are
unchanged. Every process must read the same versions, so they live where every process looks:

- with Redis (``REDIS_URL``), in Redis, read with one ``MGET`` per hit;
- otherwise in a small file mapped into every process's memory (``CACHE_DIR/page-versions``): a
  fixed table of 64-bit slots, a tag's slot found by hashing its name. Reading a tag costs well under
  a microsecond. Two tags sharing a slot only drop each other's pages more often, never less.

A bump gives a tag a random 63-bit value: never one it had before (in practice), whatever the clocks
of the servers do. Separately, ``EDITED_AT`` holds the Unix time of the last bump (feeds'
Last-Modified reads it).
"""

import mmap
import os
import random
import struct
import tempfile
import threading
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

SLOTS = 1 << 16
SLOT = struct.Struct("<Q")


EDITED_AT = "edited-at"


def _new_version():
    return random.getrandbits(63) | 1  # never 0, the value of a tag never bumped in a new Redis


def _edit_time():
    from django.utils import timezone

    return int(timezone.now().timestamp())


class SharedMemoryVersions:
    """Versions in a memory-mapped file every process on this machine shares."""

    def __init__(self, path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._map = None
        self._inode = None

    def _mapped(self):
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            inode = None
        if self._map is None or inode != self._inode:
            with self._lock:
                self._open()
        return self._map

    def _open(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created whole, then linked into place: another process may be doing the same, and
            # only one file may win. Every slot starts random, so pages stored against a file
            # that was deleted never match a new one.
            start = b"".join(SLOT.pack(_new_version()) for _ in range(SLOTS))
            fd, tmp = tempfile.mkstemp(dir=self.path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(start)
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        with open(self.path, "r+b") as f:
            self._map = mmap.mmap(f.fileno(), SLOTS * SLOT.size)
            self._inode = os.fstat(f.fileno()).st_ino

    @staticmethod
    def _offset(tag):
        return (zlib.crc32(tag.encode()) % SLOTS) * SLOT.size

    def get(self, tags):
        mapped = self._mapped()
        return {tag: SLOT.unpack_from(mapped, self._offset(tag))[0] for tag in tags}

    def bump(self, tags):
        """Move ``tags`` (in memory every process maps: it cannot fail). Returns True."""
        mapped = self._mapped()
        for tag in tags:
            SLOT.pack_into(mapped, self._offset(tag), _new_version())
        SLOT.pack_into(mapped, self._offset(EDITED_AT), _edit_time())
        return True


class CacheVersions:
    """Versions as keys of the shared cache (Redis). A tag never bumped reads as 0. ``get()``
    answers ``None`` when the cache cannot be read (down, or emptied and not yet marked alive), so
    that nothing is served or stored against versions nobody can see move."""

    prefix = "page-version:"
    alive = "page-versions-alive"

    def get(self, tags):
        keys = [self.prefix + tag for tag in tags]
        found = cache.get_many([*keys, self.alive])
        if self.alive not in found:
            # A new or emptied Redis: mark it; if that cannot be read back, it is unreachable.
            cache.add(self.alive, 1, None)
            found = cache.get_many([*keys, self.alive])
            if self.alive not in found:
                return None
        return {tag: found.get(key, 0) for tag, key in zip(tags, keys, strict=True)}

    def bump(self, tags):
        """Move ``tags``; returns whether the cache took the new versions (serving/journal.py keeps
        them in the database when it did not)."""
        versions = {self.prefix + tag: _new_version() for tag in tags}
        return not cache.set_many({**versions, self.prefix + EDITED_AT: _edit_time()}, None)


_store = None


def store():
    global _store
    if _store is None:
        if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
            _store = SharedMemoryVersions(Path(settings.CACHES["default"]["LOCATION"]) / "page-versions")
        else:
            _store = CacheVersions()
    return _store


def reset_store():
    """Forget the chosen store (tests that change CACHES)."""
    global _store
    _store = None
