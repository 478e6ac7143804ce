"""An edit drops only the cached pages that show what it changed (issue #14): for each kind of edit,
every page showing it is fresh, and a page not showing it is still served from the cache (no query).

Each test runs twice: with the page cache on, and with it off, where pages are rendered from kept
fragments (briefs' cards, a brief page's parts: briefs/pagecache/fragments.py). There every page
showing the edit is as fresh, and a page not showing it is rendered from its fragments still: no
more queries than the page's own rows (``FRAGMENT_PINS``), none for the briefs it shows.

Two corners of the site: Iran (a parent issue, with "Iran Global Threat Network" under it), written
about by Bowman in Flash Briefs; Syria, written about by Doran in Analyses. An edit in one corner
leaves the other corner's pages cached.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    EditorFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
)

pytestmark = pytest.mark.django_db


# What a page not touched by an edit reads with the page cache off, its fragments being current:
# a brief's row (and, after a publication or withdrawal anywhere, its suggestions ranked again: the
# pool of newest briefs they come from moved); an issue and the taxonomy's ids; an expert; a type
# (tests/test_queries.py REMEMBERED_PINS).
FRAGMENT_PINS = {"brief": 2, "issue": 2, "parent issue": 2, "expert": 1, "type": 1}
cached_as = {"pages": True}  # set per test by ``_cache_mode``


@pytest.fixture(autouse=True, params=["pages", "fragments"])
def _cache_mode(request, settings):
    pages = request.param == "pages"
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300 if pages else 0
    cached_as["pages"] = pages


@dataclass
class Corner:
    issue: object
    parent: object
    expert: object
    brief_type: object
    brief: object

    def pages(self):
        return {
            "brief": self.brief.get_absolute_url(),
            "issue": self.issue.get_absolute_url(),
            "parent issue": self.parent.get_absolute_url(),
            "expert": self.expert.get_absolute_url(),
            "type": self.brief_type.get_absolute_url(),
        }


def corner(parent_name, issue_name, expert_name, type_name, title):
    parent = IssueFactory(name=parent_name)
    issue = IssueFactory(name=issue_name, parent=parent)
    expert = ExpertFactory(name=expert_name)
    brief_type = BriefTypeFactory(name=type_name)
    brief = BriefFactory(title=title, type=brief_type, issues=[issue], authors=[expert])
    ExpertQuoteFactory(brief=brief, expert=expert, text=f"{expert_name} said something about {issue_name}.")
    RelatedLinkFactory(brief=brief, title=f"Outside reading on {issue_name}")
    return Corner(issue, parent, expert, brief_type, brief)


@pytest.fixture
def site():
    iran = corner("Iran", "Iran Global Threat Network", "Bradley Bowman", "Flash Brief", "Militias resume attacks")
    syria = corner("Syria", "Syrian Civil War", "Michael Doran", "Analysis", "Assad's army regroups")
    return iran, syria


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


def warm(client, site):
    for corner_ in site:
        for name, url in corner_.pages().items():
            client.get(url)
            assert queries(client, url)[0] <= pin(name), f"{url} should be cached"
    for url in ("/", "/briefs/", "/issues/", "/experts/"):
        client.get(url)


def pin(name):
    return 0 if cached_as["pages"] else FRAGMENT_PINS[name]


def assert_cached(client, corner_, *names):
    for name in names or corner_.pages():
        url = corner_.pages()[name]
        assert queries(client, url)[0] <= pin(name), f"{name} page {url} was dropped by an edit it does not show"


def assert_shows(client, urls, text, present=True):
    for url in urls:
        body = queries(client, url)[1]
        assert (text in body) is present, f"{url} {'lacks' if present else 'still shows'} {text!r}"


def test_a_brief_text_edit_refreshes_its_pages_only(client, site):
    iran, syria = site
    warm(client, site)
    iran.brief.title = "Militias halt attacks"
    iran.brief.save()
    assert_shows(client, [*iran.pages().values(), "/", "/briefs/"], "Militias halt attacks")
    assert_cached(client, syria)


def test_a_quote_edit_refreshes_its_brief_only(client, site):
    iran, syria = site
    other = BriefFactory(title="Another Iran brief", issues=[iran.issue])
    warm(client, site)
    client.get(other.get_absolute_url())
    quote = iran.brief.quotes.get()
    quote.text = "A sharper quote about the militias."
    quote.save()
    # The brief's page, and the quoting expert's ("Quoted in")
    assert_shows(client, [iran.pages()["brief"], iran.pages()["expert"]], "A sharper quote about the militias.")
    assert_cached(client, syria)
    assert queries(client, other.get_absolute_url())[0] <= pin("brief")


def test_a_related_link_edit_refreshes_its_brief_only(client, site):
    iran, syria = site
    warm(client, site)
    link = iran.brief.related_links.get()
    link.title = "A better outside report"
    link.save()
    assert_shows(client, [iran.pages()["brief"]], "A better outside report")
    assert_cached(client, iran, "issue", "expert", "type")
    assert_cached(client, syria)


def test_an_issue_rename_refreshes_the_pages_that_name_it(client, site):
    iran, syria = site
    warm(client, site)
    iran.issue.name = "Iran's Proxy Network"
    iran.issue.save()
    assert_shows(client, [iran.pages()["brief"], iran.pages()["issue"], "/issues/"], "Iran&#x27;s Proxy Network")
    assert_cached(client, syria)


def test_moving_an_issue_refreshes_its_old_and_new_parents(client, site):
    iran, syria = site
    warm(client, site)
    iran.issue.parent = syria.parent
    iran.issue.save()
    assert_shows(client, [syria.pages()["parent issue"]], "Militias resume attacks")
    assert_shows(client, [iran.pages()["parent issue"]], "Militias resume attacks", present=False)
    assert_cached(client, syria, "brief", "expert", "type", "issue")


def test_an_expert_rename_refreshes_their_pages(client, site):
    iran, syria = site
    warm(client, site)
    iran.expert.name = "Bradley R. Bowman"
    iran.expert.save()
    # Its brief's page, its profile, the index, and every list whose cards name the author.
    shown = [iran.pages()[name] for name in ("brief", "expert", "type", "issue", "parent issue")]
    assert_shows(client, [*shown, "/experts/", "/briefs/", "/"], "Bradley R. Bowman")
    assert_cached(client, syria)


def test_an_expert_joining_a_sub_issue_shows_on_its_parents_pages(client, site):
    """An issue's page lists the experts of its sub-issues too."""
    iran, syria = site
    warm(client, site)
    newcomer = ExpertFactory(name="Behnam Ben Taleblu")
    warm(client, site)
    newcomer.issues.add(iran.issue)
    assert_shows(client, [iran.pages()["issue"], iran.pages()["parent issue"]], "Behnam Ben Taleblu")
    assert_cached(client, syria)
    newcomer.name = "Behnam B. Taleblu"
    newcomer.save()
    assert_shows(client, [iran.pages()["issue"], iran.pages()["parent issue"]], "Behnam B. Taleblu")
    newcomer.issues.remove(iran.issue)
    assert_shows(client, [iran.pages()["parent issue"]], "Behnam B. Taleblu", present=False)


