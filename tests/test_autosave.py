"""Autosave (#11): the user's unsubmitted typing is kept for them alone; readers never see it, nobody
else's save is refused because of it, reopening offers to restore it, saving or discarding ends it."""

import pytest
from django.test import Client
from django.urls import reverse

from briefs.models import Autosave, Brief
from briefs.revisions import latest_revision
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, ContributorFactory, EditorFactory
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db


def change_url(brief, query=""):
    return reverse("admin:briefs_brief_change", args=[brief.pk]) + query


def autosave(client, brief, **typed):
    page = client.get(change_url(brief))
    data = change_form_data(page, **typed)
    return client.post(reverse("admin:briefs_brief_autosave", args=[brief.pk]), data)


@pytest.fixture
def ada():
    client = Client()
    client.force_login(EditorFactory(username="ada", first_name="Ada"))
    return client


@pytest.fixture
def bob():
    client = Client()
    client.force_login(EditorFactory(username="bob", first_name="Bob"))
    return client


def test_autosave_changes_nothing_readers_see_and_keeps_no_revision(ada):
    brief = BriefFactory(title="Live title", summary="Live summary.")
    response = autosave(ada, brief, summary="Typed, not saved.")
    assert response.status_code == 200 and "saved_at" in response.json()
    brief.refresh_from_db()
    assert brief.summary == "Live summary." and latest_revision(brief) is None
    assert Autosave.objects.get(brief=brief).data["summary"] == ["Typed, not saved."]


def test_reopening_offers_to_restore_and_restoring_fills_the_form_without_saving(ada):
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None, summary="Saved summary.")
    autosave(ada, brief, summary="Typed before the browser crashed.")
    page = ada.get(change_url(brief)).content.decode()
    assert "Restore my unsaved typing" in page
    restored = ada.get(change_url(brief, "?autosave=restore"))
    assert restored.context["adminform"].form["summary"].value() == "Typed before the browser crashed."
    assert "is back in the form below" in restored.content.decode()
    brief.refresh_from_db()
    assert brief.summary == "Saved summary."
    # Saving the restored form keeps the typing and ends the autosave.
    response = ada.post(change_url(brief), change_form_data(restored))
    assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert brief.summary == "Typed before the browser crashed."
    assert not Autosave.objects.exists()


def test_autosave_never_makes_someone_elses_save_stale(ada, bob):
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    bob_page = bob.get(change_url(brief))
    autosave(ada, brief, summary="Ada is typing.")
    response = bob.post(change_url(brief), change_form_data(bob_page, summary="Bob saves."))
    assert response.status_code == 302, errors_of(response)
    # And Ada, restoring after Bob's save, is told that Bob changed the brief since she opened it.
    restored = ada.get(change_url(brief, "?autosave=restore")).content.decode()
    assert "changed by Bob" in restored


def test_autosaves_are_per_user_and_discardable(ada, bob):
    brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    autosave(ada, brief, summary="Ada's.")
    assert "Restore my unsaved typing" not in bob.get(change_url(brief)).content.decode()
    assert bob.get(change_url(brief, "?autosave=restore")).context["adminform"].form.is_bound is False
    response = ada.post(reverse("admin:briefs_brief_autosave", args=[brief.pk]), {"discard": "1"}, follow=True)
    assert "discarded" in response.content.decode()
    assert not Autosave.objects.exists()


def test_only_someone_who_may_edit_the_brief_can_autosave(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None, summary="Frozen.")
    client.force_login(ContributorFactory())
    url = reverse("admin:briefs_brief_autosave", args=[brief.pk])
    assert client.post(url, {"summary": "Sneaky"}).status_code == 403
    assert client.get(url).status_code == 405
    assert not Autosave.objects.exists()
