"""Preview: render a brief's working copy (or any revision) with the public template.

Context contract with ``templates/briefs/brief_detail.html`` (the public detail view passes the
same names): ``brief`` and ``object`` are a Brief whose content fields come from the revision
and whose ``quotes``, ``related_links``, ``authors`` and ``issues`` answer ``.all`` from memory
(``PreviewBrief``), with each quote's ``expert`` and each link's ``target_brief`` loaded.
Previews add ``preview`` (True) and ``preview_label``; ``base.html`` shows the "Preview — not
published" banner and a robots ``noindex`` meta tag when ``preview`` is set.

Share links: ``/preview/<token>/``, where the token is a PreviewLink's random key signed with
``django.core.signing.Signer`` (salt ``PREVIEW_SALT``). Who may do what with share links follows
the workflow (``may_*`` below, enforced by the services, the admin only asks them): anyone who
may edit a brief makes links of up to ``DEFAULT_LINK_DAYS`` and sees and revokes their own; only
users who may publish make longer links and see or revoke other people's. A tampered or unknown token answers 404; an
expired or revoked link answers 410 Gone with a short explanation. Every request with a known
link is logged (PreviewLinkUse), and every answer carries ``Cache-Control: private, no-store``
and ``X-Robots-Tag: noindex``.
"""

import datetime
import ipaddress
import uuid
from functools import wraps

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from experts.models import Expert
from issues.models import Issue

from .models import Brief, BriefType, ExpertQuote, PreviewLink, PreviewLinkUse, RelatedLink
from .revisions import set_picture, working_copy

PREVIEW_SALT = "briefs.preview-link"
DEFAULT_LINK_DAYS = 7
MAX_LINK_DAYS = 90


class Related:
    """What the brief's templates read of a related manager (``.all``), answered from memory."""

    def __init__(self, items):
        self.items = list(items)

    def all(self):
        return self.items


class PreviewBrief:
    """A brief as revision data shows it, for rendering only (nothing is ever saved): its fields
    are set from the data on a copy of the brief read for the purpose, and its quotes, related
    links, authors and issues come from the data, answered from memory. Anything else is the brief's."""

    def __init__(self, brief, *, quotes, related_links, authors, issues):
        self.brief = brief
        self.quotes, self.related_links = Related(quotes), Related(related_links)
        self.authors, self.issues = Related(authors), Related(issues)

    def __getattr__(self, name):  # only for what is not set above
        return getattr(self.brief, name)


def preview_brief(brief, data):
    """A copy of ``brief`` showing ``data`` (revision data) instead of its row (``PreviewBrief``)."""
    copy = Brief.objects.select_related("type").get(pk=brief.pk)
    for name in ("title", "slug", "summary", "developments", "body"):
        setattr(copy, name, data[name])
    copy.type = BriefType.objects.filter(pk=data["type"]).first() or copy.type
    set_picture(copy, data)  # a pending picture is stored with its renditions: shown here only
    experts = Expert.objects.in_bulk(set(data["authors"]) | {q["expert"] for q in data["quotes"]})
    # As on the public page: internal related reading shows only briefs that are live.
    targets = (
        Brief.objects.live()
        .select_related("type")
        .in_bulk([link["target_brief"] for link in data["related_links"] if link["target_brief"]])
    )
    quotes = [
        ExpertQuote(brief=copy, expert=experts[q["expert"]], text=q["text"], expert_title=q["expert_title"])
        for q in data["quotes"]
        if q["expert"] in experts
    ]
    links = [
        RelatedLink(
            brief=copy,
            target_brief=targets.get(link["target_brief"]),
            url=link["url"],
            title=link["title"],
            byline=link["byline"],
            order=link["order"],
        )
        for link in data["related_links"]
        if link["target_brief"] is None or link["target_brief"] in targets
    ]
    return PreviewBrief(
        copy,
        quotes=quotes,
        related_links=links,
        authors=[experts[pk] for pk in data["authors"] if pk in experts],
        issues=Issue.objects.filter(pk__in=data["issues"]).order_by("name"),
    )


def render_preview(request, brief, data, *, label, status=200):
    preview = preview_brief(brief, data)
    context = {"brief": preview, "object": preview, "preview": True, "preview_label": label}
    return private_noindex(render(request, "briefs/brief_detail.html", context, status=status))


def private_noindex(response):
    """Never stored by a shared cache or browser, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _signer():
    return signing.Signer(salt=PREVIEW_SALT)


def make_token(link):
    """``<key hex>:<signature>``: URL-safe, and worthless without the site's SECRET_KEY."""
    return _signer().sign(link.key.hex)


# -- who may do what with share links (one place; tests/test_share_link_permissions.py) ------------


def _may_publish(user):
    return user.has_perm("briefs.publish_brief")


def max_link_days(user):
    """The longest link ``user`` may make: a link outliving the review is a publishing decision."""
    return MAX_LINK_DAYS if _may_publish(user) else DEFAULT_LINK_DAYS


def may_see_link(user, link):
    return link.created_by_id == user.pk or _may_publish(user)


def may_revoke_link(user, link):
    return link.created_by_id == user.pk or _may_publish(user)


def visible_links(brief, user):
    """The brief's links ``user`` may see (and copy the address of): their own, or all for publishers."""
    links = PreviewLink.objects.filter(brief=brief)
    return links if _may_publish(user) else links.filter(created_by=user)


def create_preview_link(*, brief, user, days=DEFAULT_LINK_DAYS, revision=None, note=""):
    """A share-preview link for ``brief`` (its latest working copy, or ``revision``) valid ``days`` days.

    The caller has checked that ``user`` may edit the brief; longer links than ``max_link_days(user)``
    raise PermissionDenied.
    """
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ValueError(f"A preview link lasts 1 to {MAX_LINK_DAYS} days.")
    if days > max_link_days(user):
        raise PermissionDenied(f"Only editors who may publish make links longer than {DEFAULT_LINK_DAYS} days.")
    if revision is not None and revision.brief_id != brief.pk:
        raise ValueError("That revision belongs to another brief.")
    now = timezone.now()
    return PreviewLink.objects.create(
        brief=brief,
        revision=revision,
        note=note,
        created_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )


def revoke_preview_link(*, link, user):
    """Revoke ``link``; PermissionDenied unless it is ``user``'s own or ``user`` may publish."""
    if not may_revoke_link(user, link):
        raise PermissionDenied("Only editors who may publish revoke other people's share links.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def truncated_ip(request):
    """The client address cut to its network (IPv4 /24, IPv6 /48): enough to tell uses apart."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _never_cached(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "briefs/preview_gone.html", {"reason": "unknown"}, status=404)
        return private_noindex(response)

    return wrapped


@_never_cached
@require_safe
def shared_preview(request, token):
    """The public end of a share-preview link (no account needed)."""
    try:
        key = uuid.UUID(_signer().unsign(token))
        link = PreviewLink.objects.select_related("brief", "revision").get(key=key)
    except (signing.BadSignature, PreviewLink.DoesNotExist, ValueError) as error:
        raise Http404("No such preview.") from error
    state = link.state()
    PreviewLinkUse.objects.create(
        link=link,
        ip_prefix=truncated_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        outcome="shown" if state == "usable" else state,
    )
    if state != "usable":
        return render(request, "briefs/preview_gone.html", {"reason": state, "link": link}, status=410)
    data = link.revision.data if link.revision else working_copy(link.brief)
    label = f"revision {link.revision.number}" if link.revision else "latest working copy"
    return render_preview(request, link.brief, data, label=label)
