"""No lost update anywhere in the admin: experts, issues and brief types refuse a save over someone
else's newer save as briefs do (tests/test_lost_update.py), naming who changed what and when."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form_data
from tests.factories import BriefTypeFactory, ExpertFactory, IssueFactory, SuperUserFactory
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db

# model admin name, factory, the field both editors change, a second field Bob also changes
CASES = {
    "expert": ("experts_expert", lambda: ExpertFactory(name="Ann Expert", title="Fellow"), "title", "program"),
    "issue": ("issues_issue", lambda: IssueFactory(name="Iran"), "name", "sort_order"),
    "brief type": ("briefs_brieftype", lambda: BriefTypeFactory(name="Analysis"), "name", "sort_order"),
}


def logged_in(username, first, last):
    client = Client()
    client.force_login(SuperUserFactory(username=username, first_name=first, last_name=last))
    return client


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_second_of_two_concurrent_edits_is_refused_with_name_time_and_what(case):
    admin_name, make, field, other = CASES[case]
    obj = make()
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    ada, bob = logged_in("ada", "Ada", "Lovelace"), logged_in("bob", "Bob", "Woodward")
    ada_page, bob_page = ada.get(url), bob.get(url)

    response = ada.post(url, change_form_data(ada_page, **{field: "Ada's value"}))
    assert response.status_code == 302, errors_of(response)
    ada_change = LogEntry.objects.filter(object_id=str(obj.pk)).latest("pk")

    response = bob.post(url, change_form_data(bob_page, **{field: "Bob's value", other: "7"}))
    assert response.status_code == 200
    html = response.content.decode()
    when = timezone.localtime(ada_change.action_time)
    assert f"This {case} was changed by Ada Lovelace at {when:%Y-%m-%d %H:%M:%S %Z} after you opened it" in html
    assert ada_change.get_change_message().rstrip(".").lower() in html.lower()  # what Ada changed
    # Bob's input is kept in the form; nothing of it is saved.
    form = response.context["adminform"].form
    assert (str(form[field].value()), str(form[other].value())) == ("Bob's value", "7")
    obj.refresh_from_db()
    assert getattr(obj, field) == "Ada's value"

    # Having seen the conflict, Bob may deliberately save his version.
    response = bob.post(url, change_form_data(response))
    assert response.status_code == 302, errors_of(response)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Bob's value"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_saves_in_turn_are_not_refused(case):
    admin_name, make, field, _ = CASES[case]
    obj = make()
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    ada, bob = logged_in("ada", "Ada", "Lovelace"), logged_in("bob", "Bob", "Woodward")
    for client, value in [(ada, "First"), (bob, "Second"), (ada, "Third")] * 4:
        response = client.post(url, change_form_data(client.get(url), **{field: value}))
        assert response.status_code == 302, errors_of(response)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Third"


def test_ten_rounds_of_concurrent_expert_edits_lose_nothing():
    """The audit's figure: two editors open the same expert and both save, ten times over."""
    expert = ExpertFactory(name="Ann Expert")
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    ada, bob = logged_in("ada", "Ada", "Lovelace"), logged_in("bob", "Bob", "Woodward")
    refused = 0
    for round_ in range(10):
        ada_page, bob_page = ada.get(url), bob.get(url)
        assert ada.post(url, change_form_data(ada_page, title=f"Ada {round_}")).status_code == 302
        refused += bob.post(url, change_form_data(bob_page, program=f"Bob {round_}")).status_code == 200
        expert.refresh_from_db()
        assert expert.title == f"Ada {round_}"
    assert refused == 10
