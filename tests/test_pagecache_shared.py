"""Caches in front of the site (Varnish, a CDN): what a cached page tells them (``xkey``,
``s-maxage``), and the purges an edit sends them once it is committed (issue #14)."""

import datetime
import http.server
import logging
import re
import socket
import threading
import time

import pytest
import time_machine

from briefs import views
from serving import purge
from serving import store as pagecache
from tests.factories import BriefFactory, ExpertQuoteFactory, IssueFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.CACHE_PURGE_URLS = []
    settings.CACHE_PURGE_REPEAT_SECONDS = 0  # test_each_purge_is_sent_again_a_moment_later turns it on


@pytest.fixture
def brief():
    brief = BriefFactory(title="Militias resume attacks", issues=[IssueFactory(name="Iran")])
    ExpertQuoteFactory(brief=brief)
    return brief


def public_pages(brief):
    return ["/", "/briefs/", "/briefs/?page=1", brief.get_absolute_url(), brief.type.get_absolute_url(),
            "/issues/", brief.issues.get().get_absolute_url(), "/experts/",
            brief.quotes.get().expert.get_absolute_url()]  # fmt: skip


def s_maxage(response):
    match = re.fullmatch(r"public, max-age=0, s-maxage=(\d+)", response.get("Cache-Control", ""))
    assert match, f"not shareable: Cache-Control {response.get('Cache-Control')!r}"
    return int(match.group(1))


def test_cached_pages_name_their_tags_and_how_long_a_shared_cache_may_keep_them(client, brief):
    for url in public_pages(brief):
        first = client.get(url)
        assert first.status_code == 200, url
        tags = first["xkey"].split(" ")
        assert "site" in tags, url
        assert all(re.fullmatch(r"[a-z0-9:._-]+", tag) for tag in tags), first["xkey"]
        assert 295 <= s_maxage(first) <= 300, url
        hit = client.get(url)  # from our own cache: the same tags, the lifetime left
        assert hit["xkey"] == first["xkey"] and s_maxage(hit) <= s_maxage(first), url
    page = client.get(brief.get_absolute_url())
    assert {f"brief:{brief.pk}", f"brief-body:{brief.pk}"} <= set(page["xkey"].split())


def test_adding_the_headers_keeps_pages_in_our_own_cache(client, brief, django_assert_num_queries):
    for url in public_pages(brief):
        client.get(url)
        with django_assert_num_queries(0):
            assert client.get(url).has_header("xkey"), url


def test_a_shared_cache_keeps_a_page_only_until_the_next_scheduled_change(client, brief):
    with time_machine.travel(NOON, tick=False) as clock:
        due = NOON + datetime.timedelta(seconds=10.5)
        BriefFactory(title="Scheduled", issues=[brief.issues.get()], published_at=due)
        assert s_maxage(client.get("/")) == 10  # rounded down: gone before its second
        clock.shift(datetime.timedelta(seconds=3.2))
        assert s_maxage(client.get("/")) == 7  # a hit: what is left of it
        clock.shift(datetime.timedelta(seconds=7.3))
        page = client.get("/")
        assert "Scheduled" in page.content.decode() and s_maxage(page) == 300


def test_pages_not_kept_are_not_shared(client, brief, admin_client):
    uncached = [
        client.get("/?utm_source=newsletter"),
        client.get("/briefs/?page=007"),
        client.get("/briefs/no-such-brief/"),
        client.post("/"),
        admin_client.get("/admin/"),
        admin_client.get(f"/admin/briefs/brief/{brief.pk}/change/"),
    ]
    for response in uncached:
        assert not response.has_header("xkey")
        assert "s-maxage" not in response.get("Cache-Control", "")
        assert "public" not in response.get("Cache-Control", "")
    assert "no-store" in uncached[-1]["Cache-Control"] and "private" in uncached[-1]["Cache-Control"]


