"""Email alerts in the admin: counts for editors; who follows what only with a dedicated permission.

- "Sends per brief" (Announcement list): queued, sent, failed per announcement, no addresses.
- "Followers per topic": counts per issue, expert and type, no addresses.
- "Remove an address": type an address, it is deleted; the page never says what it followed.
- The Subscriber list (addresses and their topics) needs ``subscriptions.view_followers``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from briefs.models import BriefType
from experts.models import Expert
from issues.models import Issue

from . import signup
from .models import Announcement, Delivery, Subscriber

COUNTS = "subscriptions.view_alert_counts"
FOLLOWERS = "subscriptions.view_followers"
REMOVE = "subscriptions.remove_subscriber"
S = Delivery.Status


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "everything", "created_at", "confirmed_at"]
    list_filter = ["frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at", "confirmed_at"]
    filter_horizontal = ["issues", "experts", "types"]

    # Addresses and what they follow: only for holders of the dedicated permission.
    def has_module_permission(self, request):
        return request.user.has_perm(FOLLOWERS)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(FOLLOWERS)

    def has_add_permission(self, request):
        return False  # sign-ups go through double opt-in only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(FOLLOWERS) and request.user.has_perm(REMOVE)


class RemoveForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Sends per brief, and the two count-only pages hung off it."""

    list_display = ["brief", "kind", "created_at", "queued", "held", "sent", "failed"]
    list_filter = ["kind"]
    list_select_related = ["brief"]
    date_hierarchy = "created_at"
    search_fields = ["brief__title"]
    change_list_template = "admin/subscriptions/announcement_changelist.html"

    def get_queryset(self, request):
        counts = {
            name: Count("deliveries", filter=Q(deliveries__status__in=statuses))
            for name, statuses in (
                ("n_queued", [S.QUEUED, S.SENDING]),
                ("n_held", [S.HELD]),
                ("n_sent", [S.SENT]),
                ("n_failed", [S.FAILED]),
            )
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="queued", ordering="n_queued")
    def queued(self, obj):
        return obj.n_queued

    @admin.display(description="held for digests", ordering="n_held")
    def held(self, obj):
        return obj.n_held

    @admin.display(description="sent", ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(description="failed", ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    def has_module_permission(self, request):
        return request.user.has_perm(COUNTS)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(COUNTS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra = {"can_remove": request.user.has_perm(REMOVE), "title": "Sends per brief", **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("followers/", wrap(self.followers_view), name="subscriptions_followers"),
            path("remove/", wrap(self.remove_view), name="subscriptions_remove"),
            *super().get_urls(),
        ]

    def followers_view(self, request):
        if not request.user.has_perm(COUNTS):
            raise PermissionDenied
        confirmed = Q(email_subscribers__confirmed_at__isnull=False)

        def counted(model):
            rows = model.objects.annotate(n=Count("email_subscribers", filter=confirmed)).order_by("-n", "name")
            return [(row.name, row.n) for row in rows]

        context = {
            **self.admin_site.each_context(request),
            "title": "Followers per topic",
            "opts": self.model._meta,
            "total": Subscriber.objects.confirmed().count(),
            "everything": Subscriber.objects.confirmed().filter(everything=True).count(),
            "pending": Subscriber.objects.filter(confirmed_at__isnull=True).count(),
            "groups": [("Issues", counted(Issue)), ("Experts", counted(Expert)), ("Types", counted(BriefType))],
        }
        return TemplateResponse(request, "admin/subscriptions/followers.html", context)

    def remove_view(self, request):
        if not request.user.has_perm(REMOVE):
            raise PermissionDenied
        form = RemoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            email = signup.normalise_email(form.cleaned_data["email"])
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is None:
                messages.warning(request, f"No alerts go to {email}: nothing to remove.")
            else:
                signup.leave(subscriber=subscriber)
                messages.success(request, f"Removed {email} from the email alerts, with everything it followed.")
            return redirect(reverse("admin:subscriptions_remove"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove an address from the email alerts",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/subscriptions/remove.html", context)
