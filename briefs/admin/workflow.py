"""The workflow in the brief admin: action buttons, history, corrections and the Schedule page.

Every button posts to a small view that calls a function in ``briefs.workflow``; those functions
check permissions themselves, so a hand-made POST by a contributor gets 403 and changes nothing.
"""

import datetime
import itertools

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from .. import notifications, revisions, workflow
from ..models import Brief, Revision
from .base import POST, SAFE, BriefObjectMixin

TRANSITION_FUNCTIONS = {
    "submit": workflow.submit_for_review,
    "submit_changes": workflow.submit_changes,
    "request_changes": workflow.request_changes,
    "request_pending_changes": workflow.request_pending_changes,
    "publish": workflow.publish,
    "withdraw": workflow.withdraw,
    "reopen": workflow.reopen,
}
SUCCESS_MESSAGES = {
    "submit": "Submitted for review: the editors have been told.",
    "submit_changes": "Changes submitted for review: the editors have been told; readers keep the live version.",
    "request_changes": "Sent back to draft with your comment.",
    "request_pending_changes": "Changes requested with your comment; the pending changes stay pending.",
    "publish": "Published.",
    "withdraw": "Withdrawn: the brief has left the site.",
    "reopen": "Reopened as a draft.",
}
SCHEDULE_DAYS_BACK = 14
PUBLISHING_FIELDS = ("published_at", "expires_at")


YEARS = (1900, 2999)


def check_publishing_time(value):
    """Refuse times no brief is published at, and that the database cannot store once moved to UTC
    (9999-12-31 23:59 in New York is in the year 10000): a form error, not a 500."""
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise ValidationError(f"Pick a time between the years {YEARS[0]} and {YEARS[1]}.", code="out_of_range")


def parse_local_datetime(value):
    """A ``datetime-local`` input ("2026-11-24T09:30"), read in the site's time zone; None if empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise workflow.WorkflowError(f"“{value}” is not a date and time (use YYYY-MM-DD HH:MM).")
    parsed = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    try:
        check_publishing_time(parsed)
    except ValidationError as error:
        raise workflow.WorkflowError(f"“{value}”: {error.messages[0]}") from error
    return parsed


def by_day(briefs, attribute):
    """[(date, [brief, ...]), ...] in the site's time zone, in the order given."""
    key = lambda brief: timezone.localdate(getattr(brief, attribute))  # noqa: E731
    return [(day, list(group)) for day, group in itertools.groupby(briefs, key=key)]


class FollowsBriefInlineMixin:
    """For the brief's inlines: quotes and links are read-only whenever the brief itself is."""

    def _brief_editable(self, request, obj):
        return obj is None or workflow.brief_is_editable_by(obj, request.user)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._brief_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._brief_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._brief_editable(request, obj)


