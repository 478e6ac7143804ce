"""The workflow in the brief admin: action buttons, history, corrections and the Schedule page.

The change page's buttons submit the whole change form (``briefs.admin.steps``): the edits are
saved first, then the step runs. The steps are functions in ``briefs.workflow`` that check
permissions themselves, so a hand-made POST by a contributor gets 403 and changes nothing.
"""

import datetime
import itertools

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import checks, notifications, revisions, workflow
from ..models import Brief, Revision
from .base import POST, SAFE, BriefObjectMixin
from .state import brief_state
from .steps import TRANSITION_FUNCTIONS, available_steps, check_publishing_time, check_step, requested_step, run_step

SCHEDULE_DAYS_BACK = 14
PUBLISHING_FIELDS = ("published_at", "expires_at")


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


def step_form(form_class, *, brief, user):
    """``form_class`` that also checks what the pressed workflow button needs: a missing comment or
    a bad time is a form error, so nothing is saved and nothing runs."""

    class StepForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for error in check_step(requested_step(self.data), self.data, brief=brief, user=user):
                self.add_error(None, error)
            return cleaned

    return StepForm


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None or request.method != "POST" or not requested_step(request.POST):
            return form_class
        return step_form(form_class, brief=obj, user=request.user)

    def response_change(self, request, obj):
        """After a valid save: run the step whose button was pressed, then back to the brief."""
        step = requested_step(request.POST)
        if step is None:
            return super().response_change(request, obj)
        # The form's instance may hold content that went into a pending revision, not the row.
        brief = Brief.objects.get(pk=obj.pk)
        run_step(self, request, brief, step, request.POST)
        return self._back(brief)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        brief = self.get_object(request, unquote(object_id))
        if brief is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, brief)}
        if request.method != "POST" or not requested_step(request.POST):
            return super().change_view(request, object_id, form_url, extra_context)
        # A step's emails go out when the view's transaction commits, inside this block.
        with notifications.collect_failures() as unsent:
            response = super().change_view(request, object_id, form_url, extra_context)
        if unsent:  # the step is done; only the email is missing (logged by briefs.notifications)
            messages.warning(request, "The step is done, but the notification email could not be sent.")
        return response

    def workflow_context(self, request, brief):
        pending = revisions.pending_revision(brief)
        state = brief_state(brief, has_pending=pending is not None)
        actions = workflow.available_actions(brief, request.user)
        # The review screen: what Publish (or publishing the pending changes) would check.
        publish_checks = []
        if any(action.name == "publish" for action in actions):
            publish_checks = checks.run_checks(revisions.snapshot(brief))
        elif pending is not None and workflow.is_editor(request.user):
            publish_checks = checks.run_checks(pending.data)
        return {
            "publish_checks": publish_checks,
            "publish_checks_failed": bool(checks.failed(publish_checks)),
            "brief_state": state,
            "workflow_actions": actions,
            # A workflow button's POST came back with errors: they are repeated next to the buttons.
            "workflow_step_posted": request.method == "POST" and bool(requested_step(request.POST)),
            "workflow_transitions": brief.transitions.select_related("user"),
            "workflow_corrections": brief.corrections.select_related("created_by"),
            "workflow_can_correct": workflow.can_correct(brief, request.user),
            "workflow_is_live": state.is_live,
            "workflow_editable": workflow.brief_is_editable_by(brief, request.user),
        }

    # Views

    def _back(self, brief):
        return redirect(reverse("admin:briefs_brief_change", args=[brief.pk]))

    def transition_view(self, request, object_id, action):
        if action not in TRANSITION_FUNCTIONS:
            raise Http404("No such action.")
        return self._one_step(request, object_id, action)

    def correction_view(self, request, object_id):
        data = request.POST.copy()
        data["correction_text"] = data.get("text", "")
        data["correction_notify"] = data.get("notify", "")
        return self._one_step(request, object_id, "correction", data)

    def _one_step(self, request, object_id, step, data=None):
        """A step posted on its own (no edits with it): checked as the change form's buttons are."""
        brief = self._brief_or_404(request, object_id)
        data = request.POST if data is None else data
        if step not in available_steps(brief, request.user):
            # Not for this user or state: the workflow function says exactly why (403, or a message).
            run_step(self, request, brief, step, data, forbidden_raises=True)
            return self._back(brief)
        errors = check_step(step, data, brief=brief, user=request.user)
        for error in errors:
            messages.error(request, error)
        if not errors:
            run_step(self, request, brief, step, data)
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
