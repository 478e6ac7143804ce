"""Every change of a brief's workflow state, as keyword-only functions.

The admin, management commands and tests call these, never ``brief.status = ...``. Each function
checks the user's permission itself (``PermissionDenied``: the admin answers 403) and the legality of
the step (``WorkflowError``, with a message for the user), then locks the brief's row, re-checks the
state under the lock (so two people clicking at once cannot both win), records a ``Transition`` and
sends its notifications once the transaction commits.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from core import textcheck

from . import notifications, revisions, signals
from .models import Brief, Correction, Transition

Status = Brief.Status


class WorkflowError(Exception):
    """A step the brief's state or content does not allow; the message is shown to the user as is."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: str
    sources: tuple
    target: str
    needs_comment: bool = False


# The state machine. ``sources`` are the states the action starts from.
ACTIONS = {
    action.name: action
    for action in (
        Action("submit", "Submit for review", "briefs.submit_brief", (Status.DRAFT,), Status.IN_REVIEW),
        Action(
            "request_changes",
            "Request changes",
            "briefs.review_brief",
            (Status.IN_REVIEW,),
            Status.DRAFT,
            needs_comment=True,
        ),
        Action("publish", "Publish", "briefs.publish_brief", (Status.DRAFT, Status.IN_REVIEW), Status.PUBLISHED),
        # A published brief stays published: contributors' edits to it wait as pending changes
        # (briefs.revisions) and this tells the editors they are ready to be published.
        Action(
            "submit_changes",
            "Submit changes for review",
            "briefs.submit_brief",
            (Status.PUBLISHED,),
            Status.PUBLISHED,
        ),
        # The reviewer's answer to submitted changes: the brief stays live, the changes stay pending.
        Action(
            "request_pending_changes",
            "Request changes to the pending changes",
            "briefs.review_brief",
            (Status.PUBLISHED,),
            Status.PUBLISHED,
            needs_comment=True,
        ),
        Action("withdraw", "Withdraw", "briefs.withdraw_brief", (Status.PUBLISHED,), Status.WITHDRAWN),
        Action("reopen", "Reopen as draft", "briefs.withdraw_brief", (Status.WITHDRAWN,), Status.DRAFT),
    )
}
CORRECT_PERMISSION = "briefs.correct_brief"


def is_editor(user):
    """Editors may change a brief in any state; the Editors group (or a superuser) has this."""
    return user.has_perm("briefs.publish_brief")


def brief_is_editable_by(brief, user):
    """Whether ``user`` may save the brief's fields directly.

    Contributors edit drafts, and published briefs as pending changes; a brief in review is frozen
    until an editor sends it back, and a withdrawn one until an editor reopens it.
    """
    if not user.has_perm("briefs.change_brief"):
        return False
    if is_editor(user):
        return True
    # A contributor's save of a published brief never reaches readers: it becomes a pending
    # revision (briefs.revisions) that an editor publishes.
    return brief.status in (Status.DRAFT, Status.PUBLISHED)


def available_actions(brief, user):
    """The actions ``user`` may take on ``brief`` now (by permission and state), in display order."""
    actions = [a for a in ACTIONS.values() if brief.status in a.sources and user.has_perm(a.permission)]
    if brief.status == Status.PUBLISHED:
        pending = revisions.pending_revision(brief) is not None
        # Editors publish pending changes themselves; there is nothing to submit or send back without any.
        hidden = set() if pending else {"submit_changes", "request_pending_changes"}
        if is_editor(user):
            hidden.add("submit_changes")
        actions = [a for a in actions if a.name not in hidden]
    return actions


def can_correct(brief, user):
    return user.has_perm(CORRECT_PERMISSION) and brief.is_live()


def _check_permission(user, permission, message):
    if not (user and user.is_active and user.has_perm(permission)):
        raise PermissionDenied(message)


def _lock(brief):
    """Re-read the brief under a row lock, inside the caller's transaction."""
    return Brief.objects.select_for_update().get(pk=brief.pk)


