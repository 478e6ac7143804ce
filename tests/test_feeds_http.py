"""Feeds over HTTP: validators and 304s, cache lifetimes, gzip, query counts."""

import datetime
import gzip
from email.utils import parsedate_to_datetime

import feedparser
import pytest
import time_machine
from django.utils import timezone

from briefs import feeds, workflow
from briefs.feeds import FEED_LENGTH, MAX_AGE
from briefs.models import Brief
from tests.factories import BriefFactory, BriefTypeFactory, EditorFactory, ExpertFactory
from tests.feedkit import FORMATS, KINDS, NOW, entry_links, fetch, public_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(feed_site_url):
    """Every feed test reads links against the one SITE_URL (tests/conftest.py)."""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_conditional_requests_get_304_without_rendering_then_200_after_a_publication(
    client, world, kind, fmt, django_assert_max_num_queries
):
    url = world.url(kind, fmt)
    with time_machine.travel(NOW, tick=False):
        world.brief(published_at=NOW - datetime.timedelta(hours=1))
        first = client.get(url)
        etag, last_modified = first["ETag"], first["Last-Modified"]

        with django_assert_max_num_queries(2):
            by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert by_etag.status_code == 304
        assert by_etag.content == b""
        assert by_etag["ETag"] == etag
        assert by_etag["Cache-Control"].startswith("public")
        with django_assert_max_num_queries(2):
            by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
        assert by_date.status_code == 304

    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        fresh = world.brief(published_at=NOW + datetime.timedelta(minutes=4))
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert feedparser.parse(response.content).entries[0].link == public_url(fresh)
    assert by_etag["ETag"] != etag
    assert parsedate_to_datetime(by_etag["Last-Modified"]) > parsedate_to_datetime(last_modified)


def test_each_feed_has_its_own_etag(client, world):
    world.brief()
    etags = {client.get(world.url(kind, fmt))["ETag"] for kind in KINDS for fmt in FORMATS}
    assert len(etags) == len(KINDS) * len(FORMATS)


