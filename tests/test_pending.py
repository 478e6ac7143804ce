"""Editing a live brief makes a pending revision: readers keep the live version until an editor
publishes it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief, Transition
from briefs.revisions import pending_revision, publish_revision, restore_revision, save_revision
from tests.admin_forms import brief_change_url, change_form_data, edit_brief
from tests.factories import (
    BriefFactory,
    ContributorFactory,
    EditorFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    SuperUserFactory,
    UserFactory,
)
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = SuperUserFactory(username="editor", first_name="Ada", last_name="Editor")
    client.force_login(user)
    return user


@pytest.fixture
def live_brief():
    expert = ExpertFactory(name="Bradley Bowman", title="Senior Director")
    brief = BriefFactory(title="Live title", summary="Live summary.", issues=[IssueFactory(name="Iran")])
    ExpertQuoteFactory(brief=brief, expert=expert, text="The live quote.")
    return brief


def contributor():
    """Staff who may edit briefs but not publish them."""
    user = UserFactory(username="contributor", first_name="Cory", last_name="Contributor", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_brief", "change_brief"]))
    return user


def test_edit_of_a_live_brief_stays_invisible_to_readers(client, editor, live_brief):
    public_url = live_brief.get_absolute_url()
    edit_brief(client, live_brief, title="Pending title", **{"quotes-0-text": "The pending quote."})

    live_brief.refresh_from_db()
    assert live_brief.title == "Live title"
    assert [q.text for q in live_brief.quotes.all()] == ["The live quote."]
    client.logout()
    html = client.get(public_url).content.decode()
    assert "Live title" in html and "The live quote." in html
    assert "Pending title" not in html and "The pending quote." not in html

    pending = pending_revision(live_brief)
    assert pending.data["title"] == "Pending title"
    assert [q["text"] for q in pending.data["quotes"]] == ["The pending quote."]


def test_change_page_opens_on_the_pending_content_with_live_and_pending_banner(client, editor, live_brief):
    edit_brief(
        client, live_brief, title="Pending title", summary="Pending summary.", **{"quotes-0-text": "Pending quote."}
    )
    response = client.get(brief_change_url(live_brief))
    html = response.content.decode()
    form = response.context["adminform"].form
    assert form["title"].value() == "Pending title"
    assert response.context["inline_admin_formsets"][0].formset.forms[0]["text"].value() == "Pending quote."
    assert "Pending changes" in html and "live version" in html
    live, pending = live_brief.revisions.get(number=1), live_brief.revisions.get(number=2)
    compare = reverse("admin:briefs_brief_compare", args=[live_brief.pk]) + f"?a={live.pk}&amp;b={pending.pk}"
    assert compare in html
    assert "Publish pending changes" in html


def test_editing_on_keeps_building_the_pending_revision(client, editor, live_brief):
    edit_brief(client, live_brief, title="Pending title")
    edit_brief(client, live_brief, summary="Pending summary.")
    pending = pending_revision(live_brief)
    assert (pending.number, pending.data["title"], pending.data["summary"]) == (3, "Pending title", "Pending summary.")
    live_brief.refresh_from_db()
    assert (live_brief.title, live_brief.summary) == ("Live title", "Live summary.")


def test_publishing_the_pending_revision_makes_it_live(client, editor, live_brief):
    edit_brief(
        client,
        live_brief,
        title="Published title",
        issues=[],
        **{"quotes-0-text": "The new quote.", "quotes-0-expert_title": ""},
    )
    pending = pending_revision(live_brief)
    response = client.post(reverse("admin:briefs_brief_publish_pending", args=[live_brief.pk, pending.pk]))
    assert response.status_code == 302

    live_brief.refresh_from_db()
    assert live_brief.title == "Published title"
    assert list(live_brief.issues.all()) == []
    (quote,) = live_brief.quotes.all()
    # Publishing fixes the expert's title on the quote, as the content model asks.
    assert (quote.text, quote.expert_title) == ("The new quote.", "Senior Director")
    assert pending_revision(live_brief) is None
    client.logout()
    html = client.get(live_brief.get_absolute_url()).content.decode()
    assert "Published title" in html and "The new quote." in html


def test_publish_revision_needs_the_publish_permission(client, live_brief, editor):
    edit_brief(client, live_brief, title="Pending title")
    pending = pending_revision(live_brief)
    writer = contributor()
    with pytest.raises(PermissionDenied):
        publish_revision(revision=pending, user=writer)

    client.force_login(writer)
    url = reverse("admin:briefs_brief_publish_pending", args=[live_brief.pk, pending.pk])
    assert "Publish pending changes" not in client.get(brief_change_url(live_brief)).content.decode()
    assert client.post(url).status_code == 403
    live_brief.refresh_from_db()
    assert live_brief.title == "Live title"
    assert pending_revision(live_brief) == pending

    publisher = UserFactory(username="publisher", is_staff=True)
    publisher.user_permissions.add(*Permission.objects.filter(codename__in=["view_brief", "publish_brief"]))
    publish_revision(revision=pending, user=publisher)
    live_brief.refresh_from_db()
    assert live_brief.title == "Pending title"


def test_contributor_edit_of_a_live_brief_is_pending_too(client, live_brief):
    client.force_login(contributor())
    edit_brief(client, live_brief, title="Contributor's title")
    live_brief.refresh_from_db()
    assert live_brief.title == "Live title"
    assert pending_revision(live_brief).created_by.username == "contributor"


def test_restoring_on_a_live_brief_makes_a_pending_revision(editor, live_brief):
    first = save_revision(brief=live_brief, user=editor)
    Brief.objects.filter(pk=live_brief.pk).update(title="Changed live")
    save_revision(brief=live_brief, user=editor)
    restored = restore_revision(revision=first, user=editor)
    live_brief.refresh_from_db()
    assert live_brief.title == "Changed live"
    assert restored.applied_at is None and pending_revision(live_brief) == restored


def test_only_the_pending_revision_is_published_from_the_admin(client, editor, live_brief):
    old = save_revision(brief=live_brief, user=editor)
    edit_brief(client, live_brief, title="Pending title")
    response = client.post(reverse("admin:briefs_brief_publish_pending", args=[live_brief.pk, old.pk]), follow=True)
    assert "is not the pending revision" in response.content.decode()
    assert pending_revision(live_brief).data["title"] == "Pending title"
    assert client.get(reverse("admin:briefs_brief_publish_pending", args=[live_brief.pk, old.pk])).status_code == 405


def test_form_opened_on_a_draft_that_is_published_meanwhile_saves_as_pending(client, editor):
    brief = BriefFactory(title="Draft title", status=Brief.Status.DRAFT, published_at=None)
    ExpertQuoteFactory(brief=brief, text="The quote.")
    page = client.get(brief_change_url(brief))
    Brief.objects.filter(pk=brief.pk).update(status=Brief.Status.PUBLISHED, published_at=brief.created_at)
    data = change_form_data(page, title="Edited after publication", status="published")
    published = timezone.localtime(brief.created_at)
    data.update({"published_at_0": f"{published:%Y-%m-%d}", "published_at_1": f"{published:%H:%M:%S}"})
    response = client.post(brief_change_url(brief), data)
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert brief.title == "Draft title"
    pending = pending_revision(brief)
    assert pending.data["title"] == "Edited after publication"
    assert [q["text"] for q in pending.data["quotes"]] == ["The quote."]
    assert [q.text for q in brief.quotes.all()] == ["The quote."]


def test_publishing_a_pending_slug_taken_meanwhile_is_a_message_not_a_500(client, editor, live_brief):
    edit_brief(client, live_brief, slug="wanted-address")
    BriefFactory(slug="wanted-address")
    pending = pending_revision(live_brief)
    url = reverse("admin:briefs_brief_publish_pending", args=[live_brief.pk, pending.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "now used by another brief" in response.content.decode()
    live_brief.refresh_from_db()
    assert live_brief.title == "Live title" and pending_revision(live_brief) == pending


def test_scheduled_brief_says_its_pending_changes_do_not_go_out_by_themselves(client, editor):
    brief = BriefFactory(title="Scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
    edit_brief(client, brief, title="Scheduled, edited")
    html = client.get(brief_change_url(brief)).content.decode()
    assert "not on the site now" in html and "unless they are published" in html


class TestContributorSubmitsChanges:
    """A contributor's edit of a live brief waits as pending changes; submitting them tells the
    editors, and the brief stays published with the live version until an editor publishes them."""

    def test_submit_changes_tells_editors_and_keeps_the_live_version(
        self, client, live_brief, mailoutbox, django_capture_on_commit_callbacks
    ):
        EditorFactory(username="ed", email="ed@example.org")
        author = ContributorFactory(username="cory")
        client.force_login(author)
        assert "workflow-submit_changes" not in client.get(brief_change_url(live_brief)).content.decode()

        edit_brief(client, live_brief, title="Contributor's better title")
        page = client.get(brief_change_url(live_brief)).content.decode()
        assert "workflow-submit_changes" in page
        url = reverse("admin:briefs_brief_transition", args=[live_brief.pk, "submit_changes"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"comment": "Sharper title."})
        assert response.status_code == 302

        live_brief.refresh_from_db()
        assert (live_brief.status, live_brief.title) == ("published", "Live title")
        assert client.get(live_brief.get_absolute_url()).content.decode().count("Contributor's better title") == 0
        step = Transition.objects.get(brief=live_brief)
        assert (step.user, step.from_state, step.to_state, step.comment) == (
            author,
            "published",
            "published",
            "Sharper title.",
        )
        assert [m.to for m in mailoutbox] == [["ed@example.org"]]
        assert "changes to" in mailoutbox[0].subject

        # The editor sees no "submit" button of their own, publishes the changes, and the step is kept.
        editor = EditorFactory(username="ed")
        assert workflow.available_actions(live_brief, editor) == [
            workflow.ACTIONS["request_pending_changes"],
            workflow.ACTIONS["withdraw"],
        ]
        publish_revision(revision=pending_revision(live_brief), user=editor)
        live_brief.refresh_from_db()
        assert live_brief.title == "Contributor's better title"
        assert Transition.objects.filter(brief=live_brief, user=editor, comment__contains="Published pending").exists()

    def test_nothing_to_submit_without_pending_changes(self, live_brief):
        with pytest.raises(workflow.WorkflowError, match="no pending changes"):
            workflow.submit_changes(brief=live_brief, user=ContributorFactory())
        live_brief.refresh_from_db()
        assert live_brief.transitions.count() == 0

    def test_contributor_still_cannot_touch_a_brief_in_review(self, client, live_brief):
        Brief.objects.filter(pk=live_brief.pk).update(status="in_review")
        client.force_login(ContributorFactory())
        page = client.get(brief_change_url(live_brief))
        assert client.post(brief_change_url(live_brief), change_form_data(page, title="Nope")).status_code == 403


def test_withdrawing_takes_pending_changes_into_the_brief_so_reopening_keeps_them(client, editor, live_brief):
    edit_brief(client, live_brief, title="Pending title", **{"quotes-0-text": "The pending quote."})
    pending = pending_revision(live_brief)

    response = client.post(
        reverse("admin:briefs_brief_transition", args=[live_brief.pk, "withdraw"]),
        {"comment": "Superseded.", "confirm_withdraw": "1"},  # a reason and a confirmation (#11)
        follow=True,
    )
    assert "Its pending changes are now its content" in response.content.decode()
    workflow.reopen(brief=live_brief, user=editor)

    live_brief.refresh_from_db()
    assert (live_brief.status, live_brief.title) == (Brief.Status.DRAFT, "Pending title")
    assert [q.text for q in live_brief.quotes.all()] == ["The pending quote."]
    assert pending_revision(live_brief) is None
    pending.refresh_from_db()
    assert pending.applied_at is not None
    # The draft's form shows the changes, and saving it keeps them.
    page = client.get(brief_change_url(live_brief))
    assert page.context["adminform"].form["title"].value() == "Pending title"
    edit_brief(client, live_brief, summary="Draft summary.")
    live_brief.refresh_from_db()
    assert (live_brief.title, live_brief.summary) == ("Pending title", "Draft summary.")
    assert live_brief.quotes.get().text == "The pending quote."


def test_withdrawing_is_not_blocked_by_pending_changes_that_no_longer_apply(client, editor, live_brief):
    edit_brief(client, live_brief, slug="taken-later")
    BriefFactory(slug="taken-later", status=Brief.Status.DRAFT, published_at=None)

    workflow.withdraw(brief=live_brief, user=editor)

    live_brief.refresh_from_db()
    assert live_brief.status == Brief.Status.WITHDRAWN
    assert live_brief.title == "Live title"
    assert pending_revision(live_brief).data["slug"] == "taken-later"


def test_editor_sends_submitted_pending_changes_back_with_a_comment(
    client, live_brief, django_capture_on_commit_callbacks
):
    from django.core import mail

    writer = ContributorFactory(username="writer", email="writer@example.org")
    reviewer = EditorFactory(username="reviewer", email="reviewer@example.org")
    client.force_login(writer)
    edit_brief(client, live_brief, title="Pending title")
    workflow.submit_changes(brief=live_brief, user=writer)
    pending = pending_revision(live_brief)
    url = reverse("admin:briefs_brief_transition", args=[live_brief.pk, "request_pending_changes"])
    # Not the contributor's to take, even by a hand-made POST.
    assert client.post(url, {"comment": "Looks good to me"}).status_code == 403

    client.force_login(reviewer)
    assert (
        'class="button workflow-request_pending_changes"' in client.get(brief_change_url(live_brief)).content.decode()
    )
    response = client.post(url, {"comment": ""}, follow=True)
    assert "needs a comment" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": "Source the new figure."}, follow=True)
    assert "the pending changes stay pending" in response.content.decode()

    live_brief.refresh_from_db()
    assert (live_brief.status, live_brief.title) == (Brief.Status.PUBLISHED, "Live title")
    assert pending_revision(live_brief) == pending
    step = Transition.objects.filter(brief=live_brief).latest()
    assert (step.user, step.from_state, step.to_state, step.comment) == (
        reviewer,
        "published",
        "published",
        "Source the new figure.",
    )
    (message,) = mail.outbox
    assert message.to == ["writer@example.org"]
    assert "asked for changes to the pending changes" in message.body and "Source the new figure." in message.body


def test_request_changes_to_pending_changes_needs_pending_changes(client, live_brief):
    reviewer = EditorFactory()
    client.force_login(reviewer)
    assert "workflow-request_pending_changes" not in client.get(brief_change_url(live_brief)).content.decode()
    with pytest.raises(workflow.WorkflowError):
        workflow.request_pending_changes(brief=live_brief, user=reviewer, comment="Why?")
    assert not Transition.objects.filter(brief=live_brief).exists()


def test_saving_pending_changes_does_not_claim_the_brief_was_changed(client, editor, live_brief):
    response = client.post(
        brief_change_url(live_brief),
        change_form_data(client.get(brief_change_url(live_brief)), title="Pending title"),
        follow=True,
    )
    html = response.content.decode()
    assert "Saved as pending revision 2. Readers still see the live version" in html
    assert "was changed successfully" not in html
    # Ordinary saves keep Django's message.
    draft = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    response = client.post(brief_change_url(draft), change_form_data(client.get(brief_change_url(draft))), follow=True)
    assert "was changed successfully" in response.content.decode()


def test_change_page_has_one_history_link_to_the_brief_history(client, editor, live_brief):
    html = client.get(brief_change_url(live_brief)).content.decode()
    assert html.count('class="historylink"') == 1
    assert f'href="{reverse("admin:briefs_brief_revisions", args=[live_brief.pk])}" class="historylink"' in html
    history = client.get(reverse("admin:briefs_brief_revisions", args=[live_brief.pk])).content.decode()
    assert reverse("admin:briefs_brief_history", args=[live_brief.pk]) in history


def test_a_save_that_changes_no_content_of_a_live_brief_leaves_no_pending_changes(client, editor, live_brief):
    expiry = timezone.now() + datetime.timedelta(days=30)
    page = client.get(brief_change_url(live_brief))
    data = change_form_data(page, expires_at_0=timezone.localtime(expiry).strftime("%Y-%m-%d"), expires_at_1="12:00:00")
    response = client.post(brief_change_url(live_brief), data, follow=True)
    assert "No content changed" in response.content.decode()
    live_brief.refresh_from_db()
    assert live_brief.expires_at is not None
    assert pending_revision(live_brief) is None
    assert "Pending changes" not in client.get(brief_change_url(live_brief)).content.decode()

    # Edits undone before saving again: the pending changes are dropped, kept in the history.
    edit_brief(client, live_brief, title="Pending title")
    assert pending_revision(live_brief) is not None
    edit_brief(client, live_brief, title="Live title")
    assert pending_revision(live_brief) is None
    assert live_brief.revisions.filter(data__title="Pending title").exists()


def test_restoring_the_live_revision_drops_the_pending_changes(client, editor, live_brief):
    edit_brief(client, live_brief, title="Pending title")
    live = live_brief.revisions.get(number=1)
    response = client.post(reverse("admin:briefs_brief_restore", args=[live_brief.pk, live.pk]), follow=True)
    assert "Revision 1 restored as revision 3." in response.content.decode()
    assert pending_revision(live_brief) is None
    live_brief.refresh_from_db()
    assert live_brief.title == "Live title"
    assert live_brief.revisions.filter(data__title="Pending title").exists()


def test_a_contributor_restoring_on_a_live_brief_only_proposes_it(client, editor, live_brief):
    edit_brief(client, live_brief, title="Second title")
    publish_revision(revision=pending_revision(live_brief), user=editor)
    first = live_brief.revisions.get(number=1)
    writer = ContributorFactory()
    client.force_login(writer)

    response = client.post(reverse("admin:briefs_brief_restore", args=[live_brief.pk, first.pk]), follow=True)
    assert "restored as pending revision 3" in response.content.decode()
    live_brief.refresh_from_db()
    assert live_brief.title == "Second title"
    assert pending_revision(live_brief).data["title"] == "Live title"
    client.logout()
    assert "Second title" in client.get(live_brief.get_absolute_url()).content.decode()

    # In review the brief is frozen for contributors: restoring is refused and changes nothing.
    Brief.objects.filter(pk=live_brief.pk).update(status=Brief.Status.IN_REVIEW)
    client.force_login(writer)
    assert client.post(reverse("admin:briefs_brief_restore", args=[live_brief.pk, first.pk])).status_code == 403
    assert live_brief.revisions.count() == 3
