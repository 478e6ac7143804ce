"""The brief change form's side of revisions: pending edits of live briefs, no lost updates,
"who else is editing".

How an edit of a published brief stays invisible: the change form and its inlines are filled
from the working copy (the pending revision, else the live row), the inline formsets are
unbound from the live quote/link rows (every row posts as a new one), and saving records the
posted content as a pending revision instead of writing the brief. Publishing that revision
(``briefs.revisions.publish_revision``) writes it to the live brief.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.conflicts import stale_edit_form
from serving import invalidate_everything

from .. import presence
from ..models import Brief, ExpertQuote, RelatedLink
from ..revisions import (
    apply_data,
    data_from_forms,
    ensure_baseline,
    is_edited_as_pending,
    latest_revision,
    live_revision,
    pending_revision,
    save_revision,
    snapshot,
    working_copy,
)
from .revision_views import RevisionViewsMixin

INLINE_KEYS = {ExpertQuote: "quotes", RelatedLink: "related_links"}
WORKFLOW_STATE_FIELDS = ["status", "published_at", "expires_at"]
FORM_FIELDS_FROM_DATA = ["title", "slug", "type", "summary", "authors", "issues", "developments", "body"]
PICTURE_TEXT_FIELDS_FROM_DATA = ["lead_image_alt", "lead_image_caption", "lead_image_credit"]


def conflict_message(brief, opened, latest):
    when = timezone.localtime(latest.created_at)
    compare = reverse("admin:briefs_brief_compare", args=[brief.pk])
    return format_html(
        "This brief was changed by {name} at {when} after you opened it (revision {latest}; you opened "
        'revision {opened}). <a href="{compare}?a={opened_id}&amp;b={latest_id}">Compare their changes</a>. '
        "Your input is kept below: saving again replaces their version with yours (theirs stays in the history).",
        name=latest.author_name,
        when=f"{when:%Y-%m-%d %H:%M:%S %Z}",
        latest=latest.number,
        opened=opened.number if opened else 0,
        compare=compare,
        opened_id=opened.pk if opened else latest.pk,
        latest_id=latest.pk,
    )


def working_picture(brief, working):
    """The working copy's lead picture as the value a file field shows and keeps ("Currently: …")."""
    name = working.get("lead_image", brief.lead_image.name or "")  # revisions before #13: the live one
    field = Brief._meta.get_field("lead_image")
    return field.attr_class(brief, field, name) if name else None  # an ImageFieldFile


def revision_form(form_class, brief, working):
    """``form_class`` plus the revision the form was opened at, refusing saves over newer ones
    (the admin's one no-lost-update mechanism, ``core.conflicts``).

    ``working`` (a live brief's working copy, else None) fills the form when it is opened. Its
    picture is also the picture field's initial value when the form is posted: a post without a new
    upload keeps the pending picture (not the live one), and the brief's checks (alt text with a
    picture) see the picture the revision will have.
    """

    def refusal(opened_number, latest):
        # Opened before any revision existed: revision 1 then keeps what the page showed.
        opened = brief.revisions.filter(number=max(opened_number, 1)).first()
        return conflict_message(brief, opened, latest)

    checked = stale_edit_form(
        form_class,
        field="opened_revision",
        latest=lambda: latest_revision(brief),
        lock=lambda: Brief.objects.select_for_update().filter(pk=brief.pk).first(),
        refusal=refusal,
    )

    class RevisionForm(checked):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if working is None:
                return
            if not self.is_bound:
                self.initial.update({name: working[name] for name in FORM_FIELDS_FROM_DATA})
                self.initial.update({name: working[name] for name in PICTURE_TEXT_FIELDS_FROM_DATA if name in working})
            if "lead_image" in self.fields:
                self.initial["lead_image"] = working_picture(brief, working)

    return RevisionForm


