"""Every public page runs a fixed number of SQL queries, with 1 item on it and with 30.

The pins are the real counts (a change that adds a query must say why here).
"""

import re

import pytest

from tests.factories import BriefFactory, ExpertQuoteFactory, IssueFactory
from tests.site_data import build_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """These pins are for rendering a page; served from the page cache it runs none
    (tests/test_pagecache.py pins that path)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


NONCE = re.compile(r' nonce="[^"]*"')

PINS = {
    # page: (URL from the sample site, queries)
    # lead story (#13), latest briefs, the authors of both, Flash Briefs, featured issues
    "home": (lambda s: "/", 5),
    # issues and types (the filters), the oldest live brief's date (the years the year facet may
    # show), the total and the four facets (one query), page, authors
    "all briefs": (lambda s: "/briefs/", 6),
    "all briefs, filtered": (lambda s: f"/briefs/?issue={s.parent.slug}&expert={s.expert.slug}", 7),  # + the expert
    # issues, types, the oldest live brief's date, the total and the four facets (one query), the
    # page's ids in rank order, those briefs, authors, issues of the page, excerpts, the search log
    # (savepoint, upsert, release: a test runs in a transaction; a server's request does the upsert
    # alone). PostgreSQL reads the matching ids first (once for the counts and the page): 13, SQLite 12.
    "search": (lambda s: "/search/?q=brief", 13),
    # no page, authors or excerpts; "did you mean": experts' names, live titles (PostgreSQL sets
    # the trigram threshold first and reads the matching ids once: 11, SQLite 10)
    "search, nothing found": (lambda s: "/search/?q=brjef", 11),
    "search, no words": (lambda s: f"/search/?type={s.brief_type.slug}", 7),
    "type": (lambda s: s.brief_type.get_absolute_url(), 4),  # + the type
    # brief + authors, issues, corrections, quotes with experts, live related links, suggestions
    "brief": (lambda s: s.brief.get_absolute_url(), 7),
    "issue index": (lambda s: "/issues/", 2),  # the taxonomy, live (issue, brief) pairs
    # issue, taxonomy ids, count, page, authors, sub-issues, experts
    "issue": (lambda s: s.issue.get_absolute_url(), 7),
    "parent issue": (lambda s: s.parent.get_absolute_url(), 7),
    "expert index": (lambda s: "/experts/", 1),
    # expert, their issues, authored count/page/authors, quoted count/page/quotes
    "expert": (lambda s: s.expert.get_absolute_url(), 8),
    "sitemap": (lambda s: "/sitemap.xml", 8),  # count and items of four sections
}


# Pages that derive something from many rows (a listing's count, suggestions, facets, the home's
# lead, the next scheduled change) work it out on their first render after a change and remember
# it (briefs/pagecache: remember()); later renders, with the page cache off, read it back: these
# are their counts.
REMEMBERED_PINS = {
    "home": 5,  # the lead read by its key rather than ranked among every live brief
    "all briefs": 4,  # issues, types, page, authors: no count, no facets
    "type": 3,  # no count
    "brief": 7,  # suggestions read by their keys rather than ranked
    "issue": 6,  # no count
    "parent issue": 6,
    "expert": 6,  # no counts
}
# Their first render also reads the next scheduled change (which bounds how long all that is kept)
# and the keys of the briefs on each listed page (later renders read those briefs by their keys);
# the home page ranks its lead, then reads it by its key.
FIRST_RENDER_EXTRA = {"home": 2, "all briefs": 2, "type": 2, "brief": 1, "issue": 2, "parent issue": 2, "expert": 3}


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("page", list(PINS))
def test_public_page_query_count_is_fixed(client, django_assert_max_num_queries, page, count):
    site = build_site(count)
    url, pin = PINS[page]
    with django_assert_max_num_queries(pin + FIRST_RENDER_EXTRA.get(page, 0)):
        response = client.get(url(site))
    assert response.status_code == 200
    with django_assert_max_num_queries(REMEMBERED_PINS.get(page, pin)):
        again = client.get(url(site))
    # The same page from what was remembered (but for the script nonce, new in each response).
    assert NONCE.sub("", again.content.decode()) == NONCE.sub("", response.content.decode())
    if count == 30 and page in {"all briefs", "all briefs, filtered", "type", "issue", "parent issue", "search"}:
        assert response.content.decode().count('<article class="card') == 20  # a full page of cards
    if count == 30 and page in {"expert index", "issue"}:
        assert response.content.decode().count('href="/experts/colleague-') == 29
    if page == "brief":  # as full as the list: `count` quotes, related links and issues
        html = response.content.decode()
        assert html.count('<figure class="quote">') == count
        assert html.count('<p class="correction">') == count
        related = html[html.index('id="related"') : html.index('class="brief-issues"')]
        assert related.count("<li>") == count
        issues = html[html.index('class="brief-issues"') : html.index("</article>")]
        assert issues.count('<li><a href="/issues/') == count


@pytest.mark.parametrize("count", [1, 30])
def test_brief_page_with_suggestions_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    issues = [IssueFactory(name=f"Shared {i}") for i in range(count)]
    brief = BriefFactory(issues=issues)
    for i in range(count):
        ExpertQuoteFactory(brief=brief)
        BriefFactory(issues=issues[: i + 1])
    # The first render ranks the suggestions (and reads the next scheduled change), then reads them
    # by their keys; later ones read them by their keys only.
    with django_assert_max_num_queries(7 + 2):
        html = client.get(brief.get_absolute_url()).content.decode()
    assert html.count('data-suggested="true"') == min(count, 4)
    assert html.count('<figure class="quote">') == count
    with django_assert_max_num_queries(7):
        again = client.get(brief.get_absolute_url()).content.decode()
    assert NONCE.sub("", again) == NONCE.sub("", html)
