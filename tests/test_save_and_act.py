"""Save and act in one step (#11): every workflow button of the change page submits the whole form.

The edits are validated (with the lost-update check) and saved as a revision first, then the step
runs; an invalid form or a step missing what it needs shows errors, saves nothing and runs nothing.
"""

import pytest
from django.urls import reverse

from briefs import workflow
from briefs.models import Brief, Correction, Transition
from briefs.revisions import pending_revision
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, ContributorFactory, EditorFactory, ExpertFactory, ExpertQuoteFactory
from tests.test_admin import errors_of
from tests.test_notifications_smtp import refused_port, smtp_down  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def change_url(brief):
    return reverse("admin:briefs_brief_change", args=[brief.pk])


def step(client, brief, name, page=None, **overrides):
    """Open the change page (or use ``page``), type ``overrides``, press the button of step ``name``."""
    page = page or client.get(change_url(brief))
    return client.post(change_url(brief), change_form_data(page, _workflow=name, **overrides))


def draft(**kwargs):
    return BriefFactory(status=Brief.Status.DRAFT, published_at=None, **kwargs)


def in_review(**kwargs):
    return BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None, **kwargs)


def test_submit_for_review_saves_the_typing_first(client):
    carla = ContributorFactory()
    brief = draft(summary="Old summary.", created_by=carla)
    client.force_login(carla)
    response = step(client, brief, "submit", summary="A new paragraph of summary.", comment="Ready.")
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert (brief.status, brief.summary) == (Brief.Status.IN_REVIEW, "A new paragraph of summary.")
    assert brief.revisions.latest("number").data["summary"] == "A new paragraph of summary."
    assert Transition.objects.get(brief=brief).comment == "Ready."


def test_editor_correction_keeps_the_edited_summary_as_pending_changes(client):
    brief = BriefFactory(summary="Live summary.")
    client.force_login(EditorFactory())
    response = step(
        client, brief, "correction", summary="A corrected summary.", correction_text="The attack was on Monday."
    )
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert Correction.objects.get(brief=brief).text == "The attack was on Monday."
    assert brief.summary == "Live summary."  # readers keep the live version...
    assert pending_revision(brief).data["summary"] == "A corrected summary."  # ...and the typing is kept


def test_request_changes_without_comment_saves_nothing_and_keeps_the_typing(client):
    brief = in_review(summary="Old summary.")
    client.force_login(EditorFactory())
    response = step(client, brief, "request_changes", summary="Typed by the editor.", comment="")
    assert response.status_code == 200
    assert "needs a comment" in response.content.decode()
    assert response.context["adminform"].form["summary"].value() == "Typed by the editor."
    brief.refresh_from_db()
    assert (brief.status, brief.summary) == (Brief.Status.IN_REVIEW, "Old summary.")
    assert not brief.revisions.exists() and not Transition.objects.exists()


def test_invalid_form_runs_no_step(client):
    brief = in_review()
    client.force_login(EditorFactory())
    response = step(client, brief, "publish", title="")
    assert response.status_code == 200
    assert "title" in errors_of(response)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW and not Transition.objects.exists()


def test_a_bad_publication_time_is_a_form_error(client):
    brief = in_review(summary="Old summary.")
    client.force_login(EditorFactory())
    response = step(client, brief, "publish", summary="New.", publish_at="next tuesday")
    assert response.status_code == 200
    assert "is not a date and time" in response.content.decode()
    brief.refresh_from_db()
    assert (brief.status, brief.summary) == (Brief.Status.IN_REVIEW, "Old summary.")


def test_a_step_over_someone_elses_newer_save_is_refused_with_the_lost_update_message(client):
    brief = in_review(summary="Old summary.")
    edith, other = EditorFactory(first_name="Edith"), EditorFactory(first_name="Otto")
    client.force_login(edith)
    page = client.get(change_url(brief))
    client.force_login(other)
    assert step(client, brief, "publish", summary="Otto's summary.").status_code == 302  # Otto publishes first
    client.force_login(edith)
    brief.refresh_from_db()
    response = step(client, brief, "withdraw", page=page, comment="Wrong.", confirm_withdraw="1")
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED


def test_withdraw_needs_a_reason_and_a_confirmation(client):
    brief = BriefFactory()
    client.force_login(EditorFactory())
    for extra in ({}, {"comment": "Superseded by a newer brief."}, {"confirm_withdraw": "1"}):
        response = step(client, brief, "withdraw", **extra)
        assert response.status_code == 200
        brief.refresh_from_db()
        assert brief.status == Brief.Status.PUBLISHED
    html = response.content.decode()
    assert "needs a reason" in html
    response = step(client, brief, "withdraw", comment="Superseded by a newer brief.", confirm_withdraw="1")
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == Brief.Status.WITHDRAWN
    assert Transition.objects.get(brief=brief).comment == "Superseded by a newer brief."


def test_withdraw_posted_on_its_own_needs_them_too(client):
    brief = BriefFactory()
    client.force_login(EditorFactory())
    url = reverse("admin:briefs_brief_transition", args=[brief.pk, "withdraw"])
    response = client.post(url, {"comment": "No confirmation"}, follow=True)
    assert "to confirm withdrawing" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED


def test_a_step_on_an_unchanged_form_records_no_revision(client):
    brief = draft(created_by=None)
    client.force_login(EditorFactory())
    assert step(client, brief, "submit").status_code == 302
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW
    assert not brief.revisions.exists()


def test_publish_pending_changes_takes_the_latest_typing_live(client):
    brief = BriefFactory(summary="Live summary.")
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory())
    client.force_login(EditorFactory())
    response = step(client, brief, "publish_pending", summary="Typed just before publishing.")
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert brief.summary == "Typed just before publishing."
    assert pending_revision(brief) is None


def test_a_step_the_user_may_not_take_is_refused_and_nothing_runs(client):
    brief = draft()
    client.force_login(ContributorFactory())
    response = step(client, brief, "publish", summary="Sneaky.")
    assert response.status_code == 200
    assert "not a step you can take" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DRAFT and brief.summary != "Sneaky."


def test_a_step_failing_after_the_save_keeps_the_edits_and_says_why(client):
    brief = draft(developments="")
    client.force_login(EditorFactory())
    response = step(client, brief, "submit", summary="Kept even though the step fails.")
    assert response.status_code == 302
    page = client.get(change_url(brief))
    assert "The brief needs Latest Developments first." in page.content.decode()
    brief.refresh_from_db()
    assert (brief.status, brief.summary) == (Brief.Status.DRAFT, "Kept even though the step fails.")
    assert workflow.available_actions(brief, page.wsgi_request.user)


def test_saving_an_unchanged_live_brief_whose_rows_start_at_0_makes_no_pending_changes(client):
    # The importer numbers quotes and links from 0; every row of a live brief's form posts as new.
    from tests.factories import RelatedLinkFactory

    brief = BriefFactory()
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(), order=0)
    RelatedLinkFactory(brief=brief, order=0)
    client.force_login(EditorFactory())
    page = client.get(change_url(brief))
    response = client.post(change_url(brief), change_form_data(page), follow=True)
    assert "No content changed" in response.content.decode()
    assert pending_revision(brief) is None
    # A row added after them is still numbered after the row above it.
    page = client.get(change_url(brief))
    new_row = {"related_links-1-title": "Another", "related_links-1-url": "https://example.org/b"}
    data = change_form_data(page, **{"related_links-TOTAL_FORMS": "2", "related_links-1-order": "0", **new_row})
    response = client.post(change_url(brief), data)
    assert response.status_code == 302, errors_of(response)
    assert [link["order"] for link in pending_revision(brief).data["related_links"]] == [0, 1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # emails go out on commit
@pytest.mark.usefixtures("smtp_down")
def test_a_step_from_the_change_form_with_the_mail_server_down_is_done_with_a_warning(client):
    from tests.test_notifications_smtp import WARNING

    carla = ContributorFactory(email="carla@example.org")
    EditorFactory(email="edith@example.org")
    brief = draft(created_by=carla)
    client.force_login(carla)
    response = step(client, brief, "submit", summary="Typed before submitting.")
    assert response.status_code == 302, errors_of(response)
    page = client.get(response["Location"]).content.decode()
    assert WARNING in page
    brief.refresh_from_db()
    assert (brief.status, brief.summary) == (Brief.Status.IN_REVIEW, "Typed before submitting.")