class WorkflowAdminMixin(BriefObjectMixin):
    """Mixed into BriefAdmin: status changes only through transitions, shown per the user's rights."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("schedule/", view(require_http_methods(SAFE)(self.schedule_view)), name=f"{prefix}_schedule"),
            path(
                "<path:object_id>/transition/<str:action>/",
                view(require_http_methods(POST)(self.transition_view)),
                name=f"{prefix}_transition",
            ),
            path(
                "<path:object_id>/correction/",
                view(require_http_methods(POST)(self.correction_view)),
                name=f"{prefix}_correction",
            ),
            *super().get_urls(),
        ]

    # Permissions and fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in PUBLISHING_FIELDS and formfield is not None:
            formfield.validators = [*formfield.validators, check_publishing_time]
        return formfield

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.brief_is_editable_by(obj, request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "status", "corrected_at"]
        if not workflow.is_editor(request.user):
            # Contributors propose; only editors decide when a brief goes out or comes down.
            readonly += PUBLISHING_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        brief = self.get_object(request, unquote(object_id))
        if brief is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, brief)}
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, brief):
        now = timezone.now()
        return {
            "workflow_actions": workflow.available_actions(brief, request.user),
            "workflow_transitions": brief.transitions.select_related("user"),
            "workflow_corrections": brief.corrections.select_related("created_by"),
            "workflow_can_correct": workflow.can_correct(brief, request.user),
            "workflow_is_live": brief.is_live(now),
            "workflow_is_scheduled": brief.status == Brief.Status.PUBLISHED
            and brief.published_at is not None
            and brief.published_at > now,
            "workflow_has_expired": brief.status == Brief.Status.PUBLISHED
            and brief.expires_at is not None
            and brief.expires_at <= now,
            "workflow_editable": workflow.brief_is_editable_by(brief, request.user),
        }

    # Views

    def _back(self, brief):
        return redirect(reverse("admin:briefs_brief_change", args=[brief.pk]))

    def transition_view(self, request, object_id, action):
        if action not in TRANSITION_FUNCTIONS:
            raise Http404("No such action.")
        brief = self._brief_or_404(request, object_id)
        kwargs = {"brief": brief, "user": request.user, "comment": request.POST.get("comment", "")}
        had_pending = action == "withdraw" and revisions.pending_revision(brief) is not None
        try:
            if action == "publish":
                kwargs["at"] = parse_local_datetime(request.POST.get("publish_at"))
            with notifications.collect_failures() as unsent:
                step = TRANSITION_FUNCTIONS[action](**kwargs)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            # Also in the admin's own "History" of the object, next to ordinary edits.
            self.log_change(request, brief, f"{step.get_from_state_display()} → {step.get_to_state_display()}")
            message = SUCCESS_MESSAGES[action]
            if had_pending and revisions.pending_revision(brief) is None:
                message += " Its pending changes are now its content, to be reviewed before it returns."
            if action == "publish" and not brief.is_live():
                local = timezone.localtime(brief.published_at)
                message = f"Scheduled: the brief goes live on {local:%Y-%m-%d} at {local:%H:%M}."
            if unsent:  # the step is done; only the email is missing (logged by briefs.notifications)
                message = message.replace(": the editors have been told", "").rstrip(".")
                messages.warning(request, f"{message}; the notification email could not be sent.")
            else:
                messages.success(request, message)
        return self._back(brief)

    def correction_view(self, request, object_id):
        brief = self._brief_or_404(request, object_id)
        try:
            correction = workflow.add_correction(brief=brief, user=request.user, text=request.POST.get("text", ""))
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            self.log_change(request, brief, f"Correction: {correction.text}")
            messages.success(request, "Correction added: it shows on the brief's page.")
        return self._back(brief)

    def schedule_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        latest = Revision.objects.filter(brief=OuterRef("pk")).order_by("-number")
        # A published brief whose newest revision is not applied has pending changes: they go out
        # only when an editor publishes them, whatever its publication time.
        published = (
            Brief.objects.filter(status=Brief.Status.PUBLISHED)
            .select_related("type")
            .annotate(
                pending_number=Subquery(latest.values("number")[:1]),
                pending_saved_at=Subquery(latest.values("created_at")[:1]),
                latest_applied_at=Subquery(latest.values("applied_at")[:1]),
            )
        )
        upcoming = published.filter(published_at__gt=now).order_by("published_at", "pk")
        expiring = published.filter(expires_at__gt=now).order_by("expires_at", "pk")
        recent = (
            Brief.objects.live()
            .filter(published_at__gte=now - datetime.timedelta(days=SCHEDULE_DAYS_BACK))
            .select_related("type")
            .order_by("-published_at", "-pk")
        )
        pending = published.filter(pending_number__isnull=False, latest_applied_at__isnull=True).order_by(
            "pending_saved_at", "pk"
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Schedule",
            "pending_briefs": pending,
            "now": now,
            "upcoming_days": by_day(upcoming, "published_at"),
            "expiring_days": by_day(expiring, "expires_at"),
            "recent_days": by_day(recent, "published_at"),
            "days_back": SCHEDULE_DAYS_BACK,
        }
        return TemplateResponse(request, "admin/briefs/brief/schedule.html", context)