def _check_source(locked, action):
    if locked.status in action.sources:
        return
    if action.name == "publish" and locked.status == Status.WITHDRAWN:
        raise WorkflowError("This brief was withdrawn: reopen it as a draft before publishing it again.")
    if action.name == "publish" and locked.status == Status.PUBLISHED:
        raise WorkflowError("This brief is already published.")
    allowed = " or ".join(str(Status(s).label).lower() for s in action.sources)
    raise WorkflowError(
        f"“{action.label}” needs a brief that is {allowed}; this one is {locked.get_status_display().lower()}."
    )


def _check_complete(brief):
    missing = []
    if not brief.title.strip():
        missing.append("a title")
    if not brief.type_id:
        missing.append("a type")
    if not strip_tags(brief.developments or "").strip():
        missing.append("Latest Developments")
    if missing:
        raise WorkflowError(f"The brief needs {', '.join(missing)} first.")


def _record(brief, *, user, from_state, comment="", at=None, checks=()):
    return Transition.objects.create(
        brief=brief,
        user=user,
        from_state=from_state,
        to_state=brief.status,
        comment=comment,
        at=at or timezone.now(),
        checks=[check.as_dict() for check in checks],
    )


def _refresh(brief, locked, fields):
    """Copy what the transition changed back onto the caller's object."""
    for field in fields:
        setattr(brief, field, getattr(locked, field))


def _check_text(text, what):
    """Comments and corrections come from a plain POST, not a model form: the same check as the fields."""
    char = textcheck.first_unsafe(text)
    if char is not None:
        raise WorkflowError(f"{what} contains {textcheck.describe(char)}, which cannot be stored; remove it.")


def _transition(action_name, *, brief, user, comment="", prepare=None, checks=()):
    """Run one state change: permission, lock, legality, save, Transition row. Returns the Transition."""
    action = ACTIONS[action_name]
    _check_permission(user, action.permission, f"You may not take the step “{action.label}”.")
    comment = (comment or "").strip()
    if action.needs_comment and not comment:
        raise WorkflowError(f"“{action.label}” needs a comment telling the author what to change.")
    _check_text(comment, "The comment")
    with transaction.atomic():
        locked = _lock(brief)
        _check_source(locked, action)
        from_state = locked.status
        fields = ["status", "updated_at"]
        if prepare:
            fields += prepare(locked)
        locked.status = action.target
        locked.save(update_fields=fields)
        _refresh(brief, locked, fields)
        return _record(locked, user=user, from_state=from_state, comment=comment, checks=checks)


def submit_for_review(*, brief, user, comment=""):
    """Draft -> in review. Editors are told by email."""

    def prepare(locked):
        _check_complete(locked)
        locked.submitted_by = user
        return ["submitted_by"]

    step = _transition("submit", brief=brief, user=user, comment=comment, prepare=prepare)
    transaction.on_commit(lambda: notifications.submitted(brief=step.brief, transition=step))
    return step


def request_changes(*, brief, user, comment):
    """In review -> draft, with the reviewer's comment (required). The submitter is told by email."""
    step = _transition("request_changes", brief=brief, user=user, comment=comment)
    transaction.on_commit(lambda: notifications.changes_requested(brief=step.brief, transition=step))
    return step


def publish(*, brief, user, at=None, comment="", checks=()):
    """Draft or in review -> published (approving it). ``at`` in the future schedules it.

    ``checks``: the content checks (briefs.checks) the editor saw, kept with the transition.

    Without ``at`` the brief keeps the publication time it has (so a reopened brief keeps its
    date and address), or goes live now. Each quote gets the expert's current title if it has none,
    so the brief keeps the title the expert had when it was published.
    """
    if user and not user.has_perm(ACTIONS["publish"].permission) and brief.submitted_by_id == user.pk:
        raise PermissionDenied("You cannot approve your own submission: an editor reviews and publishes it.")
    now = timezone.now()

    def prepare(locked):
        _check_complete(locked)
        locked.published_at = at or locked.published_at or now
        if locked.expires_at and locked.expires_at <= now:
            raise WorkflowError("The expiry time has passed: clear it or move it into the future first.")
        if locked.expires_at and locked.expires_at <= locked.published_at:
            raise WorkflowError("The expiry time is before the publication time: change one of them first.")
        for quote in locked.quotes.select_related("expert").filter(expert_title=""):
            quote.expert_title = quote.expert.title
            quote.save(update_fields=["expert_title"])
        return ["published_at"]

    step = _transition("publish", brief=brief, user=user, comment=comment, prepare=prepare, checks=checks)
    transaction.on_commit(lambda: notifications.published(brief=step.brief, transition=step))
    return step


