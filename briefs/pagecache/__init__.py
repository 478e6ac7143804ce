"""Whole-page cache for the public site: correct to the second in every process, and an edit drops
only the pages that show what it changed.

Public pages are the same for every reader, so a rendered page is kept in Django's default cache
(shared by every process that serves or edits the site: Redis with ``REDIS_URL``, else a folder of
files on this machine) and served without touching the database. What keeps it from ever showing
something it should not:

- **Edits**: each page records the *tags* of what it shows (``tags.py``: the briefs on it, the
  experts, issues and types, the listings it draws from) and their versions (``versions.py``,
  shared by every process). An edit moves the versions of the tags it touches, at once and again
  when its transaction commits; a page is served only while all its tags keep the versions it was
  stored with. A page is not stored at all if one of its tags moved while it was being rendered (it
  may mix old and new data). Code that writes with ``QuerySet.update()`` or ``bulk_create()`` (no
  signals) calls ``invalidate_public_pages()``, which drops everything.
- **Time**: a page is kept until the next scheduled publication or expiry after the instant it was
  rendered from (the clock is read *before* rendering), and every hit checks that due time against
  the current clock.
- **URLs**: only the query parameters a page uses, with canonical values, are cached; anything else
  (``?utm_source=``, ``?page=007``) renders uncached, so requests cannot fill the cache at will.
- **Caches in front** (Varnish, a CDN: ``shared.py``): a page this cache keeps also carries its tags
  (``xkey``) and ``s-maxage`` up to its due time; every bump is sent to them as a purge (``purge.py``).

If the cache is unreachable the backend answers misses (serving/cache.py): pages render uncached.
"""

import functools
import gzip
import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from serving.cache import on_recovery

from . import purge, shared, versions
from . import tags as page_tags

# Feeds (and their validators) are not tagged per object yet: any public edit moves ``any``.
ANY = "any"
# A page number as a paginator link writes it; "007" or "1e3" would be the same page under another key.
CANONICAL_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding
# "hit" or "miss" on every page the cache could keep: what the benchmark's hit rate is counted from.
STATUS_HEADER = "X-Page-Cache"
PAGE_PREFIX = "public-page:v3"  # v3: entries are (response, gzipped, due, feed format or 0)


def _reset_store(setting, **kwargs):
    if setting == "CACHES":
        versions.reset_store()


setting_changed.connect(_reset_store)


# Edits


def bump(tags):
    """Move ``tags`` now, and again when the current transaction commits (a reader rendering a page
    before the commit would otherwise store the old content under the new versions)."""
    tags = {*tags, ANY}
    versions.store().bump(tags)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: versions.store().bump(tags))
        transaction.on_commit(lambda: purge.send(tags))  # caches in front refetch committed data only
    else:
        purge.send(tags)


def invalidate_public_pages():
    """Drop every cached public page and feed (for writes that send no signals)."""
    bump({page_tags.SITE})


# Writes made while the cache was unreachable could not move any version.
on_recovery(lambda: versions.store().bump({page_tags.SITE, ANY}))


def generation():
    """A string that changes with every public edit (for feeds' keys and ETags); a fresh random one
    when the versions cannot be read, so nothing is reused while the cache is down."""
    found = versions.store().get([versions.EDITED_AT, page_tags.SITE, ANY])
    if found is None:
        return f"0-unreadable-{uuid.uuid4().hex}"
    return f"{found[versions.EDITED_AT]}-{found[ANY]}-{found[page_tags.SITE]}"


def generation_started(value):
    """The Unix time of the last public edit a ``generation()`` value stands for (0: unknown)."""
    started = int(value.split("-", 1)[0])
    return started if started < 1 << 40 else 0  # a slot never written holds a random number


# Time


def next_change(now):
    """The next scheduled publication or expiry after ``now`` (``None`` if none is scheduled)."""
    from ..models import Brief

    upcoming = Brief.objects.filter(status=Brief.Status.PUBLISHED).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    return min(moments) if moments else None


def next_change_timestamp(now):
    """``next_change(now)`` as a timestamp (``None`` if none is scheduled), remembered until it is due
    or a brief's schedule changes (any publication, withdrawal or new time moves ``briefs``), so a
    page rendered uncached does not scan the briefs again for it."""
    return remember(
        "next-change", {page_tags.BRIEFS}, lambda: _timestamp(next_change(now)), now=now, until=lambda moment: moment
    )


def _timestamp(moment):
    return moment.timestamp() if moment is not None else None


def keep_until(now):
    """The timestamp a page rendered from ``now`` may be kept until: the next scheduled change, at
    most ``settings.PUBLIC_PAGE_CACHE_SECONDS`` later."""
    due = now.timestamp() + settings.PUBLIC_PAGE_CACHE_SECONDS
    moment = next_change_timestamp(now)
    return min(due, moment) if moment is not None else due


