"""Saving an edit of a brief: the pending-or-applied rule, in one keyword-only function.

``save_edit`` is what the admin's change form, a command, the API or a test calls to save an edit
of an existing brief, given as revision ``data`` (``briefs.revisions``; the admin builds it with
``data_from_forms``). It decides, on the brief's locked row, what the edit becomes:

- a brief that is not published (draft, in review, withdrawn): the edit is *applied*: the row, its
  quotes, links, authors and issues are written, and a revision is kept;
- a published brief (live, scheduled or expired): the content waits as a *pending* revision and
  readers keep the live version until an editor publishes it (``publish_revision``);
- either way, the publication and expiry times the edit changes apply at once, saved with
  ``save(update_fields=...)`` so the model signals move exactly the cached pages they touch
  (serving/): they are workflow state, not content, and are not versioned. Status is not among
  them: it changes through the workflow's steps (``briefs.workflow``), which record a transition.

It also checks who may write (``PermissionDenied``), refuses a save over a newer revision than the
one the edit was opened at (``EditConflict``: no lost updates, as ``core.conflicts`` does for the
change form) and refuses content the brief's model would not store (``ValidationError``), then
returns an ``EditResult`` saying what happened, with the messages to show the user.
"""

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.richtext import sanitize_html
from experts.models import Expert
from issues.models import Issue

from . import workflow
from .models import Brief, ExpertQuote, RelatedLink, Revision
from .revisions import (
    CONTENT_FIELDS,
    DATA_VERSION,
    LINK_FIELDS,
    PICTURE_TEXT_FIELDS,
    apply_data,
    ensure_baseline,
    latest_revision,
    pending_revision,
    save_revision,
    snapshot,
)

DATE_FIELDS = ("published_at", "expires_at")
RICH_TEXT_FIELDS = ("developments", "body")
REQUIRED_KEYS = (*CONTENT_FIELDS, "type", "authors", "issues", "quotes", "related_links")
# Validated by the rules of the content fields and dates only, not of who made or submitted the brief.
NOT_VALIDATED = ["created_by", "submitted_by"]

SAVED_AS_PENDING = (
    "Saved as pending revision {number}. Readers still see the live version until an editor publishes "
    "the pending changes."
)
NO_CONTENT_CHANGED = "No content changed: there are no pending changes; readers see the live version."
NOTHING_NEW = (
    "Nothing new to save: pending revision {number} already holds these changes; readers see the live version."
)
DATE_LABELS = {"published_at": "publication time", "expires_at": "expiry time"}


class Outcome(enum.StrEnum):
    APPLIED = "applied"  # written to the brief (not published: no readers to keep it from)
    PENDING = "pending"  # kept as a pending revision of a published brief; readers see the live version
    UNCHANGED = "unchanged"  # the content is as it was (dates may have changed; pending changes may be dropped)


@dataclass(frozen=True)
class EditResult:
    """What ``save_edit`` did.

    ``revision``: the revision this save recorded (None when nothing was recorded); ``dates``: the
    names of the dates written at once; ``messages``: what to tell the user, if anything beyond
    "saved" (the admin shows them instead of its generic message).
    """

    outcome: Outcome
    revision: Revision | None = None
    dates: tuple = ()
    messages: tuple = ()

    @property
    def applied(self):
        return self.outcome == Outcome.APPLIED

    @property
    def pending(self):
        return self.outcome == Outcome.PENDING

    @property
    def unchanged(self):
        return self.outcome == Outcome.UNCHANGED


class EditConflict(ValidationError):
    """A save over a newer revision than the one the edit was opened at. ``opened`` (the revision
    opened, None if there was none yet) and ``latest`` say which, for a message linking to both."""

    def __init__(self, *, opened, latest):
        self.opened, self.latest = opened, latest
        super().__init__(conflict_text(opened, latest), code="stale")


def conflict_text(opened, latest):
    when = timezone.localtime(latest.created_at)
    return (
        f"This brief was changed by {latest.author_name} at {when:%Y-%m-%d %H:%M:%S %Z} after you opened it "
        f"(revision {latest.number}; you opened revision {opened.number if opened else 0})."
    )


def edits_are_pending(brief):
    """Whether edits of ``brief`` (as loaded) wait as pending revisions: its change form then edits the
    working copy. ``save_edit`` decides again on the locked row."""
    return brief.status == Brief.Status.PUBLISHED


