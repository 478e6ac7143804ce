"""Scheduling and expiry happen at their second, with no job running; the admin Schedule page shows them."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief
from tests.factories import BriefFactory, ContributorFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOON = datetime.datetime(2030, 5, 6, 12, 0, 0, tzinfo=NEW_YORK)
SECOND = datetime.timedelta(seconds=1)


def visible(client, brief):
    """Whether a reader sees the brief: on its page and in the list of briefs."""
    page = client.get(brief.get_absolute_url())
    listed = brief.title in client.get(reverse("briefs:list")).content.decode()
    assert (page.status_code == 200) == listed
    return listed


def test_scheduled_brief_goes_live_at_its_second(client):
    with time_machine.travel(NOON - datetime.timedelta(days=1), tick=False):
        brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None, title="Scheduled one")
        workflow.publish(brief=brief, user=EditorFactory(), at=NOON)
        assert brief.status == Brief.Status.PUBLISHED
        assert not visible(client, brief)
    with time_machine.travel(NOON - SECOND, tick=False):
        assert not visible(client, brief)
    with time_machine.travel(NOON, tick=False):
        assert visible(client, brief)


def test_brief_expires_at_its_second(client):
    expiry = NOON + datetime.timedelta(days=3)
    with time_machine.travel(NOON, tick=False):
        brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None, expires_at=expiry, title="Expiring one")
        workflow.publish(brief=brief, user=EditorFactory())
        assert visible(client, brief)
    with time_machine.travel(expiry - SECOND, tick=False):
        assert visible(client, brief)
    with time_machine.travel(expiry, tick=False):
        assert not visible(client, brief)
        assert brief.title not in client.get(reverse("briefs:home")).content.decode()


def test_withdrawing_a_scheduled_brief_cancels_it(client):
    with time_machine.travel(NOON - datetime.timedelta(hours=1), tick=False):
        brief = BriefFactory(status=Brief.Status.DRAFT, published_at=None, title="Cancelled one")
        editor = EditorFactory()
        workflow.publish(brief=brief, user=editor, at=NOON)
        workflow.withdraw(brief=brief, user=editor, comment="Embargo moved")
    with time_machine.travel(NOON + SECOND, tick=False):
        assert not visible(client, brief)


@time_machine.travel(NOON, tick=False)
def test_schedule_page_groups_upcoming_publications_and_expiries_by_day(client):
    tomorrow = NOON + datetime.timedelta(days=1)
    BriefFactory(title="Goes out tomorrow morning", published_at=tomorrow.replace(hour=9))
    BriefFactory(title="Goes out tomorrow evening", published_at=tomorrow.replace(hour=18))
    BriefFactory(title="Goes out next week", published_at=NOON + datetime.timedelta(days=7))
    BriefFactory(
        title="Live until Friday", published_at=NOON - datetime.timedelta(days=2), expires_at=NOON.replace(day=10)
    )
    BriefFactory(title="Published yesterday", published_at=NOON - datetime.timedelta(days=1))
    BriefFactory(title="Published long ago", published_at=NOON - datetime.timedelta(days=100))
    BriefFactory(title="A draft", status=Brief.Status.DRAFT, published_at=NOON + datetime.timedelta(days=1))
    BriefFactory(title="Withdrawn", status=Brief.Status.WITHDRAWN, published_at=NOON + datetime.timedelta(days=1))

    client.force_login(ContributorFactory())
    response = client.get(reverse("admin:briefs_brief_schedule"))
    assert response.status_code == 200
    upcoming = [(day.isoformat(), [b.title for b in briefs]) for day, briefs in response.context["upcoming_days"]]
    assert upcoming == [
        ("2030-05-07", ["Goes out tomorrow morning", "Goes out tomorrow evening"]),
        ("2030-05-13", ["Goes out next week"]),
    ]
    expiring = [(day.isoformat(), [b.title for b in briefs]) for day, briefs in response.context["expiring_days"]]
    assert expiring == [("2030-05-10", ["Live until Friday"])]
    recent = [b.title for _, briefs in response.context["recent_days"] for b in briefs]
    assert recent == ["Published yesterday", "Live until Friday"]
    html = response.content.decode()
    assert "Tuesday 7 May 2030" in html
    assert "A draft" not in html and "Withdrawn" not in html and "Published long ago" not in html


def test_schedule_page_needs_permission(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:briefs_brief_schedule")).status_code == 403
    client.logout()
    assert client.get(reverse("admin:briefs_brief_schedule")).status_code == 302  # to the login page


def test_schedule_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(EditorFactory())
    start = timezone.now()
    for n in range(30):
        BriefFactory(
            published_at=start + datetime.timedelta(hours=n + 1), expires_at=start + datetime.timedelta(days=30)
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:briefs_brief_schedule")).status_code == 200


@time_machine.travel(NOON, tick=False)
def test_schedule_page_lists_pending_changes_and_flags_scheduled_briefs_that_have_them(client):
    from briefs.revisions import save_revision, snapshot

    editor = EditorFactory(username="ed")
    live = BriefFactory(title="Live with changes", published_at=NOON - datetime.timedelta(days=3))
    scheduled = BriefFactory(title="Scheduled with changes", published_at=NOON + datetime.timedelta(days=1))
    untouched = BriefFactory(title="Live, no changes", published_at=NOON - datetime.timedelta(days=1))
    for brief in (live, scheduled, untouched):
        save_revision(brief=brief, user=editor)
    for brief in (live, scheduled):
        save_revision(brief=brief, user=editor, data={**snapshot(brief), "title": f"{brief.title}, edited"})

    client.force_login(ContributorFactory())
    response = client.get(reverse("admin:briefs_brief_schedule"))
    assert [b.title for b in response.context["pending_briefs"]] == ["Live with changes", "Scheduled with changes"]
    html = response.content.decode()
    section = html[html.index('id="schedule-pending"') : html.index('id="schedule-recent"')]
    assert "Live with changes" in section and "Live, no changes" not in section
    upcoming = html[html.index('id="schedule-upcoming"') : html.index('id="schedule-expiring"')]
    assert "<strong>pending changes</strong> (revision 2) are not published" in upcoming


def test_admin_workflow_pages_give_valid_machine_readable_times(client):
    """HTML's <time datetime> takes at most three digits of a second: Django's "c" format gives six."""
    import re

    from briefs.revisions import save_revision

    editor = EditorFactory()
    # An hour ago with microseconds: "now" with its microseconds replaced could lie in the future.
    brief = BriefFactory(published_at=(timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=123456))
    BriefFactory(
        published_at=timezone.now() + datetime.timedelta(days=1), expires_at=timezone.now() + datetime.timedelta(days=2)
    )
    save_revision(brief=brief, user=editor)
    workflow.add_correction(brief=brief, user=editor, text="A fix.")
    workflow.withdraw(brief=brief, user=editor)
    client.force_login(editor)
    valid = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d{4})?")
    for url in (
        reverse("admin:briefs_brief_schedule"),
        reverse("admin:briefs_brief_change", args=[brief.pk]),
        reverse("admin:briefs_brief_revisions", args=[brief.pk]),
    ):
        values = re.findall(r'<time datetime="([^"]*)"', client.get(url).content.decode())
        assert values, url
        assert [v for v in values if not valid.fullmatch(v)] == [], url