def test_a_type_rename_refreshes_its_briefs(client, site):
    iran, syria = site
    warm(client, site)
    iran.brief_type.name = "Flash Note"
    iran.brief_type.save()
    assert_shows(client, [iran.pages()["brief"], iran.pages()["type"]], "Flash Note")
    assert_cached(client, syria)


def test_publishing_refreshes_the_listings_it_joins(client, site):
    iran, syria = site
    draft = BriefFactory(
        title="Tehran tests a missile", status=Brief.Status.DRAFT, published_at=None, type=iran.brief_type,
        issues=[iran.issue], authors=[iran.expert], developments="<p>Latest.</p>",
    )  # fmt: skip
    warm(client, site)
    workflow.publish(brief=draft, user=EditorFactory())
    listings = [iran.pages()[name] for name in ("issue", "parent issue", "expert", "type")]
    assert_shows(client, [*listings, "/", "/briefs/"], "Tehran tests a missile")
    assert_cached(client, syria)


def test_withdrawing_refreshes_the_listings_it_leaves(client, site):
    iran, syria = site
    warm(client, site)
    workflow.withdraw(brief=iran.brief, user=EditorFactory())
    listings = [iran.pages()[name] for name in ("issue", "parent issue", "expert", "type")]
    assert_shows(client, [*listings, "/", "/briefs/"], "Militias resume attacks", present=False)
    assert client.get(iran.pages()["brief"]).status_code == 404
    assert_cached(client, syria)


@pytest.mark.parametrize("change", ["publication", "expiry"])
def test_a_scheduled_change_shows_at_its_second(client, site, change):
    """Time-based changes drop pages by their due time: every page expires at the next scheduled
    change on the site (not yet per listing), so here only freshness is asserted."""
    iran, _syria = site
    now = timezone.now().replace(microsecond=0)
    due = now + datetime.timedelta(seconds=30)
    with time_machine.travel(now, tick=False) as clock:
        if change == "publication":
            BriefFactory(title="Due at its second", issues=[iran.issue], published_at=due)
        else:
            BriefFactory(title="Due at its second", issues=[iran.issue], expires_at=due)
        urls = [iran.pages()["issue"], "/"]
        assert_shows(client, urls, "Due at its second", present=change == "expiry")
        clock.shift(datetime.timedelta(seconds=30))
        assert_shows(client, urls, "Due at its second", present=change == "publication")
