"""Plain-text emails about a brief's workflow, sent through Django's mail framework.

Experts (a brief's authors) have no accounts, so "the author" here is the person who wrote the brief
in the admin: whoever created it and whoever last submitted it. Nobody is emailed about their own action.

Emails go out after the step has committed (``transaction.on_commit``), so a mail server that is
down cannot undo the step, and must not turn it into an error page either: a failed send is logged
(logger ``dossier.notifications``, one line) and, inside ``collect_failures()``, reported to the
caller, which tells the editor (the admin shows a warning).
"""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

EDITORS_GROUP = "Editors"


def admin_url(brief):
    return settings.SITE_URL + reverse("admin:briefs_brief_change", args=[brief.pk])


logger = logging.getLogger("dossier.notifications")
_failures = contextvars.ContextVar("notification_failures", default=None)


@contextlib.contextmanager
def collect_failures():
    """Collect, as a list of subjects, the notifications that could not be sent inside the block::

    with notifications.collect_failures() as failed:
        workflow.publish(brief=brief, user=user)  # sends on commit, inside the block
    if failed:
        messages.warning(request, "Published; the notification email could not be sent.")
    """
    failed = []
    token = _failures.set(failed)
    try:
        yield failed
    finally:
        _failures.reset(token)


def _send(subject, lines, recipients):
    recipients = sorted({email for email in recipients if email})
    if not recipients:
        return
    # A title stored before titles had to be one line would make a header Django refuses.
    subject = " ".join(subject.split())
    try:
        send_mail(subject, "\n".join(lines) + "\n", None, recipients)
    except Exception as error:  # whatever the mail server or backend did, the step is done
        logger.warning(
            "Notification “%s” to %d recipient(s) not sent: %s: %s",
            subject,
            len(recipients),
            type(error).__name__,
            error,
        )
        failed = _failures.get()
        if failed is not None:
            failed.append(subject)


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def _authors(brief, transition, *others):
    users = [u for u in (brief.created_by, brief.submitted_by, *others) if u and u.is_active and u != transition.user]
    return [u.email for u in users]


def _comment_lines(transition):
    return ["", "Comment:", transition.comment] if transition.comment else []


def submitted(*, brief, transition):
    """To every active editor with an email address, except the submitter."""
    editors = (
        get_user_model()
        .objects.filter(groups__name=EDITORS_GROUP, is_active=True)
        .exclude(email="")
        .exclude(pk=transition.user_id)
    )
    # A published brief stays published when a contributor submits changes to it.
    what = "changes to" if transition.from_state == transition.to_state else ""
    _send(
        f"For review: {what + ' ' if what else ''}{brief.title}",
        [
            f"{_name(transition.user)} submitted {what + ' ' if what else ''}“{brief.title}” for review.",
            *_comment_lines(transition),
            "",
            admin_url(brief),
        ],
        [user.email for user in editors],
    )


def changes_requested(*, brief, transition, revision=None):
    """To the brief's writers; for pending changes to a published brief (``revision``), also whoever saved them."""
    if revision is None:
        what = f"sent “{brief.title}” back to draft with changes requested."
    else:
        what = f"asked for changes to the pending changes to “{brief.title}”; readers keep the live version."
    _send(
        f"Changes requested: {brief.title}",
        [
            f"{_name(transition.user)} {what}",
            *_comment_lines(transition),
            "",
            "Edit the brief and submit it again:",
            admin_url(brief),
        ],
        _authors(brief, transition, *([revision.created_by] if revision else [])),
    )


def published(*, brief, transition):
    when = (
        "is now live"
        if brief.is_live()
        else f"is scheduled for {timezone.localtime(brief.published_at):%Y-%m-%d %H:%M %Z}"
    )
    _send(
        f"Published: {brief.title}",
        [
            f"{_name(transition.user)} published “{brief.title}”; it {when}.",
            *_comment_lines(transition),
            "",
            admin_url(brief),
        ],
        _authors(brief, transition),
    )


def changes_published(*, brief, transition, revision):
    """Pending changes to a published brief went live: to the brief's writers and whoever saved them."""
    _send(
        f"Changes published: {brief.title}",
        [
            f"{_name(transition.user)} published the pending changes to “{brief.title}” (revision {revision.number}); "
            + ("readers see them now." if brief.is_live() else "readers see them once the brief is live."),
            "",
            settings.SITE_URL + brief.get_absolute_url() if brief.is_live() else admin_url(brief),
        ],
        _authors(brief, transition, revision.created_by),
    )