def seconds_until_next_change(now=None):
    """Whole seconds until the next scheduled change after ``now``, at most
    ``settings.PUBLIC_PAGE_CACHE_SECONDS`` (rounded down: gone by the second the change is due)."""
    now = now or timezone.now()
    return max(0, int(keep_until(now) - now.timestamp()))


# Entries


def cache_key(prefix, request, *, generation_value=None):
    """A key for ``request``'s URL (hashed: URLs can be long); feeds add the generation to it."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{prefix}:{generation_value}:{path}" if generation_value else f"{prefix}:{path}"


# This process's copies of entries of the shared cache, so a hit reads only the (tiny) versions
# from the shared store. A copy is checked against the shared versions like the entry itself.
_copies = LocMemCache("dossier-page-copies", {"OPTIONS": {"MAX_ENTRIES": 1000}})


def get_kept(key):
    """What ``keep()`` stored under ``key``, unless its time is up (checked against our clock, so a
    cache server's own expiry never decides what readers see) or a tag it shows has moved since."""
    for source in (_copies, cache):
        entry = source.get(key)
        if entry is None:
            continue
        if _current(entry):
            if source is cache:
                _copy(key, entry)
            return entry[0]
        if source is _copies:
            _copies.delete(key)  # the shared cache may hold a newer rendering
    return None


def get_many_kept(keys):
    """``get_kept()`` for several keys: {key: value} of those kept and current, with one read of the
    shared cache (for what this process has no copy of) and one of the versions for them all."""
    entries = _copies.get_many(keys)
    shared = cache.get_many([key for key in keys if key not in entries]) if len(entries) < len(keys) else {}
    entries.update(shared)
    now = timezone.now().timestamp()
    stamps = {tag for _value, _due, entry_stamps in entries.values() for tag in entry_stamps}
    current = versions.store().get(list(stamps)) if stamps else {}
    found = {}
    for key, entry in entries.items():
        value, due, entry_stamps = entry
        if current is not None and now < due and all(current[tag] == v for tag, v in entry_stamps.items()):
            found[key] = value
            if key in shared:
                _copy(key, entry)
        elif key not in shared:
            _copies.delete(key)  # the shared cache may hold a newer rendering
    return found


def _current(entry):
    _value, due, stamps = entry
    if timezone.now().timestamp() >= due:
        return False
    return not stamps or versions.store().get(list(stamps)) == stamps  # None: versions unreadable


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


def remember(name, tags, compute, *, now=None, until=None):
    """``compute()``, kept in the shared cache while ``tags`` keep their versions and until the next
    scheduled publication or expiry (and at most ``settings.REMEMBER_SECONDS``): what an uncached
    page derives from many rows (a listing's count, a brief's suggestions) is worked out once per
    change, not once per render. Like a page, nothing is kept if an edit overlapped the computation.
    ``until(value)``, if given, is a timestamp the value itself expires at (``None``: no limit).

    The value must not be ``None``; it is kept independently of the page cache (which
    ``PUBLIC_PAGE_CACHE_SECONDS=0`` turns off), since it is data, not a rendering."""
    key = f"remembered:v1:{name}"
    now = now or timezone.now()
    kept = get_kept(key)
    if kept is not None:
        return kept[0]
    edits_before = edits()
    value = compute()
    due = remembered_until(now, until(value) if until is not None else next_change_timestamp(now))
    keep(key, (value,), due, tags={*tags, page_tags.SITE}, edits_before=edits_before)
    return value


def remembered_until(now, limit):
    """The timestamp data worked out at ``now`` may be kept until: ``limit`` (the next scheduled
    change; ``None``: none), at most ``settings.REMEMBER_SECONDS`` later."""
    due = now.timestamp() + settings.REMEMBER_SECONDS
    return min(due, limit) if limit is not None else due


def edits():
    """The version of ``any`` (``None`` if unreadable): read it before rendering, give it to ``keep()``."""
    found = versions.store().get([ANY])
    return None if found is None else found[ANY]


# Pages


def cacheable(request, params):
    """GET or HEAD, with no query parameter but ``params``, each once, each a canonical page number."""
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1 or not CANONICAL_PAGE_NUMBER.fullmatch(values[0]):
            return False
    return True


def cache_public_page(view, *, params=(), shows=(), per_object=True):
    """Serve ``view``'s successful GET/HEAD responses from the page cache (see the module docstring).
    ``params`` names the query parameters the view reads (page numbers); any other renders uncached.
    ``shows`` names the site-wide listings the page draws from (``"briefs"``, ``"issues"``, ...);
    the objects it shows are found in its template context, unless ``per_object`` is false: a page
    listing thousands of objects (a sitemap file) would check thousands of versions on every hit,
    and is better dropped by any edit (``shows`` then includes ``ANY``)."""
    params = frozenset(params)
    listings = frozenset({page_tags.SITE, *shows})
    assert per_object or ANY in listings, "a page without its objects' tags must follow every edit"

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not cacheable(request, params):
            return view(request, *args, **kwargs)
        now = timezone.now()  # before the render: see the module docstring
        key = cache_key(PAGE_PREFIX, request)
        hit = kept_page(request, key)
        if hit is not None:
            return hit
        edits_before = edits()
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if callable(getattr(response, "render", None)):
                response.render()
            slug = kwargs.get("slug")
            tags = listings
            if per_object:
                tags |= page_tags.shown(getattr(response, "context_data", None) or {}, slug=slug)
            gzipped = _gzipped(response)
            due = keep_until(now)
            shared.tag(response, tags)  # stored with the page: a hit sends the same tags
            if keep(key, (response, gzipped, due, 0), due, tags=tags, edits_before=edits_before):
                shared.share(response, due)  # the cache holds its own copy, without Cache-Control
            else:
                response.headers.pop(shared.TAG_HEADER, None)  # maybe stale already: no cache may keep it
            response.headers[STATUS_HEADER] = "miss"
            return served(request, response, gzipped)
        return response

    return wrapper


def kept_page(request, key=None):
    """The kept page for ``request``'s URL, as this request accepts it, or ``None``."""
    cached = get_kept(key or cache_key(PAGE_PREFIX, request))
    if cached is None:
        return None
    response, gzipped, due, feed_format = cached
    if feed_format:
        from ..feeds import FORMAT_VERSION

        if feed_format != FORMAT_VERSION:
            return None  # kept by a release whose feeds differ: render the new format
        response.headers[STATUS_HEADER] = "hit"
        return _served_feed(request, response, gzipped, due)
    response.headers[STATUS_HEADER] = "hit"
    return shared.share(served(request, response, gzipped), due)


def keep_feed(request, response, gzipped, due, edits_before, *, feed_format):
    """Keep a feed's whole response (briefs/feeds.py; ``gzipped``: its body compressed) so the next
    reader is served like a page hit. Feeds show every brief of their scope in full and are not
    tagged per object: any public edit drops them, as it gives them a new ETag; so does the next
    scheduled change (``due``)."""
    if not cacheable(request, params=()) or response.status_code != 200:
        return
    response.headers[STATUS_HEADER] = "miss"
    entry = (response, gzipped, due, feed_format)
    keep(cache_key(PAGE_PREFIX, request), entry, due, tags={ANY}, edits_before=edits_before)


def _served_feed(request, response, gzipped, due):
    """A kept feed: its own validators answer a conditional request; max-age counts down to ``due``."""
    from ..feedstyle import feed_csp

    seconds = max(0, int(due - timezone.now().timestamp()))
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response._csp_config = feed_csp()  # as the feed view sets it (not kept with the response)
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified") or "")
    answer = get_conditional_response(
        request, etag=response.headers.get("ETag"), last_modified=last_modified, response=response
    )
    if answer is not response:  # 304 Not Modified (or 412), with the feed's validators
        return answer
    return served(request, response, gzipped)


class PageCacheMiddleware:
    """Answers from the page cache before the URL is resolved, as Django's own cache middleware
    does: a hit then costs less than the cheapest view. Only what ``cache_public_page`` stored can
    be found (its key is the request's whole URL, stored only when the view allowed it), so this
    adds no way in; a miss goes on to the view, which renders and stores the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE_SECONDS > 0:
            try:
                hit = kept_page(request)
            except OSError:  # a cache that cannot even be set up: the view decides (/healthz says so)
                hit = None
            if hit is not None:
                return hit
        return self.get_response(request)


def _gzipped(response):
    """The body compressed once, when the page is stored, so a hit compresses nothing."""
    if response.has_header("Content-Encoding"):
        return None
    return compressed(response.content)


def compressed(content):
    """``content`` gzipped, or ``None`` when that is not worth it. Public pages are the same for every
    reader and carry no secret, so a fixed compressed body gives a compression side channel (BREACH)
    nothing to find; GZipMiddleware still pads what it compresses."""
    if len(content) < 200:
        return None
    body = gzip.compress(content, compresslevel=6, mtime=0)
    return body if len(body) < len(content) else None


def served(request, response, gzipped):
    """A cached page (or a kept feed rendering) as this request accepts it: ``gzipped`` is its body
    compressed once (``compressed()``); ``response`` is this request's own copy."""
    if gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response.content = gzipped
            response.headers["Content-Length"] = str(len(gzipped))
            response.headers["Content-Encoding"] = "gzip"
    return response


def connect_signals():
    """Called from BriefsConfig.ready(): edits of public content move their tags (dependencies.py)."""
    from . import dependencies

    dependencies.connect()
