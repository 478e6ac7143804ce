"""Admin pages around a brief's revisions: history, compare, restore, publish pending changes,
preview and share-preview links. Mixed into BriefAdmin through ``RevisionAdminMixin``."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import notifications, presence
from ..models import PreviewLink, Revision
from ..preview import (
    DEFAULT_LINK_DAYS,
    MAX_LINK_DAYS,
    create_preview_link,
    make_token,
    max_link_days,
    may_revoke_link,
    render_preview,
    revoke_preview_link,
    visible_links,
)
from ..revision_diff import compare
from ..revisions import (
    data_from_forms,
    live_revision,
    pending_revision,
    publish_revision,
    restore_revision,
    working_copy,
)
from .base import POST, SAFE, SAFE_OR_POST, BriefObjectMixin


class ShareForm(forms.Form):
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=MAX_LINK_DAYS,
        initial=DEFAULT_LINK_DAYS,
        help_text=f"The link stops working after this many days (1 to {MAX_LINK_DAYS}); you can revoke it sooner.",
    )
    revision = forms.ModelChoiceField(
        queryset=Revision.objects.none(),
        required=False,
        empty_label="The latest working copy (follows later edits)",
        help_text="What the reviewer sees.",
    )
    note = forms.CharField(max_length=200, required=False, help_text="Who it is for; only editors see this.")

    def __init__(self, *args, brief, max_days=MAX_LINK_DAYS, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's own limit (briefs.preview.max_link_days); the service refuses longer links anyway.
        days = self.fields["days"]
        days.max_value = max_days
        days.validators = [v for v in days.validators if not isinstance(v, MaxValueValidator)]
        days.validators.append(MaxValueValidator(max_days))
        days.widget.attrs["max"] = max_days
        days.help_text = f"The link stops working after this many days (1 to {max_days}); you can revoke it sooner."
        if max_days < MAX_LINK_DAYS:
            days.help_text += f" Longer links (up to {MAX_LINK_DAYS} days) are made by editors who may publish."
        self.fields["revision"].queryset = brief.revisions.order_by("-number")
        self.fields["revision"].label_from_instance = lambda rev: f"Revision {rev.number} ({rev.author_name})"


class RevisionViewsMixin(BriefObjectMixin):
    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        # Each route answers only the methods it is for (anything else: 405, before any lookup).
        routes = [
            ("revisions/", self.revisions_view, "revisions", SAFE),
            ("revisions/compare/", self.compare_view, "compare", SAFE),
            ("revisions/<int:revision_id>/restore/", self.restore_view, "restore", POST),
            ("revisions/<int:revision_id>/preview/", self.revision_preview_view, "revision_preview", SAFE),
            ("revisions/<int:revision_id>/publish/", self.publish_pending_view, "publish_pending", POST),
            ("preview/", self.preview_view, "preview", SAFE_OR_POST),
            ("share/", self.share_view, "share", SAFE_OR_POST),
            ("share/<int:link_id>/revoke/", self.revoke_share_view, "revoke_share", POST),
            ("presence/", self.presence_view, "presence", POST),
        ]
        urls = [
            path(f"<path:object_id>/{route}", wrap(require_http_methods(methods)(view)), name=f"{prefix}_{name}")
            for route, view, name, methods in routes
        ]
        return urls + super().get_urls()

    # -- helpers --------------------------------------------------------------------------------

    def _revision_or_404(self, brief, revision_id):
        # Scoped to the brief: a hand-made URL pairing one brief with another's revision is a 404.
        return get_object_or_404(Revision.objects.select_related("created_by"), pk=revision_id, brief=brief)

    def _context(self, request, brief, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": brief,
            "brief": brief,
            "title": title,
            "subtitle": str(brief),
            "has_view_permission": True,
            **extra,
        }

    def _history_url(self, brief):
        return reverse("admin:briefs_brief_revisions", args=[brief.pk])

    # -- views ----------------------------------------------------------------------------------

    def revisions_view(self, request, object_id):
        """The brief's history: every revision (to compare, preview, restore), every workflow step and
        every correction."""
        brief = self._brief_or_404(request, object_id)
        revisions = list(brief.revisions.select_related("created_by").order_by("-number"))
        live, pending = live_revision(brief), pending_revision(brief)
        for revision in revisions:
            if pending and revision.pk == pending.pk:
                revision.marker = "pending"
            elif live and revision.pk == live.pk:
                revision.marker = "live" if brief.status == brief.Status.PUBLISHED else "current"
            else:
                revision.marker = ""
        context = self._context(
            request,
            brief,
            "History",
            revisions=revisions,
            transitions=brief.transitions.select_related("user").order_by("-at", "-pk"),
            corrections=brief.corrections.select_related("created_by").order_by("-at", "-pk"),
            can_change=self.has_change_permission(request, brief),
            can_publish=request.user.has_perm("briefs.publish_brief"),
            pending=pending,
            live=live,
        )
        return TemplateResponse(request, "admin/briefs/brief/revisions.html", context)

    def compare_view(self, request, object_id):
        brief = self._brief_or_404(request, object_id)
        try:
            old = self._revision_or_404(brief, int(request.GET.get("a", "")))
            new = self._revision_or_404(brief, int(request.GET.get("b", "")))
        except ValueError as error:
            raise Http404("Pick two revisions to compare.") from error
        if old.number > new.number:
            old, new = new, old
        context = self._context(
            request,
            brief,
            f"Revision {old.number} compared with revision {new.number}",
            old=old,
            new=new,
            fields=compare(old, new),
            can_change=self.has_change_permission(request, brief),
        )
        return TemplateResponse(request, "admin/briefs/brief/compare.html", context)

    def restore_view(self, request, object_id, revision_id):
        brief = self._brief_or_404(request, object_id, change=True)
        revision = self._revision_or_404(brief, revision_id)
        try:
            restored = restore_revision(revision=revision, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self._history_url(brief))
        if restored.applied_at:
            messages.success(request, f"Revision {revision.number} restored as revision {restored.number}.")
        else:
            messages.success(
                request,
                f"Revision {revision.number} restored as pending revision {restored.number}; "
                "readers see the live version until it is published.",
            )
        return HttpResponseRedirect(self._history_url(brief))

    def publish_pending_view(self, request, object_id, revision_id):
        brief = self._brief_or_404(request, object_id)
        revision = self._revision_or_404(brief, revision_id)
        if not request.user.has_perm("briefs.publish_brief"):
            raise PermissionDenied
        if revision != pending_revision(brief):
            # An old revision goes live only through "restore" (which makes it the pending one),
            # so the history always reads in order.
            messages.error(request, f"Revision {revision.number} is not the pending revision; restore it first.")
            return HttpResponseRedirect(self._history_url(brief))
        try:
            with notifications.collect_failures() as unsent:
                publish_revision(revision=revision, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("admin:briefs_brief_change", args=[brief.pk]))
        if unsent:  # published all the same; the failure is logged by briefs.notifications
            message = f"Revision {revision.number} is now the live version; the notification email could not be sent."
            messages.warning(request, message)
        else:
            messages.success(request, f"Revision {revision.number} is now the live version.")
        return HttpResponseRedirect(reverse("admin:briefs_brief_change", args=[brief.pk]))

    def preview_view(self, request, object_id):
        """GET: the working copy. POST (the change form's "Preview unsaved changes" button): the
        form's input as it stands, without saving anything (only for users who may change the brief:
        anyone else sees a read-only page, with nothing unsaved to preview)."""
        brief = self._brief_or_404(request, object_id, change=request.method == "POST")
        if request.method != "POST":
            return render_preview(request, brief, working_copy(brief), label="latest working copy")
        data = request.POST.copy()
        data.pop("opened_revision", None)  # a preview is not a save: no conflict to refuse
        form_class = self.get_form(
            request, brief, change=True, fields=flatten_fieldsets(self.get_fieldsets(request, brief))
        )
        form = form_class(data, request.FILES, instance=brief)
        formsets = [
            FormSet(
                data,
                request.FILES,
                instance=brief,
                prefix=FormSet.get_default_prefix(),
                queryset=inline.get_queryset(request),
            )
            for FormSet, inline in self.get_formsets_with_inlines(request, brief)
        ]
        if not (form.is_valid() and all_valid(formsets)):
            context = self._context(request, brief, "Preview unavailable", form=form, formsets=formsets)
            return TemplateResponse(request, "admin/briefs/brief/preview_errors.html", context, status=400)
        return render_preview(request, brief, data_from_forms(form, formsets), label="unsaved changes")

    def revision_preview_view(self, request, object_id, revision_id):
        brief = self._brief_or_404(request, object_id)
        revision = self._revision_or_404(brief, revision_id)
        return render_preview(request, brief, revision.data, label=f"revision {revision.number}")

    def share_view(self, request, object_id):
        # Change permission even to look: the page lists working links.
        brief = self._brief_or_404(request, object_id, change=True)
        form = ShareForm(request.POST or None, brief=brief, max_days=max_link_days(request.user))
        if request.method == "POST" and form.is_valid():
            link = create_preview_link(
                brief=brief,
                user=request.user,
                days=form.cleaned_data["days"],
                revision=form.cleaned_data["revision"],
                note=form.cleaned_data["note"],
            )
            url = request.build_absolute_uri(reverse("shared_preview", args=[make_token(link)]))
            until = timezone.localtime(link.expires_at)
            messages.success(request, f"Share this link (valid until {until:%Y-%m-%d %H:%M %Z}): {url}")
            return HttpResponseRedirect(reverse("admin:briefs_brief_share", args=[brief.pk]))
        links = list(
            visible_links(brief, request.user).select_related("revision", "created_by").prefetch_related("uses")
        )
        for link in links:
            link.url = request.build_absolute_uri(reverse("shared_preview", args=[make_token(link)]))
            link.can_revoke = may_revoke_link(request.user, link)
        context = self._context(request, brief, "Share preview", form=form, links=links, can_change=True)
        return TemplateResponse(request, "admin/briefs/brief/share.html", context)

    def revoke_share_view(self, request, object_id, link_id):
        brief = self._brief_or_404(request, object_id, change=True)
        link = get_object_or_404(PreviewLink, pk=link_id, brief=brief)
        revoke_preview_link(link=link, user=request.user)  # PermissionDenied (403) for others' links
        messages.success(request, "The preview link is revoked; it no longer shows the brief.")
        return HttpResponseRedirect(reverse("admin:briefs_brief_share", args=[brief.pk]))

    def presence_view(self, request, object_id):
        """Heartbeat from an open change page (static/briefs/admin/presence.js), of a user who may edit
        it; ``leave`` when the page is closed or left."""
        brief = self._brief_or_404(request, object_id, change=True)
        if request.POST.get("leave"):
            presence.stop_editing(brief_pk=brief.pk, user=request.user)
            return JsonResponse({"others": []})
        presence.mark_editing(brief_pk=brief.pk, user=request.user)
        others = presence.other_editors(brief_pk=brief.pk, user=request.user)
        return JsonResponse({"others": [name for name, _ in others]})
