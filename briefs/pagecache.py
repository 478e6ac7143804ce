"""Whole-page cache for the public site, correct to the second.

Public pages are the same for every reader, so a rendered page is kept in Django's cache (Redis in
production: shared by every app server) and served without touching the database. Two things keep
it from ever showing something it should not:

- **Edits**: any save or delete of public content (briefs and what hangs off them, experts, issues,
  types) moves a *generation* number once the transaction commits; page keys include it, so every
  cached page is dropped at once. Code that writes with ``QuerySet.update()`` (no signals) calls
  ``invalidate_public_pages()`` itself.
- **Time**: a page is kept at most until the next scheduled publication or expiry (one query when
  the page is rendered), so a brief appears and leaves at its second with no cron job and no stale copy.

Only plain URLs and pagination parameters are cached, so odd query strings cannot fill the cache.
"""

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

GENERATION_KEY = "public-pages:generation"
CACHEABLE_PARAMS = {"page", "quoted", "p"}  # pagination of lists, the expert page, the sitemap


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)  # another server may have set it meanwhile
        value = cache.get(GENERATION_KEY)
    return value


def _new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def invalidate_public_pages():
    """Drop every cached public page: now, and again when the current transaction commits (a
    reader rendering a page before the commit would otherwise cache the old content as new)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def seconds_until_next_change(now=None):
    """Seconds a page may be kept: until the next scheduled publication or expiry, at most
    settings.PUBLIC_PAGE_CACHE_SECONDS."""
    from .models import Brief

    now = now or timezone.now()
    upcoming = Brief.objects.filter(status=Brief.Status.PUBLISHED).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    for moment in upcoming.values():
        if moment is not None:
            # Round down: the copy must be gone by the second the change is due.
            seconds = min(seconds, int((moment - now).total_seconds()))
    return seconds


def cache_key(prefix, request):
    """A key for ``request``'s URL in the current generation (hashed: URLs can be long)."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{prefix}:{generation()}:{path}"


def get_kept(key):
    """What ``keep()`` stored under ``key``, unless its time is up (checked against our clock, so
    a cache server's own expiry or clock never decides what readers see)."""
    hit = cache.get(key)
    if hit is None:
        return None
    value, due = hit
    return value if timezone.now().timestamp() < due else None


def keep(key, value, seconds):
    """Store ``value`` for ``seconds`` (nothing when ``seconds`` is 0: a change is due now)."""
    if seconds > 0:
        cache.set(key, (value, timezone.now().timestamp() + seconds), seconds)


def cache_public_page(view):
    """Serve ``view``'s successful GET/HEAD responses from the page cache (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        cacheable = request.method in ("GET", "HEAD") and set(request.GET) <= CACHEABLE_PARAMS
        if not cacheable or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        key = cache_key("public-page", request)
        cached = get_kept(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if callable(getattr(response, "render", None)):
                response.render()
            keep(key, response, seconds_until_next_change())
        return response

    return wrapper


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