def submit_changes(*, brief, user, comment=""):
    """Pending changes to a published brief -> the editors' attention. The live version stays as it is
    until an editor publishes the pending revision; the step is kept in the brief's history."""

    def prepare(locked):
        if not revisions.pending_revision(locked):
            raise WorkflowError("There are no pending changes to submit: edit and save the brief first.")
        locked.submitted_by = user
        return ["submitted_by"]

    step = _transition("submit_changes", brief=brief, user=user, comment=comment, prepare=prepare)
    transaction.on_commit(lambda: notifications.submitted(brief=step.brief, transition=step))
    return step


def _take_in_pending_changes(locked):
    """Write a published brief's pending revision to its row as it leaves the site.

    Off the site nothing is live to protect, and a withdrawn (then reopened) brief is edited and
    previewed from its row: left pending, the changes would vanish from the form and the next save
    would bury them. Returns the fields changed. Changes that can no longer be applied (their slug
    is now another brief's) stay pending in the history: withdrawing must never be blocked.
    """
    pending = revisions.pending_revision(locked)
    if pending is None:
        return []
    try:
        revisions.apply_data(locked, pending.data)
    except ValidationError:
        return []
    pending.applied_at = timezone.now()
    pending.save(update_fields=["applied_at"])
    return [*revisions.CONTENT_FIELDS, "type"]


def request_pending_changes(*, brief, user, comment):
    """Send a published brief's pending changes back to their writers with the reviewer's comment
    (required). Readers keep the live version; the changes stay pending, to be edited and submitted again."""

    def prepare(locked):
        if not revisions.pending_revision(locked):
            raise WorkflowError("There are no pending changes to send back.")
        return []

    step = _transition("request_pending_changes", brief=brief, user=user, comment=comment, prepare=prepare)
    pending = revisions.pending_revision(step.brief)
    transaction.on_commit(lambda: notifications.changes_requested(brief=step.brief, transition=step, revision=pending))
    return step


def withdraw(*, brief, user, comment=""):
    """Published (live, scheduled or expired) -> withdrawn: it leaves the site at once.

    Pending changes become the withdrawn brief's content, to be reviewed again before it returns.
    """
    return _transition("withdraw", brief=brief, user=user, comment=comment, prepare=_take_in_pending_changes)


def reopen(*, brief, user, comment=""):
    """Withdrawn -> draft, to be edited and published again."""
    return _transition("reopen", brief=brief, user=user, comment=comment)


def add_correction(*, brief, user, text, tell_followers=False):
    """Add a dated public correction to a live brief; it moves the brief's public "updated" time.
    ``tell_followers``: the brief's email-alert followers are told too (``signals.correction_added``)."""
    _check_permission(user, CORRECT_PERMISSION, "You may not add corrections.")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("A correction needs its text.")
    _check_text(text, "The correction")
    with transaction.atomic():
        locked = _lock(brief)
        if not locked.is_live():
            raise WorkflowError("Corrections are for live briefs; edit a brief that is not live instead.")
        correction = Correction.objects.create(brief=locked, text=text, created_by=user)
        locked.corrected_at = correction.at
        locked.save(update_fields=["corrected_at", "updated_at"])
        _refresh(brief, locked, ["corrected_at", "updated_at"])
    signals.correction_added.send(sender=Correction, correction=correction, tell_followers=tell_followers)
    return correction


def record_import(*, brief, user=None, from_state, source):
    """Keep a publication made by ``import_briefs --publish`` in the brief's history, as every other
    step is: who (the ``--user`` given, or nobody), when, from which state, and from which file.

    The importer writes the state itself inside its one transaction (a whole run is all or nothing),
    and checks ``--user``'s publish permission before it starts; this only records the step.
    """
    return _record(brief, user=user, from_state=from_state, comment=f"Published by import from {source}")
