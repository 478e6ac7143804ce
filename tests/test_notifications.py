"""Workflow emails: editors hear of submissions; the brief's writer hears of publication and requested changes."""

import pytest
from django.core import mail

from briefs import workflow
from tests.factories import BriefFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    writer = ContributorFactory(username="writer", email="writer@example.org")
    editors = [
        EditorFactory(username="ed1", email="ed1@example.org"),
        EditorFactory(username="ed2", email="ed2@example.org"),
    ]
    EditorFactory(username="no-mail", email="")
    EditorFactory(username="gone", email="gone@example.org", is_active=False)
    brief = BriefFactory(status="draft", published_at=None, title="Militias resume attacks", created_by=writer)
    return writer, editors, brief


def test_submission_emails_every_editor_with_the_admin_link(people, django_capture_on_commit_callbacks):
    writer, editors, brief = people
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(brief=brief, user=writer, comment="Ready for a look")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["ed1@example.org", "ed2@example.org"]
    assert message.subject == "For review: Militias resume attacks"
    assert f"http://localhost:8000/admin/briefs/brief/{brief.pk}/change/" in message.body
    assert "Ready for a look" in message.body
    assert message.content_subtype == "plain"


def test_changes_requested_emails_the_writer_with_the_comment(people, django_capture_on_commit_callbacks):
    writer, editors, brief = people
    workflow.submit_for_review(brief=brief, user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(brief=brief, user=editors[0], comment="Please add a second quote.")
    assert [m.to for m in mail.outbox] == [["writer@example.org"]]
    assert mail.outbox[0].subject == "Changes requested: Militias resume attacks"
    assert "Please add a second quote." in mail.outbox[0].body


def test_publication_emails_creator_and_submitter_not_the_publisher(people, django_capture_on_commit_callbacks):
    writer, editors, brief = people
    other = ContributorFactory(username="other", email="other@example.org")
    workflow.submit_for_review(brief=brief, user=other)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(brief=brief, user=editors[0])
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["other@example.org", "writer@example.org"]
    assert "is now live" in mail.outbox[0].body


def test_nothing_is_sent_when_the_transition_is_refused(people, django_capture_on_commit_callbacks):
    writer, editors, brief = people
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.WorkflowError):
        workflow.request_changes(brief=brief, user=editors[0], comment="Not in review yet")
    assert mail.outbox == []


def test_nobody_is_emailed_about_their_own_action(django_capture_on_commit_callbacks):
    editor = EditorFactory(email="solo@example.org")
    brief = BriefFactory(status="draft", published_at=None, created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(brief=brief, user=editor)
        workflow.publish(brief=brief, user=editor)
    assert mail.outbox == []


def test_publishing_pending_changes_emails_who_saved_and_submitted_them(people, django_capture_on_commit_callbacks):
    from briefs.revisions import publish_revision, save_revision, snapshot

    writer, editors, brief = people
    brief.status, brief.published_at = "published", brief.created_at
    brief.save()
    fixer = ContributorFactory(username="fixer", email="fixer@example.org")
    data = {**snapshot(brief), "title": "Militias resume attacks on shipping"}
    pending = save_revision(brief=brief, user=fixer, data=data)
    workflow.submit_changes(brief=brief, user=fixer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish_revision(revision=pending, user=editors[0])

    (message,) = mail.outbox
    assert sorted(message.to) == ["fixer@example.org", "writer@example.org"]
    assert message.subject == "Changes published: Militias resume attacks on shipping"
    assert f"(revision {pending.number}); readers see them now." in message.body
    assert "http://localhost:8000" + brief.get_absolute_url() in message.body
