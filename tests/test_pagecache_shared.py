"""Caches in front of the site (Varnish, a CDN): what a cached page tells them (``xkey``,
``s-maxage``) (issue #14), and the purges an edit queues once it is committed, which the worker
sends, retries and repeats (issue #21)."""

import datetime
import logging
import re
import socket
import threading
import time

import pytest
import time_machine
from django.db import transaction

from briefs import views
from briefs.models import Brief
from serving import purge, tasks
from serving import store as pagecache
from serving import tags as t
from tests.factories import BriefFactory, ExpertQuoteFactory, IssueFactory
from tests.purge_sink import PurgeSink
from tests.task_worker import queued, run_ready_tasks

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.CACHE_PURGE_URLS = []
    settings.CACHE_PURGE_REPEAT_SECONDS = 0  # test_each_purge_is_sent_again_a_moment_later turns it on
    settings.CACHE_PURGE_RETRY_SECONDS = 0


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


@pytest.fixture
def sink(settings):
    server = PurgeSink()
    settings.CACHE_PURGE_URLS = [server.url]
    yield server
    server.stop()


def purge_tasks():
    return queued(tasks.PURGE_TASK_PATH)


def tags_of(task):
    return set(task.args_kwargs["args"][0])


@pytest.fixture
def handed_over(monkeypatch):
    """Every set of tags ``bump()`` hands to the purges, call by call."""
    calls = []
    original = tasks.purge_when_committed

    def spy(tags):
        calls.append(set(tags))
        original(tags)

    monkeypatch.setattr(tasks, "purge_when_committed", spy)
    return calls


def retitle(brief, title="Militias halt attacks"):
    brief.title = title
    brief.save()


