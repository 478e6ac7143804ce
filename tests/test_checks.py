"""Content checks before publishing (#11): shown on the review screen, run again on Publish, and
kept with the transition; an editor may publish past a warning."""

import pytest
from django.urls import reverse

from briefs.checks import META_DESCRIPTION_LENGTH, run_checks
from briefs.models import Brief, Transition
from briefs.revisions import snapshot
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, EditorFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory

pytestmark = pytest.mark.django_db


def good_brief(**kwargs):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None, issues=[IssueFactory()], **kwargs)
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(title="Senior Fellow"))
    return brief


def failed(brief):
    return {check.name: check.message for check in run_checks(snapshot(brief)) if not check.ok}


def test_a_good_brief_passes_every_check():
    assert failed(good_brief()) == {}


@pytest.mark.parametrize(
    "change, name, words",
    [
        ({"summary": ""}, "summary", "summary is empty"),
        ({"summary": "x" * (META_DESCRIPTION_LENGTH + 1)}, "summary", "cut it after 160"),
        ({"developments": "<h2>A</h2><h4>Skipped</h4>"}, "headings", "“Skipped” is an H4 after an H2"),
        ({"body": "<h3>Too deep first</h3>"}, "headings", "H3 after an H1"),
        ({"body": '<p><a href="https://x.example"> </a></p>'}, "links", "has no text"),
        ({"developments": "<p><a>nowhere</a></p>"}, "links", "“nowhere” goes nowhere"),
    ],
)
def test_each_check_says_what_is_wrong(change, name, words):
    brief = good_brief()
    Brief.objects.filter(pk=brief.pk).update(**change)
    assert words in failed(brief)[name]


def test_issues_quotes_and_related_reading_checks():
    from tests.factories import RelatedLinkFactory

    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(name="No Title", title=""), expert_title="")
    draft = BriefFactory(title="An unpublished brief", status=Brief.Status.DRAFT, published_at=None)
    RelatedLinkFactory(brief=brief, target_brief=draft, url="", title="", byline="")
    problems = failed(brief)
    assert "No issue is picked" in problems["issues"]
    assert "quote 1 (No Title) has no title shown" in problems["quotes"]
    assert "“An unpublished brief”" in problems["related"]


def test_the_review_screen_shows_the_checks_next_to_publish(client):
    brief = good_brief(summary="")
    client.force_login(EditorFactory())
    html = client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    assert 'id="publish-checks"' in html
    assert "The summary is empty" in html and "Every quote has an expert and a title." in html


def test_publishing_past_a_failed_check_warns_and_records_it(client):
    brief = good_brief()
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:briefs_brief_change", args=[brief.pk]))
    data = change_form_data(page, _workflow="publish", summary="")  # the edit empties the summary
    response = client.post(reverse("admin:briefs_brief_change", args=[brief.pk]), data, follow=True)
    html = response.content.decode()
    assert "Published past 1 warning(s)" in html and "The summary is empty" in html
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED
    step = Transition.objects.get(brief=brief, to_state="published")
    assert {check["name"]: check["ok"] for check in step.checks} == {
        "summary": False,
        "issues": True,
        "quotes": True,
        "headings": True,
        "links": True,
        "related": True,
    }
    assert "Published past a warning: The summary is empty" in html  # in the history on the page


def test_a_clean_publication_records_passing_checks_without_a_warning(client):
    brief = good_brief()
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:briefs_brief_change", args=[brief.pk]))
    response = client.post(
        reverse("admin:briefs_brief_change", args=[brief.pk]), change_form_data(page, _workflow="publish"), follow=True
    )
    assert "warning" not in response.content.decode().split('<ul class="messagelist">')[1].split("</ul>")[0]
    assert all(check["ok"] for check in Transition.objects.get(brief=brief, to_state="published").checks)
