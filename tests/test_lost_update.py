"""No lost updates: a save over a newer revision than the one opened is refused, naming who
changed it and when, with the user's input kept; editors see who else has the brief open."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, SuperUserFactory
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db


def logged_in(username, first, last):
    client = Client()
    client.force_login(SuperUserFactory(username=username, first_name=first, last_name=last))
    return client


@pytest.fixture
def ada():
    return logged_in("ada", "Ada", "Lovelace")


@pytest.fixture
def bob():
    return logged_in("bob", "Bob", "Woodward")


def change_url(brief):
    return reverse("admin:briefs_brief_change", args=[brief.pk])


@pytest.mark.parametrize("status", [Brief.Status.DRAFT, Brief.Status.PUBLISHED], ids=["draft", "live"])
def test_second_of_two_concurrent_edits_is_refused_with_name_and_time(ada, bob, status):
    brief = BriefFactory(title="Original title", status=status)
    ada_page, bob_page = ada.get(change_url(brief)), bob.get(change_url(brief))

    response = ada.post(change_url(brief), change_form_data(ada_page, title="Ada's title"))
    assert response.status_code == 302, errors_of(response)
    ada_revision = brief.revisions.order_by("-number").first()

    response = bob.post(change_url(brief), change_form_data(bob_page, title="Bob's title", summary="Bob's summary."))
    assert response.status_code == 200
    html = response.content.decode()
    when = timezone.localtime(ada_revision.created_at)
    assert f"changed by Ada Lovelace at {when:%Y-%m-%d %H:%M:%S %Z}" in html
    # The compare link shows what Ada changed against what Bob had opened (kept as revision 1).
    opened = brief.revisions.get(number=1)
    compare = reverse("admin:briefs_brief_compare", args=[brief.pk])
    assert f"{compare}?a={opened.pk}&amp;b={ada_revision.pk}" in html
    assert "<ins>Ada&#x27;s</ins>" in bob.get(f"{compare}?a={opened.pk}&b={ada_revision.pk}").content.decode()
    # Bob's input is still in the form, nothing of it saved, and Ada's save stands.
    form = response.context["adminform"].form
    assert (form["title"].value(), form["summary"].value()) == ("Bob's title", "Bob's summary.")
    assert 'value="Bob&#x27;s title"' in html
    assert brief.revisions.order_by("-number").first() == ada_revision
    assert ada_revision.data["title"] == "Ada's title"

    # Having seen the conflict, Bob may deliberately save his version; Ada's stays in the history.
    response = bob.post(change_url(brief), change_form_data(response))
    assert response.status_code == 302, errors_of(response)
    latest = brief.revisions.order_by("-number").first()
    assert (latest.data["title"], latest.created_by.username) == ("Bob's title", "bob")
    assert brief.revisions.filter(data__title="Ada's title").exists()


def test_saves_in_turn_are_not_refused(ada, bob):
    brief = BriefFactory(title="Original title", status=Brief.Status.DRAFT)
    for client, title in [(ada, "First"), (bob, "Second"), (ada, "Third")]:
        page = client.get(change_url(brief))
        response = client.post(change_url(brief), change_form_data(page, title=title))
        assert response.status_code == 302, errors_of(response)
    brief.refresh_from_db()
    assert brief.title == "Third"


def test_presence_names_the_other_editor_for_a_few_minutes(ada, bob):
    brief = BriefFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ada.get(change_url(brief))
        html = bob.get(change_url(brief)).content.decode()
        assert "Ada Lovelace is editing this brief" in html
        assert "is editing this brief" in ada.get(change_url(brief)).content.decode()  # Bob, for Ada
        assert "Ada Lovelace is editing" not in ada.get(change_url(brief)).content.decode()

        clock.shift(datetime.timedelta(minutes=6))
        assert "is editing this brief" not in bob.get(change_url(brief)).content.decode()


def test_heartbeat_keeps_presence_and_saving_ends_it(ada, bob):
    brief = BriefFactory(status=Brief.Status.DRAFT)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        page = ada.get(change_url(brief))
        clock.shift(datetime.timedelta(seconds=40))  # presence lasts a minute between heartbeats (#11)
        presence = reverse("admin:briefs_brief_presence", args=[brief.pk])
        assert ada.get(presence).status_code == 405
        assert ada.post(presence).json() == {"others": []}
        clock.shift(datetime.timedelta(seconds=40))
        assert "Ada Lovelace is editing this brief" in bob.get(change_url(brief)).content.decode()

        assert ada.post(change_url(brief), change_form_data(page)).status_code == 302
        assert "Ada Lovelace is editing" not in bob.get(change_url(brief)).content.decode()


@pytest.mark.parametrize("status", [Brief.Status.DRAFT, Brief.Status.PUBLISHED], ids=["draft", "live"])
def test_an_edit_of_only_a_quote_is_protected_both_ways(ada, bob, status):
    from tests.factories import ExpertQuoteFactory

    brief = BriefFactory(title="Original title", status=status)
    ExpertQuoteFactory(brief=brief, text="Original quote.")
    ada_page, bob_page = ada.get(change_url(brief)), bob.get(change_url(brief))

    # Ada changes nothing but the quote; Bob, who opened the page before, changes the title.
    response = ada.post(change_url(brief), change_form_data(ada_page, **{"quotes-0-text": "Ada's quote."}))
    assert response.status_code == 302, errors_of(response)
    response = bob.post(change_url(brief), change_form_data(bob_page, title="Bob's title"))
    assert response.status_code == 200
    assert "changed by Ada Lovelace" in response.content.decode()
    latest = brief.revisions.order_by("-number").first()
    assert [q["text"] for q in latest.data["quotes"]] == ["Ada's quote."]
    assert latest.data["title"] == "Original title"

    # And the other way round: a quote-only save over a newer revision is refused too.
    ada_page = ada.get(change_url(brief))
    response = bob.post(change_url(brief), change_form_data(response, title="Bob's title"))
    assert response.status_code == 302, errors_of(response)
    response = ada.post(change_url(brief), change_form_data(ada_page, **{"quotes-0-text": "Ada's second quote."}))
    assert response.status_code == 200
    assert "changed by Bob Woodward" in response.content.decode()
    assert brief.revisions.order_by("-number").first().data["title"] == "Bob's title"


def test_presence_is_gone_within_a_minute_of_the_last_heartbeat_and_at_once_on_leaving(ada, bob):
    brief = BriefFactory(status=Brief.Status.DRAFT)
    presence = reverse("admin:briefs_brief_presence", args=[brief.pk])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ada.get(change_url(brief))
        clock.shift(datetime.timedelta(seconds=61))  # her browser crashed: no heartbeat, no goodbye
        assert "Ada Lovelace is editing" not in bob.get(change_url(brief)).content.decode()
        ada.get(change_url(brief))
        assert ada.post(presence, {"leave": "1"}).status_code == 200  # the page was closed
        assert "Ada Lovelace is editing" not in bob.get(change_url(brief)).content.decode()


def test_someone_who_may_only_read_the_brief_is_not_shown_as_editing_it(ada):
    from tests.factories import ContributorFactory

    brief = BriefFactory(status=Brief.Status.IN_REVIEW)
    reader = Client()
    reader.force_login(ContributorFactory(username="cory", first_name="Cory", last_name="Reader"))
    page = reader.get(change_url(brief)).content.decode()
    assert "data-presence-url" not in page
    assert reader.post(reverse("admin:briefs_brief_presence", args=[brief.pk])).status_code == 403
    assert "Cory Reader is editing" not in ada.get(change_url(brief)).content.decode()
    # An editor with the page open is still named to the reader.
    assert "Ada Lovelace is editing this brief" in reader.get(change_url(brief)).content.decode()
