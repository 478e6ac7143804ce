"""Workflow steps taken from the brief admin: what each needs, and running it.

Every workflow button of the change page (Submit for review, Publish, Request changes, Withdraw,
Add correction, Publish pending changes...) submits the whole change form under its own name
(``_workflow`` with the step as value). The form is validated as for Save (with the lost-update
check) together with what the step needs (a comment, a valid time, a reason and a confirmation to
withdraw). Anything wrong: the page comes back with the errors and the typing, and nothing runs.
Otherwise the edits are saved as a revision first, then the step runs: a button never throws
typing away.

The older one-button forms (``transition/<action>/``, ``correction/``) stay for users who may act
on a brief they may not edit, and for scripts; they check the same needs.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import textcheck

from .. import checks, notifications, revisions, workflow

STEP = "_workflow"
CORRECTION = "correction"
PUBLISH_PENDING = "publish_pending"
CONFIRM_WITHDRAW = "confirm_withdraw"

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


def requested_step(data):
    """The step a change-form POST asks for (the name of the button pressed), or None for a plain save."""
    return data.get(STEP) or None


def available_steps(brief, user):
    """{name: label} of the steps ``user`` may take on ``brief`` now, in display order."""
    steps = {action.name: action.label for action in workflow.available_actions(brief, user)}
    if workflow.can_correct(brief, user):
        steps[CORRECTION] = "Add correction"
    if brief.status == brief.Status.PUBLISHED and user.has_perm("briefs.publish_brief"):
        steps[PUBLISH_PENDING] = "Publish pending changes"
    return steps


def check_step(step, data, *, brief, user):
    """What stops ``step`` from running with this input: a list of messages (empty: it may run)."""
    steps = available_steps(brief, user)
    if step not in steps:
        return [f"“{step}” is not a step you can take on this brief now."]
    label = steps[step]
    comment = (data.get("comment") or "").strip()
    errors = []
    if step in workflow.ACTIONS and workflow.ACTIONS[step].needs_comment and not comment:
        errors.append(f"“{label}” needs a comment telling the author what to change.")
    if step == "withdraw":
        if not comment:
            errors.append("Withdrawing needs a reason (in the comment box): it is kept in the brief's history.")
        if not data.get(CONFIRM_WITHDRAW):
            errors.append("Tick “Yes, take this brief off the site now” to confirm withdrawing it.")
    if step == "publish":
        try:
            parse_local_datetime(data.get("publish_at"))
        except workflow.WorkflowError as error:
            errors.append(str(error))
    if step == CORRECTION and not (data.get("correction_text") or "").strip():
        errors.append("A correction needs its text (in the “New correction” box).")
    # Checked before anything is saved (the workflow functions check again, after the save).
    for name, what in (("comment", "The comment"), ("correction_text", "The correction")):
        char = textcheck.first_unsafe(data.get(name) or "")
        if char is not None:
            errors.append(f"{what} contains {textcheck.describe(char)}, which cannot be stored; remove it.")
    return errors


def run_step(admin, request, brief, step, data, *, forbidden_raises=False):
    """Run ``step`` on ``brief``; report the outcome as an admin message.

    A refusal for lack of rights is a message after a save (the edits are kept), and a 403 for a
    step posted on its own (``forbidden_raises``).
    """
    try:
        # Emails go out when the step's transaction commits: here for a step posted on its own; for
        # one posted with the change form, when the view's transaction commits (WorkflowAdminMixin).
        with notifications.collect_failures() as unsent:
            message = _run(admin, request, brief, step, data)
    except PermissionDenied:
        if forbidden_raises:
            raise
        messages.error(request, "You may not take this step; your edits were saved.")
    except (workflow.WorkflowError, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        if unsent:  # the step is done; only the email is missing (logged by briefs.notifications)
            message = message.replace(": the editors have been told", "").rstrip(".")
            messages.warning(request, f"{message}; the notification email could not be sent.")
        else:
            messages.success(request, message)


def publication_checks(brief, step):
    """The content checks for ``step`` on what it would put live: the saved draft, or the pending changes."""
    if step == PUBLISH_PENDING:
        pending = revisions.pending_revision(brief)
        return checks.run_checks(pending.data) if pending else []
    return checks.run_checks(revisions.snapshot(brief))


def _warn(request, results):
    """Failed checks are a warning, not a refusal: the editor saw them on the change page next to
    the button and chose to publish; they are kept with the transition."""
    failed = checks.failed(results)
    if failed:
        warnings = " ".join(result.message for result in failed)
        messages.warning(request, f"Published past {len(failed)} warning(s), kept in the history: {warnings}")


def _run(admin, request, brief, step, data):
    comment = (data.get("comment") or "").strip()
    if step == CORRECTION:
        tell = bool(data.get("correction_notify"))  # "Tell subscribers" (email alerts, #15)
        correction = workflow.add_correction(
            brief=brief, user=request.user, text=data.get("correction_text", ""), tell_followers=tell
        )
        admin.log_change(request, brief, f"Correction: {correction.text}")
        if tell:
            return "Correction added: it shows on the brief's page; its email-alert followers are told within seconds."
        return "Correction added: it shows on the brief's page."
    if step == PUBLISH_PENDING:
        pending = revisions.pending_revision(brief)
        if pending is None:
            raise workflow.WorkflowError("There are no pending changes to publish: readers already see this version.")
        results = publication_checks(brief, step)
        revisions.publish_revision(revision=pending, user=request.user, checks=results)
        _warn(request, results)
        return f"Revision {pending.number} is now the live version."
    kwargs = {"brief": brief, "user": request.user, "comment": comment}
    if step == "publish":
        kwargs["at"] = parse_local_datetime(data.get("publish_at"))
        kwargs["checks"] = publication_checks(brief, step)
    had_pending = step == "withdraw" and revisions.pending_revision(brief) is not None
    transition = TRANSITION_FUNCTIONS[step](**kwargs)
    _warn(request, kwargs.get("checks", ()))
    # Also in the admin's own "History" of the object, next to ordinary edits.
    admin.log_change(request, brief, f"{transition.get_from_state_display()} → {transition.get_to_state_display()}")
    message = SUCCESS_MESSAGES[step]
    if had_pending and revisions.pending_revision(brief) is None:
        message += " Its pending changes are now its content, to be reviewed before it returns."
    if step == "publish" and not brief.is_live():
        local = timezone.localtime(brief.published_at)
        message = f"Scheduled: the brief goes live on {local:%Y-%m-%d} at {local:%H:%M}."
    return message
