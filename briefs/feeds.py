"""RSS 2.0 and Atom 1.0 feeds: one base class, a small subclass per thing a reader can follow.

Every feed lists the newest live briefs (``Brief.objects.live()``) in its scope. Each feed URL is
one instance: RSS by default, Atom with ``atom=True`` (``SiteFeed()`` at ``/feed/``,
``SiteFeed(atom=True)`` at ``/feed/atom/``). Instances are shared between requests, so nothing
request-specific is ever stored on ``self``.

Links, ids and the self link are built from ``settings.SITE_URL``, never from the request's
``Host`` header: feeds are cached by CDNs and readers, and a forged header must not end up in a
cached copy.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max, Min, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.csp import CSP, build_policy
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import http_date

from core.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES
from core.templatetags.dossier import SITE_LOGO, absolute
from serving import pages, schedule, store
from serving import tags as t

from .feedgenerators import BriefAtomFeed, BriefRssFeed
from .feedstyle import feed_csp, feed_stylesheets
from .models import Brief, BriefType, ExpertQuote

FEED_LENGTH = 20
# Readers and CDNs may reuse a feed this long at most (less when a scheduled change is nearer).
MAX_AGE = 900
# A rendering is reused while its ETag holds, at most this long.
RENDER_CACHE_SECONDS = MAX_AGE
# Bump when the feeds' markup changes, so cached copies are not revalidated as still current.
FORMAT_VERSION = 3  # 2: the xml-stylesheet instruction (#13); 3: served as application/xml (#13)
# Feeds kept by a release whose format differs are not served (the page cache checks the kind).


def kept_kind():
    return f"feed-v{FORMAT_VERSION}"


pages.register_validated_kind(kept_kind)


def absolutize_links(html, base_url):
    """Re-sanitise ``html`` (defence in depth) and resolve every link against ``base_url``.

    Feed readers show content away from our site, where ``/briefs/...`` or ``#section`` would
    point nowhere.
    """

    def resolve(tag, name, value):
        if name != "href" or value.startswith(("https://", "http://", "mailto:")):
            return value
        return urljoin(base_url, value)

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        attribute_filter=resolve,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def entry_content(brief, *, base_url):
    """The brief's full text as one HTML fragment: developments, attributed quotes, body."""
    parts = []
    if brief.developments:
        parts += [format_html("<h2>{}</h2>", "Latest Developments"), brief.developments]
    quotes = brief.quotes.all()  # prefetched with their experts
    if quotes:
        parts.append(format_html("<h2>{}</h2>", "Expert Analysis"))
    for quote in quotes:
        paragraphs = [(part.strip(),) for part in re.split(r"\n\s*\n", quote.text) if part.strip()]
        attribution = format_html('<a href="{}">{}</a>', quote.expert.get_absolute_url(), quote.expert.name)
        if quote.attribution_title:
            attribution = format_html("{}, {}", attribution, quote.attribution_title)
        parts.append(
            format_html(
                "<figure><blockquote>{}</blockquote><figcaption>{}</figcaption></figure>",
                format_html_join("", "<p>{}</p>", paragraphs),
                attribution,
            )
        )
    if brief.body:
        parts.append(brief.body)
    return absolutize_links("".join(parts), base_url)


def next_in_scope(figures):
    """The timestamp of the scope's next scheduled publication or expiry (``None``: none)."""
    upcoming = [figures[key] for key in ("next_publication", "next_expiry") if figures[key]]
    return min(upcoming).timestamp() if upcoming else None


@dataclass(frozen=True)
class Freshness:
    """What a conditional request is answered from, without rendering the feed."""

    etag: str
    last_modified: int | None  # a Unix timestamp, as Django's conditional helpers take it
    max_age: int