def test_withdrawal_and_expiry_change_the_validators(client, world):
    with time_machine.travel(NOW, tick=False):
        kept = world.brief(published_at=NOW - datetime.timedelta(hours=2))
        expiring = world.brief(
            published_at=NOW - datetime.timedelta(hours=1), expires_at=NOW + datetime.timedelta(minutes=1)
        )
        first = client.get(world.url("site"))
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        after_expiry = client.get(world.url("site"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert after_expiry.status_code == 200
        assert entry_links(feedparser.parse(after_expiry.content)) == [public_url(kept)]
    with time_machine.travel(NOW + datetime.timedelta(minutes=3), tick=False):
        kept.status = Brief.Status.WITHDRAWN
        kept.save()
        after_withdrawal = client.get(world.url("site"), HTTP_IF_NONE_MATCH=after_expiry["ETag"])
        assert after_withdrawal.status_code == 200
        assert feedparser.parse(after_withdrawal.content).entries == []
    assert expiring.pk


def test_deleting_an_older_brief_changes_the_etag(client, world):
    # Created first, so neither the newest publication nor the newest edit moves when it goes.
    older = world.brief(published_at=timezone.now() - datetime.timedelta(hours=2))
    world.brief(published_at=timezone.now() - datetime.timedelta(hours=1))
    etag = client.get(world.url("site"))["ETag"]
    older.delete()
    response = client.get(world.url("site"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert len(feedparser.parse(response.content).entries) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_max_age_never_runs_past_the_next_scheduled_change(client, world, kind):
    with time_machine.travel(NOW, tick=False):
        world.brief(published_at=NOW - datetime.timedelta(days=1))
        assert client.get(world.url(kind))["Cache-Control"] == f"public, max-age={MAX_AGE}"

        # A brief outside this scope (another type, issue and author) does not shorten it...
        BriefFactory(type=BriefTypeFactory(name="Memo"), published_at=NOW + datetime.timedelta(seconds=30))
        expected = 30 if kind == "site" else MAX_AGE
        assert client.get(world.url(kind))["Cache-Control"] == f"public, max-age={expected}"

        # ...one inside does: scheduled in 2 minutes, or an expiry in 70 seconds.
        world.brief(published_at=NOW + datetime.timedelta(seconds=120))
        expected = 30 if kind == "site" else 120
        assert client.get(world.url(kind, "atom"))["Cache-Control"] == f"public, max-age={expected}"
        world.brief(published_at=NOW - datetime.timedelta(hours=1), expires_at=NOW + datetime.timedelta(seconds=70))
        expected = 30 if kind == "site" else 70
        assert client.get(world.url(kind))["Cache-Control"] == f"public, max-age={expected}"


def test_drafts_do_not_shorten_max_age(client, world):
    with time_machine.travel(NOW, tick=False):
        world.brief(status=Brief.Status.DRAFT, published_at=NOW + datetime.timedelta(seconds=30))
        assert client.get(world.url("site"))["Cache-Control"] == f"public, max-age={MAX_AGE}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_gzip_works_and_a_gzipped_etag_still_revalidates(client, world, fmt):
    for _ in range(3):
        world.brief()
    response = client.get(world.url("site", fmt), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert len(body) > len(response.content)
    parsed = feedparser.parse(body)
    assert parsed.bozo is False
    assert len(parsed.entries) == 3
    revalidated = client.get(world.url("site", fmt), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_uncached_feed_is_compressed_once_per_version(client, world, fmt, settings, monkeypatch):
    """With the page cache off (or a URL it does not keep), a reader's request still finds the
    feed rendered and compressed once: polling readers cost no rendering and no compression."""
    import django.middleware.gzip

    from serving import pages as pagecache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for _ in range(3):
        world.brief()
    first = client.get(world.url("site", fmt), HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"

    def refuse(*args, **kwargs):
        raise AssertionError("a feed was compressed again for another reader")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", refuse)
    monkeypatch.setattr(pagecache.gzip, "compress", refuse)
    again = client.get(world.url("site", fmt), HTTP_ACCEPT_ENCODING="gzip")
    assert again["Content-Encoding"] == "gzip" and "Accept-Encoding" in again["Vary"]
    assert gzip.decompress(again.content) == gzip.decompress(first.content)
    assert len(feedparser.parse(gzip.decompress(again.content)).entries) == 3
    plain = client.get(world.url("site", fmt))  # a reader whose client does not take gzip
    assert not plain.has_header("Content-Encoding") and plain.content == gzip.decompress(first.content)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_query_count_is_fixed_whatever_the_number_of_entries(client, world, kind, fmt, django_assert_max_num_queries):
    # The object (issue: the taxonomy), freshness, briefs, authors, issues, quotes with experts.
    budget = 5 if kind == "site" else 6
    world.brief(issues=[world.issue, world.sub_issue], authors=[world.expert, ExpertFactory()])
    with django_assert_max_num_queries(budget):
        _, parsed = fetch(client, world.url(kind, fmt))
    assert len(parsed.entries) == 1

    for _ in range(29):
        world.brief(issues=[world.issue, world.sub_issue], authors=[world.expert, ExpertFactory()])
    with django_assert_max_num_queries(budget):
        _, parsed = fetch(client, world.url(kind, fmt))
    assert len(parsed.entries) == FEED_LENGTH


@pytest.mark.parametrize("kind", KINDS)
def test_readers_polling_without_validators_share_one_rendering(client, world, kind, django_assert_max_num_queries):
    world.brief()
    first = client.get(world.url(kind))
    with django_assert_max_num_queries(2):
        again = client.get(world.url(kind))
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]

    newer = world.brief(published_at=timezone.now())  # a new version is rendered, not served from the cache
    _, parsed = fetch(client, world.url(kind))
    assert parsed.entries[0].link == public_url(newer)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_copy_of_a_feed_is_served_as_xml_a_browser_shows(client, world, fmt):
    """The first rendering, the shared cached one, a HEAD and a 304 all say application/xml:
    a browser shows (and styles) it, where application/rss+xml or atom+xml is downloaded."""
    world.brief()
    url = world.url("issue", fmt)
    first = client.get(url)
    cached = client.get(url)
    head = client.head(url)
    for response in (first, cached, head):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert cached.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_new_feed_format_is_served_at_once_after_a_deploy(client, world, monkeypatch):
    """Validators kept in the shared cache by the previous release are not reused once the feeds'
    format changes (FORMAT_VERSION): readers get the new document and type, not the kept rendering."""
    world.brief()
    url = world.url("site")
    before = client.get(url)
    assert client.get(url)["ETag"] == before["ETag"]  # kept
    monkeypatch.setattr("briefs.feeds.FORMAT_VERSION", feeds.FORMAT_VERSION + 1)
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_feeds_answer_head_and_refuse_other_methods(client, world):
    world.brief()
    head = client.head(world.url("site"))
    assert head.status_code == 200
    assert head["ETag"] == client.get(world.url("site"))["ETag"]
    assert head.content == b""
    refused = client.post(world.url("issue", "atom"))
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_correction_moves_the_entry_updated_time_and_revalidates_the_feed(client, world, fmt):
    """A reader holding the feed from before the correction gets the new copy, with ``updated`` moved."""
    url = world.url("site", fmt)
    with time_machine.travel(NOW, tick=False):
        brief = world.brief(published_at=NOW - datetime.timedelta(days=2))
        first = client.get(url)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        workflow.add_correction(brief=brief, user=EditorFactory(), text="An earlier version misnamed the port.")
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_etag.status_code == 200 and by_date.status_code == 200
    entry = feedparser.parse(by_etag.content).entries[0]
    corrected = (NOW + datetime.timedelta(hours=1)).utctimetuple()
    assert entry.updated_parsed == corrected
    assert entry.published_parsed == (NOW - datetime.timedelta(days=2)).utctimetuple()
