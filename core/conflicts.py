"""No lost updates anywhere in the admin: a save over a newer version than the one the form was
opened at is refused, naming who changed it and when, with the user's input kept; saving again
(having seen the other version) goes through.

One mechanism for every change form: ``stale_edit_form`` adds a hidden "opened at version N"
field to a form class and refuses a save when the latest version is past N. Briefs count versions
by their revisions (``briefs.admin.revisions``); experts, issues and brief types by the admin's
own change log (``NoLostUpdateAdminMixin``), which every admin save already writes.
"""

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html


def stale_edit_form(form_class, *, field, latest, lock, refusal):
    """``form_class`` plus a hidden ``field`` holding the version the form was opened at.

    ``latest()`` returns the newest version (anything with a ``number``) or None; ``lock()`` locks
    the edited row so the check and the save are one step; ``refusal(opened_number, latest)``
    returns the message shown when someone else saved in between.
    """

    class StaleEditForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[field] = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
            current = latest()
            self.fields[field].initial = current.number if current else 0

        def clean(self):
            cleaned = super().clean()
            opened_number = cleaned.get(field)
            if opened_number is None:
                # Posted without the field (scripts, API-style tests): nothing to compare with.
                return cleaned
            lock()
            current = latest()
            if current and current.number > opened_number:
                self.add_error(None, ValidationError(refusal(opened_number, current), code="stale"))
                # A second, deliberate save goes through: the user has now seen the other version.
                self.data = self.data.copy()
                self.data[self.add_prefix(field)] = str(current.number)
            return cleaned

    return StaleEditForm


# -- experts, issues, brief types: versions are the admin's change-log entries ----------------------


class LoggedChange:
    """The newest admin log entry of an object, as a version: ``number`` is the entry's id."""

    def __init__(self, entry):
        self.entry, self.number = entry, entry.pk

    @property
    def who(self):
        user = self.entry.user
        return user.get_full_name() or user.get_username()


def last_logged_change(obj):
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            action_flag__in=[ADDITION, CHANGE],
        )
        .select_related("user")
        .order_by("-pk")
        .first()
    )
    return LoggedChange(entry) if entry else None


def logged_change_refusal(obj, change):
    when = timezone.localtime(change.entry.action_time)
    what = change.entry.get_change_message().rstrip(".")
    return format_html(
        "This {model} was changed by {name} at {when} after you opened it ({what}). Your input is kept "
        "below: saving again replaces their version with yours.",
        model=obj._meta.verbose_name,
        name=change.who,
        when=f"{when:%Y-%m-%d %H:%M:%S %Z}",
        what=what[:1].lower() + what[1:] if what else "no details recorded",
    )


class NoLostUpdateAdminMixin:
    """For a ModelAdmin (before admin.ModelAdmin): its change form refuses saves over newer changes."""

    change_form_template = "admin/change_form_no_lost_update.html"
    opened_version_field = "opened_change"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form_class
        model = type(obj)
        return stale_edit_form(
            form_class,
            field=self.opened_version_field,
            latest=lambda: last_logged_change(obj),
            lock=lambda: model.objects.select_for_update().filter(pk=obj.pk).first(),
            refusal=lambda opened, change: logged_change_refusal(obj, change),
        )
