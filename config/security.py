"""Who is asking (the client's address behind our proxy) and how long a staff session lasts idle."""

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse

# The session key holding the time (epoch seconds) of the user's last admin request.
LAST_ACTIVITY_KEY = "staff_last_activity"
# Writing the session on every admin request is wasted work: a minute's precision is enough.
ACTIVITY_RESOLUTION_SECONDS = 60


def client_ip(request):
    """The client's address: ``X-Real-IP`` when the connection comes from a trusted proxy (nginx
    sets it from the connection it accepted), otherwise the connection's own address. A header a
    client sends straight to gunicorn is ignored, so nobody can pose as another address."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.TRUSTED_PROXY_IPS:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return remote


def _is_heartbeat(request):
    # The brief change page's "who is editing" ping (static/briefs/admin/presence.js) runs on a
    # timer: an open tab nobody looks at is not activity.
    return request.path.endswith("/presence/")


class StaffIdleTimeoutMiddleware:
    """Signs a signed-in user out after ``STAFF_SESSION_IDLE_MINUTES`` without an admin request.

    Only admin requests are looked at: public pages never touch the session (they stay cacheable),
    and only staff have accounts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        if request.path.startswith(self.prefix) and request.user.is_authenticated:
            now = time.time()
            idle_limit = settings.STAFF_SESSION_IDLE_MINUTES * 60
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > idle_limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.STAFF_SESSION_IDLE_MINUTES} minutes without "
                    "activity. Sign in again to continue.",
                )
                login = reverse("admin:login")
                return HttpResponseRedirect(f"{login}?next={request.path}")
            if not _is_heartbeat(request) and (last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a login while locked out: the admin's look, a plain explanation, 429."""
    from django.contrib import admin
    from django.template.response import TemplateResponse

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": minutes,
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response.render()
