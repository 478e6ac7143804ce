"""Whole-page cache for the public site, correct to the second in every process.

Public pages are the same for every reader, so a rendered page is kept in Django's default cache
and served without touching the database. That cache is shared by every process that serves or
edits the site (Redis with ``REDIS_URL``, else a folder of files on this machine: config/settings.py),
so a gunicorn worker, another worker and a ``manage.py`` command all agree on what is current.
Three things keep it from ever showing something it should not:

- **Edits**: any save or delete of public content (briefs and what hangs off them, experts, issues,
  types) moves a *generation* number in the shared cache, at once and again when the transaction
  commits; page keys include it, so every cached page is dropped at once. The generation is read
  before a page is rendered, so a page rendered from data an edit is about to replace is stored
  under the old generation and never served. Code that writes with ``QuerySet.update()`` or
  ``bulk_create()`` (no signals) calls ``invalidate_public_pages()`` itself.
- **Time**: a page is kept until the next scheduled publication or expiry after the instant it was
  rendered from (the clock is read *before* rendering, so a render that spans the due second is
  not kept), and every hit checks that due time against the current clock.
- **URLs**: only the query parameters a page uses, with canonical values, are cached; anything else
  (``?utm_source=``, ``?page=007``) renders uncached, so requests cannot fill the cache at will.

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
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from serving.cache import on_recovery

GENERATION_KEY = "public-pages:generation"
# A page number as a paginator link writes it; "007" or "1e3" would be the same page under another key.
CANONICAL_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding


def _fresh_generation():
    """``<unix time>-<random>``: unique, and saying when public content last changed."""
    return f"{int(timezone.now().timestamp())}-{uuid.uuid4().hex[:16]}"


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = _fresh_generation()
        if not cache.add(GENERATION_KEY, value, None):  # another process may have set it meanwhile
            value = cache.get(GENERATION_KEY) or value
    return value


def generation_started(value):
    """The Unix time a generation began: public content changed then, or the cache was emptied."""
    return int(value.split("-", 1)[0])


def _new_generation():
    cache.set(GENERATION_KEY, _fresh_generation(), None)


def _bump_on_commit_scheduled(connection):
    return any(func is _new_generation for _sids, func, _robust in connection.run_on_commit)


def invalidate_public_pages():
    """Drop every cached public page: now, and again when the current transaction commits (a
    reader rendering a page before the commit would otherwise cache the old content as new).
    Once per transaction is enough for the second bump, however many rows it saves."""
    _new_generation()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return  # autocommit: the write is already committed
    if not _bump_on_commit_scheduled(connection):
        transaction.on_commit(_new_generation)


# Writes made while the cache was unreachable could not move the generation.
on_recovery(_new_generation)


def next_change(now):
    """The next scheduled publication or expiry after ``now`` (``None`` if none is scheduled)."""
    from .models import Brief

    upcoming = Brief.objects.filter(status=Brief.Status.PUBLISHED).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    return min(moments) if moments else None


def keep_until(now):
    """The timestamp a page rendered from ``now`` may be kept until: the next scheduled change, at
    most ``settings.PUBLIC_PAGE_CACHE_SECONDS`` later."""
    due = now.timestamp() + settings.PUBLIC_PAGE_CACHE_SECONDS
    moment = next_change(now)
    return min(due, moment.timestamp()) if moment is not None else due


def seconds_until_next_change(now=None):
    """Whole seconds until the next scheduled change after ``now``, at most
    ``settings.PUBLIC_PAGE_CACHE_SECONDS`` (rounded down: gone by the second the change is due)."""
    now = now or timezone.now()
    return max(0, int(keep_until(now) - now.timestamp()))


def cache_key(prefix, request):
    """A key for ``request``'s URL in the current generation (hashed: URLs can be long)."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{prefix}:{generation()}:{path}"


# This process's copies of entries of the shared cache, so a hit costs one shared read (the
# generation, small) rather than two. A copy is only ever found under a key naming the current
# generation, read from the shared cache on every request: it cannot outlive an edit anywhere.
_copies = LocMemCache("dossier-page-copies", {"OPTIONS": {"MAX_ENTRIES": 1000}})


def get_kept(key):
    """What ``keep()`` stored under ``key``, unless its time is up (checked against our clock, so
    a cache server's own expiry or clock never decides what readers see)."""
    hit = _copies.get(key)
    if hit is None:
        hit = cache.get(key)
        if hit is None:
            return None
        _copies.set(key, hit, max(1, int(hit[1] - timezone.now().timestamp()) + 1))
    value, due = hit
    return value if timezone.now().timestamp() < due else None


def keep(key, value, due):
    """Store ``value`` until the timestamp ``due`` (nothing if it has passed: a change is due now)."""
    seconds = due - timezone.now().timestamp()
    if seconds > 0:
        cache.set(key, (value, due), int(seconds) + 1)  # the backend's expiry only frees space


def cacheable(request, params):
    """GET or HEAD, with no query parameter but ``params``, each once, each a canonical page number."""
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1 or not CANONICAL_PAGE_NUMBER.fullmatch(values[0]):
            return False
    return True


def cache_public_page(view, *, params=()):
    """Serve ``view``'s successful GET/HEAD responses from the page cache (see the module docstring).
    ``params`` names the query parameters the view reads (page numbers); any other renders uncached."""
    params = frozenset(params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not cacheable(request, params):
            return view(request, *args, **kwargs)
        now = timezone.now()  # before the generation and the render: see the module docstring
        key = cache_key("public-page", request)
        cached = get_kept(key)
        if cached is not None:
            return _served(request, *cached)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if callable(getattr(response, "render", None)):
                response.render()
            gzipped = _gzipped(response)
            keep(key, (response, gzipped), keep_until(now))
            return _served(request, response, gzipped)  # the cache holds its own copy
        return response

    return wrapper


def _gzipped(response):
    """The body compressed once, when the page is stored, so a hit compresses nothing. Public pages
    are the same for every reader and carry no secret, so a fixed compressed body gives a
    compression side channel (BREACH) nothing to find; GZipMiddleware still pads what it compresses."""
    if len(response.content) < 200 or response.has_header("Content-Encoding"):
        return None
    compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
    return compressed if len(compressed) < len(response.content) else None


def _served(request, response, gzipped):
    """A cached page as this request accepts it (``response`` is this request's own copy)."""
    if gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response.content = gzipped
            response.headers["Content-Length"] = str(len(gzipped))
            response.headers["Content-Encoding"] = "gzip"
    return response


def _changed(sender, **kwargs):
    invalidate_public_pages()


def connect_signals():
    """Called from BriefsConfig.ready(): every model whose rows show on public pages."""
    from django.apps import apps

    for label in (
        "briefs.Brief", "briefs.BriefType", "briefs.ExpertQuote", "briefs.RelatedLink", "briefs.BriefIssue",
        "briefs.Correction", "experts.Expert", "issues.Issue",
    ):  # fmt: skip
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
    for through in (apps.get_model("briefs.Brief").authors.through, apps.get_model("experts.Expert").issues.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"pagecache-m2m-{through._meta.label}")
