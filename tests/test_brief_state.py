"""One clear state per brief (#11): the change page's state line, the change list's badges and order,
the state and issue filters, "View on site" only for live briefs."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief
from briefs.revisions import save_revision, working_copy
from tests.factories import BriefFactory, EditorFactory, IssueFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


@pytest.fixture
def briefs():
    now = timezone.now()
    live_with_pending = BriefFactory(title="Live with pending", published_at=now - 3 * HOUR)
    save_revision(brief=live_with_pending, user=None, data={**working_copy(live_with_pending), "summary": "New."})
    return {
        "draft": BriefFactory(title="A draft", status=Brief.Status.DRAFT, published_at=None),
        "in_review": BriefFactory(title="In review", status=Brief.Status.IN_REVIEW, published_at=None),
        "scheduled": BriefFactory(title="Scheduled", published_at=now + 2 * HOUR),
        "live": BriefFactory(title="Live", published_at=now - 2 * HOUR),
        "pending": live_with_pending,
        "expired": BriefFactory(title="Expired", published_at=now - 5 * HOUR, expires_at=now - HOUR),
        "withdrawn": BriefFactory(title="Withdrawn", status=Brief.Status.WITHDRAWN),
    }


def state_line(client, brief):
    html = client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    line = re.search(r'<p class="brief-state-line">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip(), html


@pytest.mark.parametrize(
    "key, expected",
    [
        ("draft", "Draft"),
        ("in_review", "In review"),
        ("scheduled", "Scheduled for "),
        ("live", "Live"),
        ("pending", "Live with pending changes"),
        ("expired", "Expired on "),
        ("withdrawn", "Withdrawn"),
    ],
)
def test_change_page_says_one_state_and_links_the_public_page_only_when_live(editor_client, briefs, key, expected):
    line, html = state_line(editor_client, briefs[key])
    assert line.startswith(expected)
    assert "live" not in line.lower() or key in ("live", "pending")  # a scheduled brief never says "live"
    has_view_on_site = 'class="viewsitelink"' in html
    assert has_view_on_site == (key in ("live", "pending"))
    assert 'target="_blank" rel="noopener">Preview</a>' in html  # every brief can be previewed


def test_change_list_shows_badges_and_puts_work_in_progress_first(editor_client, briefs):
    html = editor_client.get(reverse("admin:briefs_brief_changelist")).content.decode()
    rows = re.findall(r'<tr>.*?field-title.*?<a href="[^"]+">([^<]+)</a>.*?state-badge state-(\w+)', html, re.S)
    titles = [title for title, _ in rows]
    assert titles[:4] == ["In review", "A draft", "Live with pending", "Scheduled"]
    assert dict(rows) == {brief.title: key for key, brief in briefs.items()}


@pytest.mark.parametrize("key", ["draft", "in_review", "scheduled", "live", "pending", "expired", "withdrawn"])
def test_change_list_filters_by_state(editor_client, briefs, key):
    response = editor_client.get(reverse("admin:briefs_brief_changelist"), {"state": key})
    assert [b.title for b in response.context["cl"].result_list] == [briefs[key].title]


def test_the_taxonomy_is_called_issue_not_tags(editor_client):
    iran = IssueFactory(name="Iran")
    BriefFactory(title="Tagged", issues=[iran])
    BriefFactory(title="Untagged")
    html = editor_client.get(reverse("admin:briefs_brief_changelist")).content.decode()
    assert "By issue" in html and "Tags" not in html
    response = editor_client.get(reverse("admin:briefs_brief_changelist"), {"issues__id__exact": iran.pk})
    assert [b.title for b in response.context["cl"].result_list] == ["Tagged"]
    assert Brief._meta.get_field("issues").verbose_name == "issues"  # read-only forms and messages


def test_change_list_runs_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    for _ in range(3):
        BriefFactory()
    # 12, and 3 more on this first admin request: the staff idle timeout (#10) notes the activity in
    # the session (savepoint, update, release; at most once a minute). The count must not grow below.
    with django_assert_max_num_queries(15) as few:
        editor_client.get(reverse("admin:briefs_brief_changelist"))
    for _ in range(20):
        BriefFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(reverse("admin:briefs_brief_changelist"))
