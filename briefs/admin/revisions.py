"""The brief change form's side of revisions: pending edits of live briefs, no lost updates,
"who else is editing".

Whether an edit is applied or waits as a pending revision is decided by ``briefs.edits.save_edit``,
which every save of the change form calls once (``save_related``) with the revision data built from
the form and its inlines; the admin only shows what it did. What the form shows is the admin's part:
on a published brief the form and its inlines are filled from the working copy (the pending
revision, else the live row), and the inline formsets are unbound from the live quote/link rows
(every row posts as a new one), so nothing typed reaches the live rows but through ``save_edit``.
"""

from contextvars import ContextVar

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.urls import reverse
from django.utils.html import format_html

from core.conflicts import stale_edit_form

from .. import presence
from ..edits import DATE_FIELDS, conflict_text, edits_are_pending, save_edit
from ..models import Brief, ExpertQuote, RelatedLink
from ..revisions import data_from_forms, latest_revision, live_revision, pending_revision, save_revision, working_copy
from .revision_views import RevisionViewsMixin

INLINE_KEYS = {ExpertQuote: "quotes", RelatedLink: "related_links"}
FORM_FIELDS_FROM_DATA = ["title", "slug", "type", "summary", "authors", "issues", "developments", "body"]
PICTURE_TEXT_FIELDS_FROM_DATA = ["lead_image_alt", "lead_image_caption", "lead_image_credit"]

# While ``response_change`` runs: whether the save's own messages stand instead of Django's "was
# changed successfully" (which names the form's title and claims a change readers would not see).
SAVE_REPORTED = ContextVar("brief_save_reported", default=False)


def conflict_message(brief, opened, latest):
    compare = reverse("admin:briefs_brief_compare", args=[brief.pk])
    return format_html(
        '{text} <a href="{compare}?a={opened_id}&amp;b={latest_id}">Compare their changes</a>. '
        "Your input is kept below: saving again replaces their version with yours (theirs stays in the history).",
        text=conflict_text(opened, latest),
        compare=compare,
        opened_id=opened.pk if opened else latest.pk,
        latest_id=latest.pk,
    )


def working_picture(brief, working):
    """The working copy's lead picture as the value a file field shows and keeps ("Currently: …")."""
    name = working.get("lead_image", brief.lead_image.name or "")  # revisions before #13: the live one
    field = Brief._meta.get_field("lead_image")
    return field.attr_class(brief, field, name) if name else None  # an ImageFieldFile


def revision_form(form_class, brief, *, pending):
    """``form_class`` plus the revision the form was opened at, refusing saves over newer ones
    (the admin's one no-lost-update mechanism, ``core.conflicts``; ``save_edit`` checks again).

    ``pending``: the brief's edits wait as pending revisions, so its working copy fills the form when
    it is opened. Its picture is also the picture field's initial value when the form is posted: a
    post without a new upload keeps the pending picture (not the live one), and the brief's checks
    (alt text with a picture) see the picture the revision will have.
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
            if not pending:
                return
            working = working_copy(brief)
            if not self.is_bound:
                self.initial.update({name: working[name] for name in FORM_FIELDS_FROM_DATA})
                self.initial.update({name: working[name] for name in PICTURE_TEXT_FIELDS_FROM_DATA if name in working})
            if "lead_image" in self.fields:
                self.initial["lead_image"] = working_picture(brief, working)

    return RevisionForm


def working_copy_formset(formset_class, rows):
    """``formset_class`` over none of the stored rows (the live quotes or links stay untouched: every
    row of the working copy posts as a new one), opened on ``rows``."""

    class WorkingCopyFormSet(formset_class):
        stored_rows = len(rows)  # briefs.forms.OrderedInlineFormSet: they keep their numbers

        def __init__(self, *args, **kwargs):
            kwargs["queryset"] = self.model.objects.none()
            if not args and kwargs.get("data") is None:  # the page being opened
                kwargs["initial"] = [dict(row) for row in rows]
            super().__init__(*args, **kwargs)

    return WorkingCopyFormSet


def changed_dates(form):
    """The publication and expiry times the form changed (they are not in the form of contributors)."""
    return {name: form.cleaned_data[name] for name in DATE_FIELDS if name in form.changed_data}


class RevisionAdminMixin(RevisionViewsMixin):
    """Mix into BriefAdmin (before admin.ModelAdmin)."""

    change_form_template = "admin/briefs/brief/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form_class
        return revision_form(form_class, obj, pending=edits_are_pending(obj))

    def get_formsets_with_inlines(self, request, obj=None):
        if obj is None or not edits_are_pending(obj):
            yield from super().get_formsets_with_inlines(request, obj)
            return
        working = working_copy(obj)
        for inline in self.get_inline_instances(request, obj):
            rows = working.get(INLINE_KEYS.get(inline.model), [])
            # Opening the page: one form per row of the working copy. Posting: the management form counts.
            formset_class = inline.get_formset(request, obj, extra=0 if request.method == "POST" else len(rows))
            yield working_copy_formset(formset_class, rows), inline

    def save_model(self, request, obj, form, change):
        # A change is written with its inlines, or kept pending, by save_edit (save_related).
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        brief = form.instance
        if change:
            brief.edit_result = save_edit(
                brief=brief,
                user=request.user,
                data=data_from_forms(form, formsets),
                dates=changed_dates(form),
                opened_revision=form.cleaned_data.get("opened_revision"),
            )
            for formset in formsets:  # what Django's change message reads: save_edit wrote the rows
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for text in brief.edit_result.messages:
                messages.info(request, text)
        else:
            super().save_related(request, form, formsets, change)
            save_revision(brief=brief, user=request.user)
        presence.stop_editing(brief_pk=brief.pk, user=request.user)

    def response_change(self, request, obj):
        result = getattr(obj, "edit_result", None)
        reported = SAVE_REPORTED.set(bool(result and result.messages))
        try:
            return super().response_change(request, obj)
        finally:
            SAVE_REPORTED.reset(reported)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and SAVE_REPORTED.get():
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
        published = edits_are_pending(brief)
        return {
            "revision_live": live,
            "revision_latest": latest,
            "revision_pending": pending_revision(brief) if published else None,
            "revision_is_live_brief": published,
            "revision_is_scheduled": published and not brief.is_live(),
            "revision_can_publish": request.user.has_perm("briefs.publish_brief"),
            "revision_can_change": self.has_change_permission(request, brief),
            "revision_other_editors": presence.other_editors(brief_pk=brief.pk, user=request.user),
        }
