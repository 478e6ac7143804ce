"""The public page cache: pages served without queries, never stale after an edit or past a
scheduled publication or expiry."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from briefs import workflow
from serving.schedule import seconds_until_next_change
from tests.factories import BriefFactory, EditorFactory, ExpertQuoteFactory, IssueFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def site():
    iran = IssueFactory(name="Iran")
    brief = BriefFactory(title="Militias resume attacks", issues=[iran])
    ExpertQuoteFactory(brief=brief)
    return {
        "home": "/",
        "list": "/briefs/",
        "brief": brief.get_absolute_url(),
        "type": brief.type.get_absolute_url(),
        "issues": "/issues/",
        "issue": iran.get_absolute_url(),
        "experts": "/experts/",
        "expert": brief.quotes.get().expert.get_absolute_url(),
        "page 1": "/briefs/?page=1",
    }


def test_second_visit_runs_no_queries(client, site, django_assert_num_queries):
    for name, url in site.items():
        first = client.get(url)
        assert first.status_code == 200, name
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content, name
        assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit"), name


def test_odd_query_strings_are_not_cached(client, site, django_assert_max_num_queries):
    for url in ("/?utm_source=newsletter", site["brief"] + "?utm_source=newsletter"):
        client.get(url)
        with django_assert_max_num_queries(10) as queries:
            response = client.get(url)
        assert "X-Page-Cache" not in response  # not a page the cache could keep: neither hit nor miss
    # Rendered again: the brief's row is read (a page-cache hit reads nothing; the home page, made
    # of kept fragments, reads nothing either, so it cannot tell).
    assert len(queries) > 0


def test_an_edit_shows_at_once(client, site):
    assert "Militias resume attacks" in client.get("/").content.decode()
    brief = BriefFactory(title="A brand new brief")
    assert "A brand new brief" in client.get("/").content.decode()
    workflow.withdraw(brief=brief, user=EditorFactory())
    assert "A brand new brief" not in client.get("/").content.decode()
    assert client.get(brief.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("page", ["home", "list", "issue"])
def test_scheduled_brief_appears_at_its_second(client, site, page):
    with time_machine.travel(NOON, tick=False) as clock:
        BriefFactory(title="Scheduled for noon and ten", issues=list(IssueFactory._meta.model.objects.all()),
                     published_at=NOON + datetime.timedelta(seconds=10))  # fmt: skip
        assert "Scheduled for noon and ten" not in client.get(site[page]).content.decode()
        clock.shift(datetime.timedelta(seconds=9))
        assert "Scheduled for noon and ten" not in client.get(site[page]).content.decode()
        clock.shift(datetime.timedelta(seconds=1))
        assert "Scheduled for noon and ten" in client.get(site[page]).content.decode()


def test_brief_leaves_at_its_expiry_second(client, site):
    with time_machine.travel(NOON, tick=False) as clock:
        brief = BriefFactory(title="Expires at noon and five", expires_at=NOON + datetime.timedelta(seconds=5))
        url = brief.get_absolute_url()
        assert client.get(url).status_code == 200
        assert "Expires at noon and five" in client.get("/").content.decode()
        clock.shift(datetime.timedelta(seconds=5))
        assert client.get(url).status_code == 404
        assert "Expires at noon and five" not in client.get("/").content.decode()


def test_pages_are_kept_at_most_until_the_next_scheduled_change(settings):
    now = timezone.now()
    assert seconds_until_next_change(now) == 300
    BriefFactory(published_at=now + datetime.timedelta(seconds=42))
    assert seconds_until_next_change(now) == 42
    BriefFactory(published_at=now - datetime.timedelta(days=1), expires_at=now + datetime.timedelta(seconds=7))
    assert seconds_until_next_change(now) == 7
    BriefFactory(status="draft", published_at=now + datetime.timedelta(seconds=1))  # drafts do not go live
    assert seconds_until_next_change(now) == 7


def test_a_hit_is_served_compressed_without_compressing_again(client, site, monkeypatch):
    import gzip

    import django.middleware.gzip

    from serving import pages as pagecache

    plain = client.get(site["brief"])
    first = client.get(site["brief"], HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert gzip.decompress(first.content) == plain.content

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit compressed its page again")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", refuse)
    monkeypatch.setattr(pagecache.gzip, "compress", refuse)
    hit = client.get(site["brief"], HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert hit["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit["Vary"]
    assert int(hit["Content-Length"]) == len(hit.content)
    assert gzip.decompress(hit.content) == plain.content
    again = client.get(site["brief"])  # a reader whose client does not take gzip
    assert again.content == plain.content and not again.has_header("Content-Encoding")
    assert "Accept-Encoding" in again["Vary"]


def test_feeds_are_served_like_cached_pages_until_any_edit(client, site, django_assert_num_queries):
    import gzip

    brief = BriefFactory(title="A brief for the feed")
    first = client.get("/feed/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get("/feed/", HTTP_ACCEPT_ENCODING="gzip")
        revalidated = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Encoding"] == "gzip"  # compressed once, when kept
    assert gzip.decompress(again.content) == first.content
    assert again["ETag"] == first["ETag"] and again["Content-Type"] == first["Content-Type"]
    assert int(again["Cache-Control"].split("max-age=")[1]) <= int(first["Cache-Control"].split("max-age=")[1])
    assert revalidated.status_code == 304
    brief.title = "A brief retitled for the feed"
    brief.save()
    fresh = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert "A brief retitled for the feed" in fresh.content.decode()
