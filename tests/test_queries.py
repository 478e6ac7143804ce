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
    # page: (URL from the sample site, queries on its first render after a change)
    # Which briefs it lists (lead, latest, Flash Briefs), the next scheduled change; each list's
    # briefs and their authors, read for their cards (core/listed.py); featured issues
    "home": (lambda s: "/", 9),
    # issues and types (the filters), the oldest live brief's date (the years the year facet may
    # show), the next scheduled change (all three remembered), the total and the four facets (one
    # query), the page's keys, the page's briefs and authors for their cards
    "all briefs": (lambda s: "/briefs/", 8),
    # the expert; a filtered page is not a remembered listing: the counts and the page's keys (one
    # query), its briefs, then authors
    "all briefs, filtered": (lambda s: f"/briefs/?issue={s.parent.slug}&expert={s.expert.slug}", 8),
    # issues, types, the oldest live brief's date, the next scheduled change (remembered), the total,
    # the four facets and the page's ids in rank order (one query; SQLite ranks in one more),
    # excerpts, those briefs, authors and issues (for their cards, then kept), the search log
    # (savepoint, upsert, release: a test runs in a transaction; a server's request does the upsert
    # alone): SQLite 13, PostgreSQL 12
    "search": (lambda s: "/search/?q=brief", 13),
    # no page, authors or excerpts; "did you mean": experts' names, live titles (PostgreSQL sets
    # the trigram threshold first; SQLite ranks in a query of its own: 11 both)
    "search, nothing found": (lambda s: "/search/?q=brjef", 11),
    "search, no words": (lambda s: f"/search/?type={s.brief_type.slug}", 8),
    # the type, count, the page's keys, the next scheduled change, the page's briefs and authors
    "type": (lambda s: s.brief_type.get_absolute_url(), 6),
    # the brief's row, the next scheduled change; for its parts (briefs/parts.py) the brief again
    # with authors, issues, corrections, quotes with experts, live related links; suggestions
    # (ranked, then read by their keys)
    "brief": (lambda s: s.brief.get_absolute_url(), 9),
    # the taxonomy, live (issue, brief) pairs, the next scheduled change
    "issue index": (lambda s: "/issues/", 3),
    # issue, taxonomy ids, count, the page's keys, the next scheduled change, the page's briefs and
    # authors, sub-issues, experts
    "issue": (lambda s: s.issue.get_absolute_url(), 9),
    "parent issue": (lambda s: s.parent.get_absolute_url(), 9),
    "expert index": (lambda s: "/experts/", 1),
    # expert, their issues, the next scheduled change; authored and quoted: count, keys, briefs
    # (with authors; with quotes)
    "expert": (lambda s: s.expert.get_absolute_url(), 11),
    # the index: each section's count (its files), the latest lastmod of briefs and of experts
    "sitemap": (lambda s: "/sitemap.xml", 6),
    # one file of a section: count, items
    "sitemap page": (lambda s: "/sitemap-briefs.xml", 2),
}


# Pages that derive something from many rows (a listing's count and keys, suggestions, facets,
# the home's lists, the next scheduled change) work it out on their first render after a change
# and remember it (briefs/pagecache: remember()); what they show of each brief is kept as a
# fragment (cards, a brief page's parts: pagecache/fragments.py). Later renders, with the page
# cache off, read both back: these are their counts.
REMEMBERED_PINS = {
    "home": 0,  # its lists' keys remembered; cards and featured issues kept
    "all briefs": 0,  # the filters' issues and types, the counts, the page's keys: all remembered
    "all briefs, filtered": 2,  # the expert, the counts and page's keys (cards kept)
    # the counts and the page's keys (SQLite ranks in one more), excerpts, the search log (3): result
    # cards are kept (search/results.py), their excerpts put in
    "search": 6,
    "search, nothing found": 7,  # "did you mean" reads experts and titles each time
    "search, no words": 1,  # the counts and the page's keys
    "type": 1,  # the type
    "brief": 1,  # the brief's row (is it live, is this its URL)
    "issue": 2,  # the issue, the taxonomy's ids (header, sub-issues and experts kept: briefs/parts.py)
    "parent issue": 2,
    "expert": 1,  # the expert (profile kept)
    "issue index": 1,  # the taxonomy; its counts remembered
}


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("page", list(PINS))
def test_public_page_query_count_is_fixed(client, django_assert_max_num_queries, page, count):
    site = build_site(count)
    url, pin = PINS[page]
    with django_assert_max_num_queries(pin):
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
    # The first render reads the brief's row, the next scheduled change, the brief with all its
    # parts show (six queries), ranks the suggestions and reads them for their fragments; later
    # ones read the row only (parts and suggestions kept).
    with django_assert_max_num_queries(10):
        html = client.get(brief.get_absolute_url()).content.decode()
    assert html.count('data-suggested="true"') == min(count, 4)
    assert html.count('<figure class="quote">') == count
    with django_assert_max_num_queries(1):
        again = client.get(brief.get_absolute_url()).content.decode()
    assert NONCE.sub("", again) == NONCE.sub("", html)
