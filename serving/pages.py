"""Whole public pages, kept and served by the layer: views render, this decides.

``cache_page(view)`` wraps a public view (in its URLconf): a successful GET/HEAD response is kept with
the tags of everything it showed (collect.py: every registered object loaded while it rendered, and
what the data layer declared), until the next scheduled change (schedule.py), and served from
``PageCacheMiddleware`` before the URL is even resolved. An edit moves the tags of what it changed
(dependencies.py, tags.py), which drops exactly the pages that showed it, here and in the caches in
front (``xkey``: shared.py, purge.py). A page is not kept if an edit overlapped its rendering.

- **URLs**: only the query parameters a page uses, with canonical values, are cached; anything else
  (``?utm_source=``, ``?page=007``) renders uncached, so requests cannot fill the cache at will.
- **Responses with their own validators** (feeds) are kept whole with ``keep_response()`` and
  answer conditional requests on a hit.

If the cache is unreachable the backend answers misses (serving/cache.py): pages render uncached.
"""

import functools
import gzip
import re

from django.conf import settings
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from . import collect, shared
from .schedule import keep_until
from .store import cache_key, edits, get_kept, keep
from .tags import ANY, SITE

# A page number as a paginator link writes it; "007" or "1e3" would be the same page under another key.
CANONICAL_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding
# "hit" or "miss" on every page the cache could keep: what the benchmark's hit rate is counted from.
STATUS_HEADER = "X-Page-Cache"
PAGE_PREFIX = "public-page:v4"  # v4: entries are (response, gzipped, due, kind)
PAGE = "page"
_validated_kinds = []  # functions naming the current kind of responses kept with their own validators


def register_validated_kind(current):
    """Responses kept as ``current()`` (``keep_response``: a feed of this release's format) are
    served on a hit; any other kind (kept by an older release) is a miss."""
    if current not in _validated_kinds:
        _validated_kinds.append(current)


# Pages


def cacheable(request, params):
    """GET or HEAD, with no query parameter but ``params``, each once, each a canonical page number."""
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1 or not CANONICAL_PAGE_NUMBER.fullmatch(values[0]):
            return False
    return True


def cache_page(view, *, params=(), shows=(), per_object=True):
    """Serve ``view``'s successful GET/HEAD responses from the page cache (see the module docstring).
    ``params`` names the query parameters the view reads (page numbers); any other renders uncached.
    ``shows`` names site-wide listings the page draws from that it does not read through the data
    layer's own declarations (tags.every(...)); the objects it shows are found as it renders, unless
    ``per_object`` is false: a page listing thousands of objects (a sitemap file) would check
    thousands of versions on every hit, and is better dropped by any edit (``shows`` then includes
    ``ANY``)."""
    params = frozenset(params)
    listings = frozenset({SITE, *shows})
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
        with collect.collecting() as shown:
            response = view(request, *args, **kwargs)
            keepable = response.status_code == 200 and not response.has_header("Cache-Control")
            if keepable and callable(getattr(response, "render", None)):
                response.render()  # inside the collection: a template loads what the page shows
        if not keepable:
            return response
        tags = listings | (shown - {None}) if per_object else listings
        gzipped = _gzipped(response)
        due = keep_until(now)
        shared.tag(response, tags)  # stored with the page: a hit sends the same tags
        if keep(key, (response, gzipped, due, PAGE), due, tags=tags, edits_before=edits_before):
            shared.share(response, due)  # the cache holds its own copy, without Cache-Control
        else:
            response.headers.pop(shared.TAG_HEADER, None)  # maybe stale already: no cache may keep it
        response.headers[STATUS_HEADER] = "miss"
        return served(request, response, gzipped)

    return wrapper


def kept_page(request, key=None):
    """The kept page for ``request``'s URL, as this request accepts it, or ``None``."""
    cached = get_kept(key or cache_key(PAGE_PREFIX, request))
    if cached is None:
        return None
    response, gzipped, due, kind = cached
    if kind != PAGE:
        if all(kind != current() for current in _validated_kinds):
            return None  # kept by a release whose format differs: render the new one
        response.headers[STATUS_HEADER] = "hit"
        return _served_validated(request, response, gzipped, due)
    response.headers[STATUS_HEADER] = "hit"
    return shared.share(served(request, response, gzipped), due)


def keep_response(request, response, gzipped, due, edits_before, *, kind):
    """Keep a whole response that carries its own validators (a feed: ETag, Last-Modified, its own
    Content-Security-Policy header) so the next reader is served like a page hit; ``gzipped``: its
    body compressed. Such responses show every item of their scope and are not tagged per object:
    any public edit drops them, as it gives them new validators; so does ``due``."""
    if not cacheable(request, params=()) or response.status_code != 200:
        return
    response.headers[STATUS_HEADER] = "miss"
    entry = (response, gzipped, due, kind)
    keep(cache_key(PAGE_PREFIX, request), entry, due, tags={ANY}, edits_before=edits_before)


def _served_validated(request, response, gzipped, due):
    """A kept response: its own validators answer a conditional request; max-age counts down to ``due``."""
    seconds = max(0, int(due - timezone.now().timestamp()))
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified") or "")
    answer = get_conditional_response(
        request, etag=response.headers.get("ETag"), last_modified=last_modified, response=response
    )
    if answer is not response:  # 304 Not Modified (or 412), with the response's validators
        return answer
    return served(request, response, gzipped)


class PageCacheMiddleware:
    """Answers from the page cache before the URL is resolved, as Django's own cache middleware
    does: a hit then costs less than the cheapest view. Only what ``cache_page`` stored can
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
