"""Nothing unpublished reaches the public: one parametrised test over every public URL.

Five briefs that must stay hidden (draft, in review, scheduled for tomorrow, expired, withdrawn) each
carry a unique word in their title, slug, summary and quote, and are tied to everything a live brief
is tied to: its type, an issue and (through it) its parent, an author, a quoted expert, and the live
brief's related reading. The word must appear nowhere; the live brief must.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from briefs.models import Brief
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
)
from tests.search_helpers import facets, found, search

pytestmark = pytest.mark.django_db

LIVE_WORD = "livezqword"


def hidden_states():
    now = timezone.now()
    day = datetime.timedelta(days=1)
    return {
        "draftzqword": {"status": Brief.Status.DRAFT, "published_at": None},
        "reviewzqword": {"status": Brief.Status.IN_REVIEW, "published_at": None},
        "scheduledzqword": {"status": Brief.Status.PUBLISHED, "published_at": now + day},
        "expiredzqword": {"status": Brief.Status.PUBLISHED, "published_at": now - 10 * day, "expires_at": now - day},
        "withdrawnzqword": {"status": Brief.Status.WITHDRAWN, "published_at": now - 2 * day},
    }


@pytest.fixture
def world():
    parent = IssueFactory(name="Parent issue", slug="parent-issue", featured=True)
    issue = IssueFactory(name="Child issue", slug="child-issue", parent=parent)
    brief_type = BriefTypeFactory(name="Flash Brief")
    author = ExpertFactory(name="Author Person", slug="author")
    quoted = ExpertFactory(name="Quoted Person", slug="quoted")
    live = BriefFactory(
        title=f"Live {LIVE_WORD}",
        slug=f"live-{LIVE_WORD}",
        summary=f"Summary {LIVE_WORD}",
        type=brief_type,
        issues=[issue],
        authors=[author],
    )
    ExpertQuoteFactory(brief=live, expert=quoted, text=f"Quote {LIVE_WORD}")
    for word, state in hidden_states().items():
        hidden = BriefFactory(
            title=f"Hidden {word}",
            slug=f"hidden-{word}",
            summary=f"Summary {word}",
            type=brief_type,
            issues=[issue, parent],
            authors=[author],
            **state,
        )
        ExpertQuoteFactory(brief=hidden, expert=quoted, text=f"Quote {word}")
        RelatedLinkFactory(brief=live, target_brief=hidden, url="", title="", byline="")
    # A second live brief on the issue with no related reading of its own: its page is topped up
    # with suggestions, drawn from briefs sharing its issue (the hidden ones among them).
    suggesting = BriefFactory(title="Suggesting", slug="suggesting", type=brief_type, issues=[issue, parent])
    return {
        "live": live,
        "suggesting": suggesting,
        "type": brief_type,
        "issue": issue,
        "parent": parent,
        "author": author,
        "quoted": quoted,
    }


# (name, how to get the URL, text that proves the live brief is shown)
PAGES = [
    ("home", lambda w: "/", LIVE_WORD),
    ("all briefs", lambda w: "/briefs/", LIVE_WORD),
    ("type", lambda w: w["type"].get_absolute_url(), LIVE_WORD),
    ("live brief and its related reading", lambda w: w["live"].get_absolute_url(), LIVE_WORD),
    ("issue index", lambda w: "/issues/", '<span class="count">2 briefs</span>'),
    ("issue", lambda w: w["issue"].get_absolute_url(), LIVE_WORD),
    ("parent issue", lambda w: w["parent"].get_absolute_url(), LIVE_WORD),
    ("expert index", lambda w: "/experts/", "Author Person"),
    ("expert as author", lambda w: w["author"].get_absolute_url(), LIVE_WORD),
    ("expert as quoted", lambda w: w["quoted"].get_absolute_url(), LIVE_WORD),
    ("suggestions on another live brief", lambda w: w["suggesting"].get_absolute_url(), LIVE_WORD),
    ("all briefs, last page", lambda w: "/briefs/?page=last", LIVE_WORD),
    ("expert as quoted, last page of quotes", lambda w: f"{w['quoted'].get_absolute_url()}?quoted=last", LIVE_WORD),
    ("sitemap index", lambda w: "/sitemap.xml", "/sitemap-briefs.xml"),
    ("sitemap of briefs", lambda w: "/sitemap-briefs.xml", LIVE_WORD),
    ("sitemap of types", lambda w: "/sitemap-types.xml", "/types/flash-brief/"),
    ("sitemap of issues", lambda w: "/sitemap-issues.xml", "/issues/child-issue/"),
    ("sitemap of experts", lambda w: "/sitemap-experts.xml", "/experts/quoted/"),
    ("robots.txt", lambda w: "/robots.txt", "Sitemap:"),
    # Search (#12): words every brief carries, an empty query (every live brief), filters, facets.
    ("search for a word all briefs share", lambda w: "/search/?q=summary", LIVE_WORD),
    ("search for a quote", lambda w: "/search/?q=quote", LIVE_WORD),
    ("search with no query", lambda w: "/search/", LIVE_WORD),
    ("search by issue", lambda w: f"/search/?q=summary&issue={w['parent'].slug}", LIVE_WORD),
    ("search by quoted expert", lambda w: f"/search/?expert={w['quoted'].slug}", LIVE_WORD),
    ("search by date", lambda w: "/search/?q=hidden+or+live&sort=date", LIVE_WORD),
    ("archive with filters", lambda w: f"/briefs/?issue={w['issue'].slug}&type={w['type'].slug}", LIVE_WORD),
    # The feeds have their own tests (tests/test_feeds.py); here they face the same hidden briefs.
    ("site feed", lambda w: "/feed/", LIVE_WORD),
    ("site Atom feed", lambda w: "/feed/atom/", LIVE_WORD),
    ("type feed", lambda w: f"{w['type'].get_absolute_url()}feed/", LIVE_WORD),
    ("parent issue feed", lambda w: f"{w['parent'].get_absolute_url()}feed/atom/", LIVE_WORD),
    ("author's feed", lambda w: f"{w['author'].get_absolute_url()}feed/", LIVE_WORD),
    ("quoted expert's feed", lambda w: f"{w['quoted'].get_absolute_url()}feed/atom/", LIVE_WORD),
]


@pytest.mark.parametrize(("name", "url", "shown"), PAGES, ids=[page[0] for page in PAGES])
def test_nothing_unpublished_leaks(client, world, name, url, shown):
    response = client.get(url(world))
    assert response.status_code == 200
    body = response.content.decode().lower()
    for word in hidden_states():
        assert word not in body, f"{word} leaks on {name}"
    assert shown.lower() in body


def test_issue_index_counts_only_live_briefs(client, world):
    body = client.get("/issues/").content.decode()
    assert body.count('<span class="count">2 briefs</span>') == 2  # the parent and the child


@pytest.mark.parametrize("word", list(hidden_states()))
def test_hidden_briefs_are_404_at_their_address(client, world, word):
    brief = Brief.objects.get(slug=f"hidden-{word}")
    # At its own address and at any other date: a redirect to the right date would tell the
    # world a scheduled brief exists, and when it comes out.
    for url in [brief.get_absolute_url(), f"/briefs/2000/01/01/{brief.slug}/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert word not in response.content.decode().lower(), url


def test_issue_index_counts_follow_a_withdrawal_and_a_publication_at_once(client, world):
    assert client.get("/issues/").content.decode().count('<span class="count">2 briefs</span>') == 2
    world["suggesting"].status = Brief.Status.WITHDRAWN
    world["suggesting"].save()
    body = client.get("/issues/").content.decode()  # not the cached counts of the first visit
    assert body.count('<span class="count">1 brief</span>') == 2
    scheduled = Brief.objects.get(slug="hidden-scheduledzqword")
    with time_machine.travel(scheduled.published_at, tick=False):
        body = client.get("/issues/").content.decode()  # its time came: no save, no updated_at change
    assert body.count('<span class="count">2 briefs</span>') == 2


# --- search (#12) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", list(hidden_states()))
def test_search_never_finds_a_hidden_brief(client, world, word):
    response, titles = search(client, word)
    assert titles == [] and found(response) == 0
    response, titles = search(client, f"hidden {word} or {LIVE_WORD}")
    assert titles == []  # "hidden" matches only hidden briefs, and the word itself too
    response, titles = search(client, f"{word} or {LIVE_WORD}")
    assert titles == [f"Live {LIVE_WORD}"]


@pytest.mark.parametrize("url", ["/search/", "/search/?q=summary", "/briefs/?type=flash-brief"])
def test_search_facets_count_only_live_briefs(client, world, url):
    shown = facets(client.get(url))
    # Two live briefs: the live one (child issue, by the author, quoting the quoted expert) and the
    # suggesting one (child and parent issue); the five hidden ones carry every one of these too.
    assert shown["issue"] == {"Parent issue": 2, "Child issue": 2}
    assert shown["type"] == {"Flash Brief": 2}
    assert shown["expert"] == {"Author Person": 1, "Quoted Person": 1}
    assert sum(shown["year"].values()) == 2


def test_search_finds_a_brief_the_second_it_goes_live_and_loses_it_the_second_it_expires(client, world):
    scheduled = Brief.objects.get(slug="hidden-scheduledzqword")
    second = datetime.timedelta(seconds=1)
    with time_machine.travel(scheduled.published_at - second, tick=False):
        assert search(client, "scheduledzqword")[1] == []
        assert facets(search(client, "")[0])["type"] == {"Flash Brief": 2}
    with time_machine.travel(scheduled.published_at, tick=False):
        assert search(client, "scheduledzqword")[1] == ["Hidden scheduledzqword"]
        assert facets(search(client, "")[0])["type"] == {"Flash Brief": 3}
    scheduled.expires_at = scheduled.published_at + datetime.timedelta(hours=1)
    scheduled.save()
    with time_machine.travel(scheduled.expires_at - second, tick=False):
        assert search(client, "scheduledzqword")[1] == ["Hidden scheduledzqword"]
    with time_machine.travel(scheduled.expires_at, tick=False):
        assert search(client, "scheduledzqword")[1] == []


def test_search_drops_a_withdrawn_brief_at_once(client, world):
    assert search(client, LIVE_WORD)[1] == [f"Live {LIVE_WORD}"]
    world["live"].status = Brief.Status.WITHDRAWN
    world["live"].save()
    assert search(client, LIVE_WORD)[1] == []