def opened_revision_number(opened_revision):
    """The number of the revision an edit was opened at, given as a number or a Revision (None: unknown)."""
    return getattr(opened_revision, "number", opened_revision)


def check_not_stale(brief, opened_revision):
    """Raise EditConflict if ``brief`` has a newer revision than ``opened_revision`` (a number or a
    Revision; 0: none existed; None: not known, nothing to compare). Call with the brief's row locked."""
    opened_number = opened_revision_number(opened_revision)
    if opened_number is None:
        return
    latest = latest_revision(brief)
    if latest is not None and latest.number > opened_number:
        # Opened before any revision existed: revision 1 then keeps what the page showed.
        opened = brief.revisions.select_related("created_by").filter(number=max(opened_number, 1)).first()
        raise EditConflict(opened=opened, latest=latest)


def normalized(data):
    """Revision ``data`` in the form ``data_from_forms`` gives: every key, rich text sanitised, ids
    sorted, rows in order. Raises ValueError if a key is missing (the picture's may be, as in
    revisions from before #13: the picture is then left as it is)."""
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ValueError(f"Revision data needs {', '.join(missing)}.")
    clean = {"v": DATA_VERSION, **{name: data[name] for name in CONTENT_FIELDS}, "type": data["type"]}
    for name in RICH_TEXT_FIELDS:
        clean[name] = sanitize_html(data[name])
    clean["authors"], clean["issues"] = sorted(set(data["authors"])), sorted(set(data["issues"]))
    quotes = [
        {
            "expert": q["expert"],
            "text": q["text"],
            "expert_title": q.get("expert_title") or "",
            "order": q.get("order") or 0,
        }
        for q in data["quotes"]
    ]
    links = [
        {
            "target_brief": link.get("target_brief"),
            **{f: link.get(f) or (0 if f == "order" else "") for f in LINK_FIELDS},
        }
        for link in data["related_links"]
    ]
    clean["quotes"] = sorted(quotes, key=lambda row: row["order"])
    clean["related_links"] = sorted(links, key=lambda row: row["order"])
    if "lead_image" in data:
        clean["lead_image"] = data["lead_image"] or ""
        clean.update({name: data.get(name) or "" for name in PICTURE_TEXT_FIELDS})
    return clean


def validate(brief, data, dates):
    """Refuse ``data`` and ``dates`` where the brief, its quotes or links would not pass their model's
    checks (the same the admin's form runs), or name experts, issues or a picture that do not exist."""
    fields = Brief._meta.concrete_fields
    values = {field.attname: getattr(brief, field.attname) for field in fields}
    values.update({name: data[name] for name in CONTENT_FIELDS}, type_id=data["type"], **dates)
    # The picture by its name: a file object here would be the locked row's own, shared.
    values["lead_image"] = data.get("lead_image", brief.lead_image.name or "")
    values.update({name: data[name] for name in PICTURE_TEXT_FIELDS if name in data})
    errors = {}
    shadow = Brief.from_db(None, [field.attname for field in fields], [values[field.attname] for field in fields])
    try:
        shadow.full_clean(exclude=NOT_VALIDATED)
    except ValidationError as error:
        errors.update(error.message_dict)
    if "expires_at" in dates and dates["expires_at"] and dates["expires_at"] <= timezone.now():
        # Taking a brief down is a workflow step, kept in its history: not a date set in the past.
        errors.setdefault("expires_at", []).append(
            "The expiry time is in the past. To take a brief down now, use Withdraw."
        )
    rows = [
        ("quotes", "Quote", ExpertQuote, "expert"),
        ("related_links", "Related reading", RelatedLink, "target_brief"),
    ]
    for key, label, model, target in rows:
        for number, row in enumerate(data[key], start=1):
            row_values = {name: value for name, value in row.items() if name != target}
            try:
                model(brief_id=brief.pk, **{f"{target}_id": row[target]}, **row_values).full_clean(exclude=["brief"])
            except ValidationError as error:
                errors.setdefault(key, []).append(f"{label} {number}: {' '.join(error.messages)}")
    for key, model in (("authors", Expert), ("issues", Issue)):
        unknown = set(data[key]) - set(model.objects.filter(pk__in=data[key]).values_list("pk", flat=True))
        if unknown:
            errors.setdefault(key, []).append(f"No such {key[:-1]}: {', '.join(map(str, sorted(unknown)))}.")
    name = data.get("lead_image")
    if name and name != (brief.lead_image.name or "") and not Brief._meta.get_field("lead_image").storage.exists(name):
        errors.setdefault("lead_image", []).append(f"No stored picture is called “{name}”.")
    if errors:
        raise ValidationError(errors)


def check_permission(brief, user, dates):
    if not (user and workflow.brief_is_editable_by(brief, user)):
        raise PermissionDenied("You may not change this brief now.")
    if dates and not workflow.is_editor(user):
        raise PermissionDenied("Only editors set when a brief is published or expires.")


def dates_message(dates):
    what = " and ".join(DATE_LABELS[name] for name in DATE_FIELDS if name in dates)
    return f"The new {what} {'applies' if len(dates) == 1 else 'apply'} now."


@transaction.atomic
def save_edit(*, brief, user, data, dates=None, opened_revision=None):
    """Save ``user``'s edit of ``brief``: content ``data`` (revision data, see ``briefs.revisions``)
    and ``dates`` ({"published_at": ..., "expires_at": ...}, only those the edit sets).

    ``opened_revision``: the revision the edit was opened at (its number or itself; 0: the brief had
    none); a newer one raises EditConflict. Raises PermissionDenied if ``user`` may not change the
    brief (or its dates: editors only), ValidationError for content the brief cannot store, and
    ValueError for data lacking keys or unknown dates. On return ``brief`` is refreshed from its row
    (for a pending edit: still the live content). Returns an EditResult.
    """
    unknown = set(dates or {}) - set(DATE_FIELDS)
    if unknown:
        raise ValueError(f"save_edit sets {' and '.join(DATE_FIELDS)} only, not {', '.join(sorted(unknown))}.")
    data = normalized(data)
    locked = Brief.objects.select_for_update().get(pk=brief.pk)
    dates = {name: value for name, value in (dates or {}).items() if getattr(locked, name) != value}
    check_permission(locked, user, dates)
    check_not_stale(locked, opened_revision)
    validate(locked, data, dates)
    if edits_are_pending(locked):
        result = _keep_pending(locked, user, data, dates)
    else:
        result = _apply(locked, user, data, dates)
    brief.refresh_from_db()
    return result


def _write_dates(brief, dates):
    for name, value in dates.items():
        setattr(brief, name, value)
    # A save, not update(): the signals move the cached pages and listings the new dates touch.
    brief.save(update_fields=[*dates, "updated_at"])


def _keep_pending(brief, user, data, dates):
    """A published brief: the dates apply now, the content waits as a pending revision."""
    live = snapshot(brief)
    pending = pending_revision(brief)
    working = pending.data if pending else live
    if data == working and not dates:
        message = NOTHING_NEW.format(number=pending.number) if pending else NO_CONTENT_CHANGED
        return EditResult(Outcome.UNCHANGED, messages=(message,))
    ensure_baseline(brief=brief)
    if dates:
        _write_dates(brief, dates)
    changed_dates = (dates_message(dates),) if dates else ()
    if data == live:
        # Nothing readers see would change (only a date was set, or the edits were undone): the revision
        # is the live content, so there are no pending changes left to publish.
        revision = save_revision(brief=brief, user=user)
        return EditResult(Outcome.UNCHANGED, revision, tuple(dates), (*changed_dates, NO_CONTENT_CHANGED))
    revision = save_revision(brief=brief, user=user, data=data)
    return EditResult(
        Outcome.PENDING, revision, tuple(dates), (*changed_dates, SAVED_AS_PENDING.format(number=revision.number))
    )


def _apply(brief, user, data, dates):
    """A brief that is not published: the edit is written to it, and kept as an applied revision."""
    live = snapshot(brief)
    if data == live and not dates:
        return EditResult(Outcome.UNCHANGED)
    ensure_baseline(brief=brief)
    if data == live:
        _write_dates(brief, dates)
    else:
        for name, value in dates.items():
            setattr(brief, name, value)
        apply_data(brief, data)  # saves the row with its dates
    return EditResult(Outcome.APPLIED, save_revision(brief=brief, user=user), tuple(dates))
