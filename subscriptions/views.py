"""The public pages of email alerts: sign up, confirm, manage, leave. Thin: the work is in signup.py.

Pages reached by a signed link are never cached, never indexed, and answer a bad link with a page
that says what is wrong (400 for a tampered link, 410 for an expired or dead one).
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import signup, tokens
from .forms import SubscribeForm, TopicsForm


def client_address(request):
    """The reader's IP for the per-client limit. Behind a proxy set ALERTS_CLIENT_IP_HEADER
    (e.g. HTTP_X_REAL_IP) to the header the proxy sets, or every reader shares the proxy's address."""
    header = settings.ALERTS.get("CLIENT_IP_HEADER")
    return (header and request.META.get(header, "").split(",")[-1].strip()) or request.META.get("REMOTE_ADDR", "")


TITLES = {
    "subscribe": "Email alerts",
    "sent": "Check your inbox",
    "throttled": "Too many sign-ups",
    "confirm": "Confirm your email alerts",
    "manage": "Your email alerts",
    "leave": "Unsubscribe",
    "left": "Unsubscribed",
    "bad_link": "This link does not work",
}


def _render(request, name, context=None, status=200):
    context = {"page_title": TITLES[name], "noindex": name != "subscribe", **(context or {})}
    return render(request, f"subscriptions/{name}.html", context, status=status)


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _bad_link(request, error):
    expired = "expired" in str(error) or "no longer" in str(error)
    response = _render(request, "bad_link", {"message": str(error)}, status=410 if expired else 400)
    return _noindex(response)


def _with_subscriber(purpose):
    """Decorator: resolve the signed token to a subscriber, or show the bad-link page."""

    def decorate(view):
        def wrapped(request, token, **kwargs):
            try:
                subscriber = tokens.read(token, purpose)
            except tokens.BadLink as error:
                return _bad_link(request, error)
            return _noindex(view(request, subscriber, token=token, **kwargs))

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return never_cache(wrapped)

    return decorate


def _initial(request):
    """/subscribe/?issue=iran&expert=...&type=... preselects topics (unknown slugs are simply not ticked)."""
    return {
        name: request.GET.getlist(key) for name, key in (("issues", "issue"), ("experts", "expert"), ("types", "type"))
    }


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            signup.sign_up(email=form.cleaned_data["email"], client=client_address(request), **form.topics())
        except signup.Throttled:
            return _render(request, "throttled", status=429)
        return redirect("subscriptions:sent")
    return _render(request, "subscribe", {"form": form}, status=400 if form.errors else 200)


@require_GET
def sent(request):
    return _render(request, "sent", {"days": settings.ALERTS["CONFIRM_DAYS"]})


@require_http_methods(["GET", "POST"])
@_with_subscriber(tokens.CONFIRM)
def confirm(request, subscriber, token):
    """GET shows a button (mail scanners follow links; only a person confirms); POST confirms."""
    if request.method == "POST":
        signup.confirm(subscriber=subscriber)
        return redirect("subscriptions:manage", token=tokens.make(subscriber, tokens.MANAGE))
    return _render(request, "confirm", {"subscriber": subscriber})


@require_http_methods(["GET", "POST"])
@_with_subscriber(tokens.MANAGE)
def manage(request, subscriber, token):
    if subscriber.confirmed_at is None:  # a manage link for an unconfirmed sign-up confirms nothing
        return _bad_link(request, tokens.BadLink("These alerts are not confirmed yet: use the confirmation email."))
    initial = {
        "frequency": subscriber.frequency,
        "everything": subscriber.everything,
        "issues": subscriber.issues.all(),
        "experts": subscriber.experts.all(),
        "types": subscriber.types.all(),
    }
    form = TopicsForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        signup.change(subscriber=subscriber, **form.topics())
        saved = True
    context = {"form": form, "subscriber": subscriber, "token": token, "saved": saved}
    return _render(request, "manage", context, status=400 if form.errors else 200)


@require_GET
@_with_subscriber(tokens.MANAGE)
def export(request, subscriber, token):
    response = HttpResponse(signup.export_json(subscriber=subscriber), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-email-alerts.json"'
    return response


@require_http_methods(["GET", "POST"])
@_with_subscriber(tokens.MANAGE)
def delete(request, subscriber, token):
    if request.method == "POST":
        signup.leave(subscriber=subscriber)
        return _render(request, "left", {"deleted": True})
    return _render(request, "leave", {"subscriber": subscriber, "delete": True})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs with no cookie and no token but the link's own
@require_http_methods(["GET", "POST"])
@_with_subscriber(tokens.MANAGE)
def unsubscribe(request, subscriber, token):
    """POST (from the mail client's "Unsubscribe", or the button on the GET page) unsubscribes at once."""
    if request.method == "POST":
        signup.leave(subscriber=subscriber)
        return _render(request, "left", {"deleted": False})
    return _render(request, "leave", {"subscriber": subscriber, "delete": False})
