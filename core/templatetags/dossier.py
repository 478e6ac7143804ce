"""Template helpers for the public site's head (canonical URL, JSON-LD), pagination links and cards."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.csp import nonce_attr
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core import listed

register = template.Library()

# Query parameters that change what a listing shows, with the context variable holding the page
# they select; anything else (utm_*, ...) is not canonical.
PAGE_PARAMS = {"page": "page_obj", "quoted": "quoted_page"}

# The site's logo (the feeds' image too): publishers in schema.org NewsArticle carry one.
SITE_LOGO = "img/logo.png"

# Escape what could close the <script> element or open a comment, as json_script does.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def brief_cards(briefs, template=listed.CARD, **params):
    """Cards of ``briefs`` (a list, or a listing page's keys), each rendered once per change of
    what it shows (core/listed.py); ``params`` (``level=3``) are given to ``template``."""
    return listed.render(briefs, template, **params)


@register.filter
def absolute(path):
    """An absolute URL on the public site (SITE_URL), for canonical, OpenGraph and JSON-LD."""
    path = str(path or "/")
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL: its path plus the page numbers it shows, never tracking parameters.

    The numbers come from the pages the view chose, not from the query string: ``?page=last``,
    ``?page=002`` and ``?page=+2`` (which the paginator accepts) all name one canonical URL.
    """
    request = context.get("request")
    if request is None:
        return absolute("/")
    pages = [(name, context.get(variable)) for name, variable in PAGE_PARAMS.items()]
    query = "&".join(f"{name}={page.number}" for name, page in pages if page is not None and page.number > 1)
    return absolute(request.path + (f"?{query}" if query else ""))


@register.simple_tag(takes_context=True)
def page_url(context, param, number, anchor=""):
    """The current URL with ``param`` set to ``number`` (dropped for page 1), other parameters kept."""
    query = context["request"].GET.copy()
    if int(number) == 1:
        query.pop(param, None)
    else:
        query[param] = number
    encoded = query.urlencode()
    return ("?" + encoded if encoded else "?") + (f"#{anchor}" if anchor else "")


@register.filter
def plain_excerpt(html, words=40):
    """Rich text as a short plain-text excerpt (meta descriptions of issues and experts)."""
    return Truncator(strip_tags(html or "").replace("\u00a0", " ")).words(int(words), truncate="…")


def json_ld_payload(data):
    """JSON for a data block; the escaping makes "</script>" in a title inert."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)


def json_ld_script(context, payload):
    # A data block is never executed, so CSP does not govern it; the nonce is harmless and keeps
    # strict policies (and auditors) happy.
    nonce = nonce_attr(context)
    return format_html(
        '<script type="application/ld+json"{}{}>{}</script>', " " if nonce else "", nonce, mark_safe(payload)
    )


def person(expert):
    return {
        "@type": "Person",
        "name": expert.name,
        "url": absolute(expert.get_absolute_url()),
        **({"jobTitle": expert.title} if expert.title else {}),
    }


@register.simple_tag(takes_context=True)
def brief_json_ld(context, brief):
    """schema.org NewsArticle for a brief page (kept with the page's parts: briefs/parts.py)."""
    parts = context.get("page_parts")
    return json_ld_script(context, parts.data["json_ld"] if parts else json_ld_payload(brief_json_ld_data(brief)))


def brief_json_ld_data(brief):
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": brief.title,
        "description": brief.summary,
        "url": absolute(brief.get_absolute_url()),
        "mainEntityOfPage": absolute(brief.get_absolute_url()),
        "datePublished": brief.published_at,
        "dateModified": brief.public_updated_at,  # moved by public corrections, not typo fixes
        "articleSection": brief.type.name,
        "keywords": [issue.name for issue in brief.issues.all()],
        "author": [person(author) for author in brief.authors.all()]
        or [{"@type": "Organization", "name": settings.SITE_NAME}],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
            "logo": {"@type": "ImageObject", "url": absolute(static(SITE_LOGO))},
        },
    }


@register.simple_tag(takes_context=True)
def page_part(context, template):
    """One of a page's own parts (briefs/parts.py): kept, or rendered here (a brief's preview and PDF)."""
    parts = context.get("page_parts")
    if parts is not None:
        return parts[template]
    with context.push():
        html = context.template.engine.get_template(template).render(context)
    return mark_safe(html.strip())


@register.simple_tag(takes_context=True)
def expert_json_ld(context, expert):
    """schema.org Person for an expert's profile."""
    data = {"@context": "https://schema.org", **person(expert)}
    if expert.photo:
        data["image"] = absolute(expert.photo.url)
    if expert.program:
        data["affiliation"] = {"@type": "Organization", "name": expert.program}
    data["worksFor"] = {"@type": "Organization", "name": settings.SITE_NAME}
    return json_ld_script(context, json_ld_payload(data))


@register.simple_tag
def describe(text=""):
    """A meta description: the page's own text, shortened, or a line about the site."""
    text = " ".join(str(text or "").split())
    return Truncator(text).chars(300) if text else f"Briefs and expert analysis from {settings.SITE_NAME}."


@register.filter
def iso(value):
    """A machine-readable time for datetime attributes and meta tags, to the second (the HTML
    checker refuses microseconds), in the site's time zone."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


@register.filter
def nav_state(path, section):
    """aria-current for a main-menu link: "page" on the section's own page, "true" below it."""
    if path == section:
        return "page"
    return "true" if str(path).startswith(str(section)) else ""


@register.simple_tag
def site_name():
    """The site's name where no context processor runs (the 500 page is rendered without one)."""
    return settings.SITE_NAME