class BriefFeed(Feed):
    """The newest live briefs of one scope, as RSS 2.0 or (``atom=True``) Atom 1.0.

    A subclass says what it follows: ``get_object`` (the issue, expert or type; ``DoesNotExist``
    gives a 404), ``scope`` (a ``Q`` over briefs), ``url_name`` (the RSS URL's name; the Atom
    one adds ``_atom``), ``url_kwargs``, ``title`` and ``description``.
    """

    feed_type = BriefRssFeed
    url_name = "briefs:feed"

    def __init__(self, *, atom=False):
        self.atom = atom
        if atom:
            self.feed_type = BriefAtomFeed

    # What the feed follows: subclasses override these.

    def scope(self, obj):
        return Q()

    def url_kwargs(self, obj):
        return {}

    def scope_tags(self, obj):
        """The tags of the listing the scope follows (serving/tags.py)."""
        return {t.every("brief")}

    # HTTP: validators and caching computed from one aggregate query.

    def __call__(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        edits_before = store.edits()  # before anything is read: see serving.store.keep()
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("No such feed.") from None
        freshness = self.cached_freshness(request, obj)
        response = get_conditional_response(request, etag=freshness.etag, last_modified=freshness.last_modified)
        complete = response is None
        if complete:
            response, gzipped = self.render(obj, request, etag=freshness.etag)
        response.headers["ETag"] = freshness.etag
        if freshness.last_modified is not None:
            response.headers["Last-Modified"] = http_date(freshness.last_modified)
        patch_cache_control(response, public=True, max_age=freshness.max_age)
        # Its own policy, set here so it is kept with the response (the CSP middleware leaves it).
        response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(feed_csp())
        if complete:
            # The next reader is served from the page cache (its middleware), compressed once.
            due = timezone.now().timestamp() + freshness.max_age
            pages.keep_response(request, response, gzipped, due, edits_before, kind=kept_kind())
            return pages.served(request, response, gzipped)  # compressed with its rendering
        return response

    def render(self, obj, request, *, etag):
        """The feed as a response and its body compressed (or ``None``), rendered and compressed
        once per version and shared through the cache.

        The ETag names the version (it changes whenever an entry could: the page cache's
        generation is part of it), so readers polling without validators cost two queries, not a
        rendering, nor compressing 70 KB.
        """
        key = "feed-rendering-v2:" + etag.strip('"')  # v2: with the compressed body
        rendered = cache.get(key)
        if rendered is None:
            feed = self.get_feed(obj, request)
            content = feed.writeString("utf-8").encode()
            rendered = (feed.content_type, content, pages.compressed(content))
            cache.set(key, rendered, RENDER_CACHE_SECONDS)
        content_type, content, gzipped = rendered
        return HttpResponse(content, content_type=content_type), gzipped

    def cached_freshness(self, request, obj):
        """``freshness()``, kept in the public page cache until content changes or the next
        scheduled publication or expiry is due, so a poll that matches costs no aggregate query.
        Feeds read no query parameters: a URL with any is answered but not kept."""
        now = timezone.now()
        if not pages.cacheable(request, params=()):
            return self.freshness(obj, now)
        # Feeds are not tagged per object: any public edit gives them a new key (read before freshness()).
        # The format version too: after a deploy that changes the feeds' markup or type, kept
        # validators (and the renderings under their ETags) from before are not served.
        prefix = f"feed-freshness-v{FORMAT_VERSION}"
        key = store.cache_key(prefix, request, generation_value=store.generation())
        kept = store.get_kept(key)
        if kept is not None:
            etag, last_modified, due = kept
            return Freshness(etag=etag, last_modified=last_modified, max_age=max(0, int(due - now.timestamp())))
        fresh = self.freshness(obj, now)
        due = now.timestamp() + fresh.max_age
        store.keep(key, (fresh.etag, fresh.last_modified, due), due)
        return fresh

    def freshness(self, obj, now):
        """ETag, Last-Modified and max-age for this feed, from one aggregate query.

        The query also looks at briefs that are published but not yet live (scheduled) or no
        longer live (expired, withdrawn). It reads only their times, never their content: the
        next scheduled publication or expiry bounds max-age, so a scheduled brief reaches readers
        and caches on time; recent expiries and edits move Last-Modified, so If-Modified-Since
        never hides a change. Who is live is decided by ``live()`` alone (as a subquery), at ``now``:
        the instant the caller read before anything else, so max-age never reaches past a change.
        """
        published = Q(status=Brief.Status.PUBLISHED)
        is_live = Q(pk__in=Brief.objects.live(at=now).values("pk"))

        def aggregate():
            return Brief.objects.filter(self.scope(obj)).aggregate(
                live_count=Count("pk", filter=is_live),
                # Any publication time reached (expired ones too: latest_expiry covers them); one
                # use of the live() subquery keeps this aggregate cheap.
                latest_published=Max("published_at", filter=published & Q(published_at__lte=now)),
                latest_edit=Max("updated_at", filter=published | Q(status=Brief.Status.WITHDRAWN)),
                latest_expiry=Max("expires_at", filter=published & Q(expires_at__lte=now)),
                next_publication=Min("published_at", filter=published & Q(published_at__gt=now)),
                next_expiry=Min("expires_at", filter=published & Q(expires_at__gt=now)),
            )

        # The aggregate reads every brief of the scope: it is worked out once per change of the
        # scope's listing (and at the next scheduled publication or expiry, when its time-bound
        # figures move) and remembered. What it cannot see (an edit of a brief's text) moves the
        # generation below, which enters the ETag and bounds Last-Modified.
        scope_key = f"feed-figures:{self.url_name}:{getattr(obj, 'pk', '')}"
        figures = schedule.remember(scope_key, self.scope_tags(obj), aggregate, now=now, until=next_in_scope)
        changes = [figures[key] for key in ("latest_published", "latest_edit", "latest_expiry") if figures[key]]
        last_modified = int(max(changes).timestamp()) if changes else None
        # What the figures cannot see (an author or issue renamed, a quote edited) moves the page
        # cache's generation: it enters the ETag, and its start bounds Last-Modified from below.
        generation = store.generation()
        last_modified = max(last_modified or 0, store.generation_started(generation)) or None
        fingerprint = repr(
            (
                FORMAT_VERSION,
                generation,
                type(self).__name__,
                self.atom,
                self.feed_url(obj),
                self.title(obj),
                figures["live_count"],
                *(figures[key] and figures[key].isoformat() for key in ("latest_published", "latest_edit")),
                figures["latest_expiry"] and figures["latest_expiry"].isoformat(),
            )
        )
        etag = quote_etag(hashlib.sha256(fingerprint.encode()).hexdigest()[:32])
        upcoming = [figures[key] for key in ("next_publication", "next_expiry") if figures[key]]
        max_age = MAX_AGE
        if upcoming:
            # Round down: a cache must not keep the old feed past the second the new one is due.
            max_age = max(0, min(MAX_AGE, int((min(upcoming) - now).total_seconds())))
        return Freshness(etag=etag, last_modified=last_modified, max_age=max_age)

    # The feed.

    def items(self, obj):
        quotes = Prefetch("quotes", queryset=ExpertQuote.objects.select_related("expert"))
        live = Brief.objects.live().filter(self.scope(obj))
        return live.with_cards().defer(None).prefetch_related("issues", quotes)[:FEED_LENGTH]

    def link(self, obj):
        return absolute(reverse("briefs:home"))

    def feed_url(self, obj):
        name = f"{self.url_name}_atom" if self.atom else self.url_name
        return absolute(reverse(name, kwargs=self.url_kwargs(obj)))

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def title(self, obj):
        return f"{settings.SITE_NAME}: latest briefs"

    def description(self, obj):
        return f"The latest briefs published by {settings.SITE_NAME}."

    def subtitle(self, obj):  # Atom's name for the description
        return self.description(obj)

    def author_name(self):
        # Atom needs an author for entries without one (RFC 4287, 4.1.1): the institute.
        return settings.SITE_NAME

    def author_link(self):
        return absolute("/")

    def stylesheets(self, obj):
        return feed_stylesheets()  # styled in a browser (briefs/feedstyle.py)

    def feed_extra_kwargs(self, obj):
        return {"image_url": absolute(static(SITE_LOGO))}

    # Each entry.

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The summary is plain text; both formats read descriptions as HTML.
        return escape(item.summary) if item.summary else None

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        """A tag: URI (RFC 4151) from the site's host, the creation date and the pk.

        None of these change when an editor changes the title, the slug or the publication date,
        so readers never show a brief twice.
        """
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{item.created_at.astimezone(datetime.UTC).date().isoformat()}:brief:{item.pk}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.public_updated_at

    def item_categories(self, item):
        return [issue.name for issue in item.issues.all()]

    def item_extra_kwargs(self, item):
        return {
            "content": entry_content(item, base_url=self.item_link(item)),
            "authors": [(author.name, absolute(author.get_absolute_url())) for author in item.authors.all()],
        }


class SiteFeed(BriefFeed):
    """Every live brief: ``/feed/`` and ``/feed/atom/``."""


class ObjectFeed(BriefFeed):
    """Base of the feeds that follow one thing with a slug, a name and a page (a type, an issue, an
    expert): subclasses say how to find it (``get_object``), which briefs are its (``scope``) and
    how to describe it."""

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"


class TypeFeed(ObjectFeed):
    """Live briefs of one type: ``/types/<slug>/feed/``."""

    url_name = "briefs:type_feed"

    def get_object(self, request, slug):
        return BriefType.objects.get(slug=slug)

    def scope(self, obj):
        return Q(type=obj)

    def scope_tags(self, obj):
        return {t.listing("type", obj.pk)}

    def description(self, obj):
        return f"The latest briefs of type “{obj.name}” published by {settings.SITE_NAME}."