def test_a_page_rendered_while_an_edit_is_saved_is_not_shared(client, brief, monkeypatch):
    original = views.HomeView.get_context_data

    def edited_meanwhile(self, **kwargs):
        context = original(self, **kwargs)
        list(context["latest"])  # read the old title
        brief.title = "Corrected meanwhile"
        brief.save()
        return context

    monkeypatch.setattr(views.HomeView, "get_context_data", edited_meanwhile)
    page = client.get("/")
    assert page.status_code == 200
    assert not page.has_header("xkey") and "s-maxage" not in page.get("Cache-Control", "")


def test_a_page_with_more_tags_than_a_header_holds_is_kept_here_only(client, brief, monkeypatch,
                                                                      django_assert_num_queries):  # fmt: skip
    from serving import shared

    monkeypatch.setattr(shared, "MAX_HEADER_LENGTH", 20)
    first = client.get("/")
    assert not first.has_header("xkey") and not first.has_header("Cache-Control")
    with django_assert_num_queries(0):
        again = client.get("/")
    assert not again.has_header("xkey") and not again.has_header("Cache-Control")
    test_a_page_rendered_while_an_edit_is_saved_is_not_shared(client, brief, monkeypatch)


# Purges


class PurgeSink:
    """A real HTTP server on 127.0.0.1 that records the purges it receives."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                received.append((self.command, self.path, self.headers.get("xkey-purge")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tags(self):
        return [set(value.split(" ")) for _method, _path, value in self.received]


@pytest.fixture
def sink(settings):
    server = PurgeSink()
    settings.CACHE_PURGE_URLS = [server.url]
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_an_edit_purges_its_tags_once_committed(brief, sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Militias halt attacks"
        brief.save()
        assert sink.received == []  # not before the commit: the cache would refetch the old page
    assert sink.received and all(method == "PURGE" and path == "/" for method, path, _ in sink.received)
    purged = set().union(*sink.tags())
    assert f"brief:{brief.pk}" in purged
    assert f"brief:{brief.pk + 1000}" not in purged


def test_each_purge_is_sent_again_a_moment_later(brief, sink, settings, django_capture_on_commit_callbacks):
    """A page checked as current just before the commit may reach the cache just after the first
    purge; the second one drops it."""
    settings.CACHE_PURGE_REPEAT_SECONDS = 0.3
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Militias halt attacks"
        brief.save()
    first = list(sink.received)
    assert first
    time.sleep(0.1)
    assert sink.received == first  # not at once
    deadline = time.monotonic() + 5
    while len(sink.received) < 2 * len(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(sink.received) == sorted(first + first)  # each bump's purge, once more


def test_dropping_everything_purges_every_page(sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.invalidate_everything()
    assert any("site" in tags for tags in sink.tags())


def test_many_tags_go_in_several_purges_of_bounded_size(sink):
    tags = {f"brief:{n}" for n in range(2000)}
    purge.send(tags)
    assert len(sink.received) > 1
    assert all(len(value) <= purge.MAX_HEADER_LENGTH for _, _, value in sink.received)
    assert set().union(*sink.tags()) == tags


def test_no_purge_urls_no_purges(brief, sink, settings, django_capture_on_commit_callbacks):
    settings.CACHE_PURGE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Militias halt attacks"
        brief.save()
    assert sink.received == []


def test_a_cache_that_is_down_or_silent_never_breaks_an_edit(brief, settings, caplog,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    settings.CACHE_PURGE_URLS = [down, f"http://127.0.0.1:{silent.getsockname()[1]}/", "not a url"]
    settings.CACHE_PURGE_TIMEOUT = 0.5
    try:
        started = time.monotonic()
        with (
            caplog.at_level(logging.WARNING, logger="serving.purge"),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            brief.title = "Militias halt attacks"
            brief.save()
        took = time.monotonic() - started
    finally:
        silent.close()
    assert callbacks, "the edit registered no purge"
    brief.refresh_from_db()
    assert brief.title == "Militias halt attacks"
    assert took < 0.5 * len(callbacks) * 2 + 2  # each silent purge waits the timeout at most
    lines = [record.getMessage() for record in caplog.records]
    assert any(down in line for line in lines) and any("not a url" in line for line in lines)
    assert all("\n" not in line for line in lines)