def test_an_edit_queues_one_purge_on_commit_which_the_worker_sends(brief, sink, handed_over, admin_client,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    draft = BriefFactory(issues=[brief.issues.get()], status=Brief.Status.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        published = admin_client.post(f"/admin/briefs/brief/{draft.pk}/transition/publish/")
        assert published.status_code == 302
        assert purge_tasks() == [] and sink.received == []  # not before the commit: it would refetch the old page
    assert len(handed_over) > 1, "the premise: publishing through the admin bumps several times"
    (task,) = purge_tasks()  # one task for the transaction, with every tag it bumped
    assert tags_of(task) == set().union(*handed_over)
    assert {t.item("brief", draft.pk), t.listing("issue", brief.issues.get().pk), t.every("brief")} <= tags_of(task)
    assert (task.queue_name, task.priority) == ("default", 100)  # the queue `alerts_worker` runs, first in it
    assert sink.received == []  # queued: the web process sends nothing

    run_ready_tasks()
    assert sink.received and all(method == "PURGE" and path == "/" for method, path, _ in sink.received)
    purged = set().union(*sink.tags())
    assert purged == tags_of(task)
    assert t.item("brief", draft.pk + 1000) not in purged
    assert purge_tasks() == []


def test_every_edit_of_a_transaction_goes_in_its_one_purge(brief, sink, handed_over,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    expert = brief.quotes.get().expert
    with django_capture_on_commit_callbacks(execute=True):
        retitle(brief)
        with transaction.atomic():
            expert.name = "Bradley R. Bowman"
            expert.save()
        try:
            with transaction.atomic():  # a savepoint rolled back: its own callbacks are dropped
                pagecache.bump({t.item("brief", brief.pk + 1000)})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        pagecache.invalidate_everything()
    (task,) = purge_tasks()
    assert {t.item("brief", brief.pk), t.item("expert", expert.pk), t.SITE} <= tags_of(task)
    assert tags_of(task) == set().union(*handed_over)  # a rolled-back bump may be purged too: harmless
    with django_capture_on_commit_callbacks(execute=True):  # the next transaction: a purge of its own
        retitle(brief, "Militias pause attacks")
    assert len(purge_tasks()) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, as the suite does them
def test_one_purge_per_transaction_or_per_bump_outside_one(settings):
    settings.CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]
    briefs = [t.item("brief", pk) for pk in range(1, 6)]
    pagecache.bump({briefs[0]})  # autocommit: one task per call
    pagecache.bump({briefs[1]})
    assert [tags_of(task) for task in purge_tasks()] == [{briefs[0], t.ANY}, {briefs[1], t.ANY}]

    with transaction.atomic():
        with transaction.atomic():  # the first bump in a savepoint that is rolled back...
            pagecache.bump({briefs[2]})
            transaction.set_rollback(True)
        pagecache.bump({briefs[3]})  # ...the batch is queued by the callbacks that remain
        pagecache.bump({briefs[4]})
        assert len(purge_tasks()) == 2
    assert len(purge_tasks()) == 3
    assert {briefs[3], briefs[4]} <= tags_of(purge_tasks()[-1])

    with transaction.atomic():
        pagecache.bump({briefs[0]})
        transaction.set_rollback(True)
    assert len(purge_tasks()) == 3  # nothing committed, nothing to purge


def test_each_purge_is_sent_again_a_moment_later(brief, sink, settings, django_capture_on_commit_callbacks):
    """A page checked as current just before the commit may reach the cache just after the first
    purge; the second one, queued by the first, drops it."""
    settings.CACHE_PURGE_REPEAT_SECONDS = 2
    with django_capture_on_commit_callbacks(execute=True):
        retitle(brief)
    with time_machine.travel(NOON, tick=False) as clock:
        run_ready_tasks()
        first = list(sink.received)
        assert first
        (repeat,) = purge_tasks()
        assert repeat.run_after == NOON + datetime.timedelta(seconds=2)
        clock.shift(datetime.timedelta(seconds=1.9))
        run_ready_tasks()
        assert sink.received == first  # not yet
        clock.shift(datetime.timedelta(seconds=0.1))
        run_ready_tasks()
        assert sink.received == first + first  # the same purge, once more
        assert purge_tasks() == []  # and only once


def test_a_web_process_starts_no_thread_or_timer_for_purges(brief, sink, settings,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    settings.CACHE_PURGE_REPEAT_SECONDS = 0.1
    threads = set(threading.enumerate())
    with django_capture_on_commit_callbacks(execute=True):
        retitle(brief)
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.bump({t.item("brief", brief.pk)})
    time.sleep(0.3)
    assert set(threading.enumerate()) == threads
    assert sink.received == [] and len(purge_tasks()) == 2


def test_dropping_everything_purges_every_page(sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.invalidate_everything()
    run_ready_tasks()
    assert any(t.SITE in tags for tags in sink.tags())


def test_many_tags_go_in_several_purges_of_bounded_size(sink, django_capture_on_commit_callbacks):
    tags = t.items("brief", range(2000))
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.bump(tags)
    assert len(purge_tasks()) == 1
    run_ready_tasks()
    assert len(sink.received) > 1
    assert all(len(value) <= purge.MAX_HEADER_LENGTH for _, _, value in sink.received)
    assert set().union(*sink.tags()) == {*tags, t.ANY}


def test_no_purge_urls_nothing_queued(brief, sink, settings, django_capture_on_commit_callbacks):
    settings.CACHE_PURGE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        retitle(brief)
    pagecache.bump({t.SITE})
    assert purge_tasks() == []
    run_ready_tasks()
    assert sink.received == []


def test_a_cache_down_silent_or_misnamed_never_breaks_an_edit_is_retried_then_logged(
    brief, sink, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    quiet = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    failing = [down, quiet, "not a url"]
    settings.CACHE_PURGE_URLS = [*failing, sink.url]
    settings.CACHE_PURGE_TIMEOUT = 0.3
    settings.CACHE_PURGE_ATTEMPTS = 3
    settings.CACHE_PURGE_RETRY_SECONDS = 10
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            retitle(brief)
        assert time.monotonic() - started < 0.3  # the edit waits for no cache
        brief.refresh_from_db()
        assert brief.title == "Militias halt attacks"

        with caplog.at_level(logging.WARNING, logger="serving.tasks"), time_machine.travel(NOON, tick=False) as clock:
            run_ready_tasks()  # attempt 1
            assert len(sink.received) == 1  # the cache that answers gets its purge at once
            (retry,) = purge_tasks()
            assert retry.args_kwargs["kwargs"]["urls"] == failing  # only the failed URLs are tried again
            assert retry.run_after == NOON + datetime.timedelta(seconds=10)
            clock.shift(datetime.timedelta(seconds=9))
            assert run_ready_tasks() == 0
            clock.shift(datetime.timedelta(seconds=1))
            assert run_ready_tasks() == 1  # attempt 2
            assert purge_tasks()[0].run_after == NOON + datetime.timedelta(seconds=10 + 40)  # backoff
            clock.shift(datetime.timedelta(seconds=40))
            assert run_ready_tasks() == 1  # attempt 3, the last
            assert purge_tasks() == []
    finally:
        silent.close()
    assert len(sink.received) == 1
    records = [(record.levelname, record.getMessage()) for record in caplog.records]
    for url in failing:
        mine = [(level, line) for level, line in records if f"at {url} " in line]
        assert [level for level, _line in mine] == ["WARNING", "WARNING", "ERROR"], mine
        assert "given up" in mine[-1][1]
    assert all("\n" not in line for _level, line in records)


def test_a_purge_that_cannot_be_queued_never_breaks_an_edit(brief, sink, monkeypatch, caplog,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    class Unqueueable:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("the task table is unreachable")

    monkeypatch.setattr(tasks, "send_purge", Unqueueable())
    with caplog.at_level(logging.ERROR, logger="serving.tasks"), django_capture_on_commit_callbacks(execute=True):
        retitle(brief)
    brief.refresh_from_db()
    assert brief.title == "Militias halt attacks"
    assert any("not queued" in record.getMessage() for record in caplog.records)