class RevisionAdminMixin(RevisionViewsMixin):
    """Mix into BriefAdmin (before admin.ModelAdmin)."""

    change_form_template = "admin/briefs/brief/change_form.html"

    def _pending_mode(self, request, obj):
        """Whether this request edits a published brief (saves become pending revisions).

        Decided once per request, from the database, before the form touches ``obj``.
        """
        if obj is None or obj.pk is None:
            return False
        cache = request.__dict__.setdefault("_brief_pending_mode", {})
        if obj.pk not in cache:
            cache[obj.pk] = is_edited_as_pending(obj)
        return cache[obj.pk]

    def _working_copy(self, request, obj):
        cache = request.__dict__.setdefault("_brief_working_copy", {})
        if obj.pk not in cache:
            cache[obj.pk] = working_copy(obj)
        return cache[obj.pk]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form_class
        # An unbound form (the page being opened) shows the working copy; a posted one keeps its picture.
        pending = self._pending_mode(request, obj)
        return revision_form(form_class, obj, self._working_copy(request, obj) if pending else None)

    def get_formsets_with_inlines(self, request, obj=None):
        if not self._pending_mode(request, obj):
            yield from super().get_formsets_with_inlines(request, obj)
            return
        for inline in self.get_inline_instances(request, obj):
            # Opening the page: one form per row of the working copy. Posting: the management form counts.
            stored = len(self._working_copy(request, obj).get(INLINE_KEYS.get(inline.model), []))
            formset_class = inline.get_formset(request, obj, extra=0 if request.method == "POST" else stored)
            formset_class.stored_rows = stored  # a fresh class per call (inlineformset_factory)
            yield formset_class, inline

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if self._pending_mode(request, obj):
            # The live rows stay untouched: every quote and link of the working copy is a new row.
            kwargs["queryset"] = inline.model.objects.none()
            if request.method != "POST":
                kwargs["initial"] = [dict(row) for row in self._working_copy(request, obj)[INLINE_KEYS[inline.model]]]
        return kwargs

    def _step_without_edits(self, request, form, formsets=None):
        """A workflow button pressed on a form nobody changed: no revision to record, just the step."""
        if not (request.method == "POST" and request.POST.get("_workflow")) or form.has_changed():
            return False
        return formsets is None or not any(formset.has_changed() for formset in formsets)

    def save_model(self, request, obj, form, change):
        if change and not self._pending_mode(request, obj) and self._step_without_edits(request, form):
            return
        if change and self._pending_mode(request, obj):
            # Content waits as a pending revision; status and dates are workflow state and apply now.
            changed = {name: getattr(obj, name) for name in WORKFLOW_STATE_FIELDS if name in form.changed_data}
            if changed:
                Brief.objects.filter(pk=obj.pk).update(**changed)
                invalidate_everything()  # update() sends no signal; the dates change what readers see
            return
        if change:
            ensure_baseline(brief=obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        brief = form.instance
        if change and self._pending_mode(request, brief):
            for formset in formsets:
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            data = data_from_forms(form, formsets)
            if request.POST.get("_workflow") and data == working_copy(brief):
                return  # a step on unchanged pending changes (or live content): nothing new to keep
            ensure_baseline(brief=brief)

            if data == snapshot(brief):
                # Nothing readers see would change (say, only the expiry time was set, or the edits
                # were undone): the revision is the live content, not a pending change to publish.
                save_revision(brief=brief, user=request.user)
                request._brief_saved_as_pending = True
                messages.info(
                    request, "No content changed: there are no pending changes; readers see the live version."
                )
                presence.stop_editing(brief_pk=brief.pk, user=request.user)
                return
            revision = save_revision(brief=brief, user=request.user, data=data)
            if brief.status == Brief.Status.PUBLISHED:
                request._brief_saved_as_pending = True
                messages.info(
                    request,
                    f"Saved as pending revision {revision.number}. Readers still see the live version "
                    "until an editor publishes the pending changes.",
                )
            else:
                # Taken off the site in this same save: nothing is live to protect any more.
                apply_data(brief, revision.data)
                revision.applied_at = timezone.now()
                revision.save(update_fields=["applied_at"])
        elif change and self._step_without_edits(request, form, formsets):
            for formset in formsets:  # what Django's change message reads
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        else:
            super().save_related(request, form, formsets, change)
            save_revision(brief=brief, user=request.user)
        presence.stop_editing(brief_pk=brief.pk, user=request.user)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's "was changed successfully" (naming the unpublished title) would contradict the
        # "saved as pending revision" message: nothing readers see has changed.
        if getattr(request, "_brief_saved_as_pending", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        brief = self.get_object(request, unquote(object_id)) if object_id else None
        if brief is not None and self.has_view_or_change_permission(request, brief):
            if self.has_change_permission(request, brief):
                # Someone who may only read the brief is not "editing" it.
                presence.mark_editing(brief_pk=brief.pk, user=request.user)
            extra_context = {**self.revision_context(request, brief), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def revision_context(self, request, brief):
        """What the change page's revision banner and buttons show."""
        live, latest = live_revision(brief), latest_revision(brief)
        pending = pending_revision(brief) if self._pending_mode(request, brief) else None
        return {
            "revision_live": live,
            "revision_latest": latest,
            "revision_pending": pending,
            "revision_is_live_brief": self._pending_mode(request, brief),
            "revision_is_scheduled": self._pending_mode(request, brief) and not brief.is_live(),
            "revision_can_publish": request.user.has_perm("briefs.publish_brief"),
            "revision_can_change": self.has_change_permission(request, brief),
            "revision_other_editors": presence.other_editors(brief_pk=brief.pk, user=request.user),
        }
