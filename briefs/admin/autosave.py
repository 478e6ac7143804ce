"""Autosave in the brief change form: typing survives a crash or a closed tab.

While someone types, static/briefs/admin/unsaved.js posts the whole form here every few seconds
at most; it is kept as that user's own Autosave (briefs.revision_models), not as a revision, so
readers never see it and nobody else's save is refused because of it. Reopening the brief offers
to restore it: the form is then filled from it (checked as a posted form would be, the lost-update
check included) and nothing is saved until the user saves. Saving or discarding removes it.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse, QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..models import Autosave
from .base import POST, BriefObjectMixin

RESTORE = "restore"
# Not kept: what says which button was pressed, and the token of the page that sent it.
NOT_KEPT = {"csrfmiddlewaretoken", "_workflow", "_save", "_continue", "_addanother"}


def as_querydict(data):
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, values)
    return query


class AutosaveAdminMixin(BriefObjectMixin):
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view(require_http_methods(POST)(self.autosave_view))
        return [path("<path:object_id>/autosave/", view, name=f"{prefix}_autosave"), *super().get_urls()]

    def autosave_view(self, request, object_id):
        """POST the change form's fields: kept as the user's autosave. ``discard``: forget it."""
        brief = self._brief_or_404(request, object_id, change=True)
        if request.POST.get("discard"):  # the "Discard it" button on the change page
            Autosave.objects.filter(brief=brief, user=request.user).delete()
            messages.info(request, "Your unsaved typing was discarded.")
            return HttpResponseRedirect(reverse("admin:briefs_brief_change", args=[brief.pk]))
        data = {name: values for name, values in request.POST.lists() if name not in NOT_KEPT}
        saved, _ = Autosave.objects.update_or_create(
            brief=brief, user=request.user, defaults={"data": data, "saved_at": timezone.now()}
        )
        return JsonResponse({"saved_at": f"{timezone.localtime(saved.saved_at):%H:%M:%S}"})

    # Restoring: the change form and its inlines bound to the autosave, on GET ?autosave=restore.

    def restored_autosave(self, request, obj):
        """The user's autosave of ``obj`` as posted data, when the page is opened to restore it (else None).

        Read again by each hook that needs it (a GET with ``?autosave=restore`` only): nothing is kept
        on the request between Django's hooks.
        """
        if obj is None or obj.pk is None or request.method != "GET" or request.GET.get("autosave") != RESTORE:
            return None
        autosave = Autosave.objects.filter(brief=obj, user=request.user).first()
        return as_querydict(autosave.data) if autosave else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        restored = self.restored_autosave(request, obj)
        if restored is None:
            return form_class

        class RestoredForm(form_class):
            def __init__(self, *args, **kwargs):
                if not args and kwargs.get("data") is None:
                    kwargs["data"] = restored
                super().__init__(*args, **kwargs)

        return RestoredForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        restored = self.restored_autosave(request, obj)
        if restored is not None:
            kwargs["data"] = restored
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            Autosave.objects.filter(brief=form.instance, user=request.user).delete()  # the typing is saved

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        # "Save and continue" keeps the query string: the next visit must not restore again.
        if isinstance(response, HttpResponseRedirect) and f"autosave={RESTORE}" in response.url:
            response = HttpResponseRedirect(reverse("admin:briefs_brief_change", args=[obj.pk]))
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        brief = self.get_object(request, unquote(object_id)) if object_id else None
        if brief is None or not self.has_change_permission(request, brief):
            return super().changeform_view(request, object_id, form_url, extra_context)
        restoring = self.restored_autosave(request, brief) is not None
        extra_context = {
            **(extra_context or {}),
            "autosave": Autosave.objects.filter(brief=brief, user=request.user).first(),
            "autosave_restoring": restoring,
            "autosave_url": reverse("admin:briefs_brief_autosave", args=[brief.pk]),
        }
        if not restoring:
            return super().changeform_view(request, object_id, form_url, extra_context)
        # A bound form is checked when the page renders; the lost-update check locks the brief's row,
        # which needs the transaction Django's view opens, so render inside it.
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response
