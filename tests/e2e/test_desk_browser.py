"""The desk on the admin index in Chromium (#11): each user sees their own work, one click to the brief."""

import re

import pytest

from briefs import workflow
from briefs.models import Brief
from tests.e2e.screens import shot
from tests.factories import BriefFactory, ContributorFactory, EditorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_desk_lists_the_right_briefs_for_a_contributor_and_an_editor(live_server, log_in, problems):
    carla, edith = ContributorFactory(username="carla"), EditorFactory(username="edith", first_name="Edith")
    submitted = BriefFactory(title="Houthi Attacks Resume", status=Brief.Status.DRAFT, published_at=None)
    submitted.created_by = carla
    submitted.save()
    workflow.submit_for_review(brief=submitted, user=carla)
    sent_back = BriefFactory(title="Militias Near the Border", status=Brief.Status.DRAFT, published_at=None)
    sent_back.created_by = carla
    sent_back.save()
    workflow.submit_for_review(brief=sent_back, user=carla)
    workflow.request_changes(brief=sent_back, user=edith, comment="Name the militias.")
    BriefFactory(title="Someone else's draft", status=Brief.Status.DRAFT, published_at=None)

    carla_page = log_in("carla")  # the login lands on the admin index
    assert carla_page.locator("#desk-submitted").get_by_role("link").all_inner_texts() == ["Houthi Attacks Resume"]
    drafts = carla_page.locator("#desk-drafts")
    assert drafts.get_by_role("link").all_inner_texts() == ["Militias Near the Border"]
    assert "Sent back" in drafts.inner_text() and "Name the militias." in drafts.inner_text()
    shot(carla_page, "00-desk-contributor")
    drafts.get_by_role("link", name="Militias Near the Border").click()
    carla_page.wait_for_url(re.compile(rf"/admin/briefs/brief/{sent_back.pk}/change/$"))

    edith_page = log_in("edith")
    review = edith_page.locator("#desk-review")
    assert review.get_by_role("link").all_inner_texts() == ["Houthi Attacks Resume"]
    assert edith_page.locator("#desk-drafts").get_by_role("link").count() == 0
    shot(edith_page, "00-desk-editor")
    edith_page.set_viewport_size({"width": 360, "height": 800})
    assert edith_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems == []
