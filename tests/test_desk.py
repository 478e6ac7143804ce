"""The editors' desk on the admin index (#11): for the signed-in user, what awaits their review, their
drafts and briefs sent back, what goes out in the next 7 days, pending changes to live briefs."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from briefs import workflow
from briefs.admin.desk import sections
from briefs.models import Brief
from briefs.revisions import save_revision, working_copy
from tests.factories import BriefFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def newsroom():
    carla, edith = ContributorFactory(username="carla"), EditorFactory(username="edith")
    other = ContributorFactory(username="otto")
    now = timezone.now()

    def draft(title, user):
        return BriefFactory(title=title, status=Brief.Status.DRAFT, published_at=None, created_by=user)

    draft("Carla's draft", carla)
    draft("Otto's draft", other)
    sent_back = draft("Carla's sent back", carla)
    workflow.submit_for_review(brief=sent_back, user=carla)
    workflow.request_changes(brief=sent_back, user=edith, comment="Say where the drones came from.")
    submitted = draft("Carla's submission", carla)
    workflow.submit_for_review(brief=submitted, user=carla)
    own = draft("Edith's own submission", edith)
    workflow.submit_for_review(brief=own, user=edith)
    BriefFactory(title="Out on Friday", published_at=now + 3 * DAY)
    BriefFactory(title="Out next month", published_at=now + 30 * DAY)
    BriefFactory(title="Live, untouched")
    pending = BriefFactory(title="Live with a fix waiting")
    save_revision(brief=pending, user=carla, data={**working_copy(pending), "summary": "Fixed."})
    return {"carla": carla, "edith": edith}


def titles(client, user):
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    found = {}
    for key, body in re.findall(r'<section class="module desk-section" id="desk-(\w+)".*?>(.*?)</section>', html, re.S):
        found[key] = [
            html_lib.unescape(t) for t in re.findall(r'<a href="/admin/briefs/brief/\d+/change/">([^<]+)</a>', body)
        ]
    return found, html


def test_a_contributor_sees_her_drafts_sent_back_briefs_and_submissions(client, newsroom):
    found, html = titles(client, newsroom["carla"])
    assert found == {
        "submitted": ["Carla's submission"],
        "drafts": ["Carla's sent back", "Carla's draft"],
        "scheduled": ["Out on Friday"],
        "pending": ["Live with a fix waiting"],
    }
    assert "Sent back" in html and "Say where the drones came from." in html


def test_an_editor_sees_what_awaits_her_review_but_not_her_own_submission(client, newsroom):
    found, _ = titles(client, newsroom["edith"])
    assert found["review"] == ["Carla's submission"]
    assert found["drafts"] == []
    assert found["scheduled"] == ["Out on Friday"]
    assert found["pending"] == ["Live with a fix waiting"]


def test_the_desk_runs_a_fixed_number_of_queries(client, newsroom, django_assert_num_queries):
    client.force_login(newsroom["edith"])
    client.get(reverse("admin:index"))
    with django_assert_num_queries(4):
        sections(user=newsroom["edith"])
    for n in range(15):
        BriefFactory(title=f"Another scheduled {n}", published_at=timezone.now() + DAY)
    with django_assert_num_queries(4):
        result = sections(user=newsroom["edith"])
    scheduled = next(s for s in result if s["key"] == "scheduled")
    assert len(scheduled["briefs"]) == 10 and scheduled["more"]


def test_staff_without_brief_rights_get_no_desk(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert "Your desk" not in client.get(reverse("admin:index")).content.decode()
