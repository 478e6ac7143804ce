import datetime
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Case, Q, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from core.listed import KeyedItems
from core.pagination import ListingPages, by_keys
from serving import remember
from serving import tags as t

from . import brieffiles, cards, citations, tasks
from .models import Brief, BriefType
from .parts import brief_parts, home_parts
from .related import RELATED_READING_SIZE, suggested_briefs

# The type whose latest briefs the home page lists on their own.
FLASH_BRIEF_SLUG = "flash-brief"
LATEST_ON_HOME, FLASH_ON_HOME = 8, 6


# The home page's lead story is the newest brief with a picture, or else the newest of this type.
LEAD_TYPE_SLUG = "analysis"


class HomeView(TemplateView):
    """A lead story, the latest briefs other than Flash Briefs (which have their own column: no
    brief is listed twice), and the featured issues with their pictures and descriptions."""

    template_name = "briefs/home.html"

    def get_context_data(self, **kwargs):
        # Which briefs the home lists is worked out once per change (a publication, a picture added
        # or removed, a type renamed) and remembered; each is shown from its kept card
        # (core/listed.py), and read (by its key) only when that is missing.
        lead, latest, flash = remember("home-lists", {t.every("brief"), t.every("type"), t.LEAD_PICTURES}, home_lists)
        return super().get_context_data(
            lead=KeyedItems([lead] if lead else [], read_cards),
            latest=KeyedItems(latest, read_cards),
            flash_briefs=KeyedItems(flash, read_cards),
            flash_slug=FLASH_BRIEF_SLUG,
            page_parts=home_parts(self.request),
            **kwargs,
        )


def read_cards(keys):
    """Briefs by their keys, with what their cards show (read only for cards missing)."""
    return by_keys(Brief.objects.live().with_cards(), keys)


def home_lists():
    """The keys of the home page's briefs: its lead (0: none), the latest briefs and the latest
    Flash Briefs (neither repeating the lead)."""
    live = Brief.objects.live()
    lead = lead_story_pk(live)
    others = live.exclude(pk=lead).order_by("-published_at", "-pk").values_list("pk", flat=True)
    return (
        lead,
        list(others.exclude(type__slug=FLASH_BRIEF_SLUG)[:LATEST_ON_HOME]),
        list(others.filter(type__slug=FLASH_BRIEF_SLUG)[:FLASH_ON_HOME]),
    )


def lead_story_pk(live):
    """The newest live brief with a picture, or else the newest Analysis, or else the newest (0: none)."""
    lead = (
        live.annotate(
            lead_rank=Case(When(~Q(lead_image=""), then=0), When(type__slug=LEAD_TYPE_SLUG, then=1), default=2)
        )
        .order_by("lead_rank", "-published_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return lead or 0


class BriefListView(ListingPages, ListView):
    """All live briefs, newest first. An invalid or out-of-range ``?page=`` is a 404 (ListView)."""

    template_name = "briefs/brief_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Brief.objects.live().with_cards()

    def listing_key(self):
        return "briefs"

    def listing_tags(self):
        return {t.every("brief")}


class TypeDetailView(BriefListView):
    template_name = "briefs/brieftype_detail.html"

    def get_queryset(self):
        self.brief_type = get_object_or_404(BriefType, slug=self.kwargs["slug"])
        return super().get_queryset().filter(type=self.brief_type)

    def listing_key(self):
        return f"type-briefs:{self.brief_type.pk}"

    def listing_tags(self):
        return {t.listing("type", self.brief_type.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(brief_type=self.brief_type, **kwargs)


class BriefDetailView(DetailView):
    """One live brief, found by slug; a URL whose date is not the brief's redirects permanently.

    The brief's row is read (is it live, is this its URL); what it shows comes from its kept parts
    (briefs/parts.py), and its suggestions from the keys remembered for them."""

    template_name = "briefs/brief_detail.html"
    context_object_name = "brief"

    def get_queryset(self):
        return Brief.objects.live().select_related("type")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        parts = brief_parts(self.object, self.request)
        suggestions = suggested_briefs(
            self.object,
            issue_ids=parts.data["issue_ids"],
            exclude_ids=parts.data["linked_ids"],
            limit=RELATED_READING_SIZE - parts.data["link_count"],
        )
        return super().get_context_data(page_parts=parts, suggestions=suggestions, **kwargs)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sitemap_url=f"{settings.SITE_URL}/sitemap.xml", **kwargs)


# The brief's files: PDF, social card, citations, made by the worker when a version goes live and
# stored with it (briefs/brieffiles.py). Each starts from a live brief (a withdrawn, expired or
# scheduled one is a 404, like its page; nginx never serves these files by itself) and hands out
# what was stored. Not made yet (the worker is behind): the worker is asked, the reader told to retry.

RETRY_AFTER_SECONDS = 30


def live_brief(year, month, day, slug):
    """The live brief at this date and slug, with its stored files (a join), or a 404."""
    brief = get_object_or_404(Brief.objects.live().select_related("type", "files"), slug=slug)
    try:
        asked = datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    if brief.public_date != asked:
        raise Http404("The brief was published on another day.")
    return brief


def being_made(brief, what):
    """503 with Retry-After: the worker has not made ``what`` yet (it is asked to, once)."""
    tasks.enqueue_make(brief.pk)
    response = HttpResponse(
        f"The {what} of this brief is being made. Please try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def stored_file(name, content_type, filename, *, expires_at=None):
    """The stored file ``name``: handed to nginx (X-Accel-Redirect to its internal media location,
    with ``MEDIA_X_ACCEL_REDIRECT``) or streamed by Django."""
    if settings.MEDIA_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response.headers["X-Accel-Redirect"] = quote(settings.MEDIA_URL + name)
        response.headers["Content-Disposition"] = content_disposition_header(False, filename)
    else:
        response = FileResponse(default_storage.open(name), content_type=content_type, filename=filename)
    # The name changes with the content: a browser may keep it, but not past a withdrawal for long,
    # and not past the brief's expiry at all.
    max_age = settings.PUBLIC_PAGE_CACHE_SECONDS
    if expires_at is not None:
        max_age = max(0, min(max_age, int((expires_at - timezone.now()).total_seconds())))
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def stored_brief_file(brief, part, content_type, filename, what):
    files = brieffiles.stored_files(brief)
    name = getattr(files, part).name if files else ""
    if not name or not default_storage.exists(name):
        return being_made(brief, what)
    return stored_file(name, content_type, filename, expires_at=brief.expires_at)


@require_safe
def brief_pdf(request, year, month, day, slug):
    brief = live_brief(year, month, day, slug)
    return stored_brief_file(brief, "pdf", "application/pdf", f"{brief.slug}.pdf", "PDF")


@require_safe
def brief_card(request, year, month, day, slug):
    brief = live_brief(year, month, day, slug)
    return stored_brief_file(brief, "card", "image/png", f"{brief.slug}.png", "social card")


@require_safe
def site_card(request):
    return stored_file(cards.site_card(), "image/png", "card.png")


def citation_download(request, year, month, day, slug, *, kind, content_type, extension, what):
    brief = live_brief(year, month, day, slug)
    files = brieffiles.stored_files(brief)
    record = getattr(files, kind) if files else ""
    if not record:
        return being_made(brief, what)
    response = HttpResponse(citations.with_access_date(record, kind), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{brief.slug}.{extension}"'
    return response


@require_safe
def cite_bibtex(request, year, month, day, slug):
    return citation_download(
        request, year, month, day, slug,
        kind="bibtex", content_type="application/x-bibtex; charset=utf-8", extension="bib", what="BibTeX record",
    )  # fmt: skip


@require_safe
def cite_ris(request, year, month, day, slug):
    return citation_download(
        request, year, month, day, slug,
        kind="ris", content_type="application/x-research-info-systems; charset=utf-8", extension="ris",
        what="RIS record",
    )  # fmt: skip
