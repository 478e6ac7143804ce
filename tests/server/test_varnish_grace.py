"""Varnish serves a page past its ``s-maxage`` only while the app is down (issue #21).

deploy/varnish/default.vcl probes ``/healthz`` and allows grace only while the probe says the app is
down, or when the app has just answered an error (stale-if-error); an edit purges its pages outright
(``xkey.purge``), grace copies included. The site here keeps pages for 3 s
(``PUBLIC_PAGE_CACHE_SECONDS``), so they pass their ``s-maxage`` within the test:

- app up: an edit shows through Varnish once the worker has sent its purge, and no response is ever
  older than its ``s-maxage``;
- gunicorn stopped: pages Varnish kept are still served (old, 200) at once and after the probe has
  noticed, a page never kept is a 503, and a page an edit purged is gone (503, never the old page);
- gunicorn started again: pages are fresh again.
"""

import re
import time

import pytest

from tests.conftest import require_tool
from tests.server.conftest import seeded_env
from tests.server.harness import Gunicorn, TaskWorker, free_port, manage, task_statuses, wait_for
from tests.server.varnish import Varnish, available, is_hit

OLD_TITLE = "Militias resume attacks on US forces"
NEW_TITLE = "Militias halt attacks after strikes"
SHOWING = ["/", "/briefs/", "/issues/iran/"]  # pages that show brief-0
NOT_SHOWING = ["/issues/", "/experts/colleague-0/"]
NEVER_KEPT = "/experts/"  # never requested before the app goes down
KEPT_SECONDS = 3
PROBE_NOTICES = 7  # seconds: two failed probes, 2 s apart, plus a margin


@pytest.fixture
def site(tmp_path, static_root, database_url):
    require_tool(available(), "varnishd with varnish-modules (vmod xkey) is needed for this test")
    varnish_port = free_port()
    env = seeded_env(tmp_path, database_url, static_root)
    env |= {"CACHE_PURGE_URLS": f"http://127.0.0.1:{varnish_port}/", "PUBLIC_PAGE_CACHE_SECONDS": str(KEPT_SECONDS)}
    app = Gunicorn(env=env, tmp=tmp_path)
    varnish = Varnish(tmp_path, backend_port=app.port, port=varnish_port)
    worker = TaskWorker(env, tmp_path)
    try:
        app.start()
        varnish.start()
        worker.start()
        yield app, varnish
    finally:
        worker.stop()
        varnish.stop()
        app.stop()


def brief_url(varnish):
    return re.search(r'href="(/briefs/\d{4}/\d\d/\d\d/brief-0/)"', varnish.get("/").body).group(1)


def s_maxage(response):
    return int(re.search(r"s-maxage=(\d+)", response.header("Cache-Control")).group(1))


def stale(response):
    """Served from store past its s-maxage: what grace gives (fresh, its Age in whole seconds is below)."""
    return is_hit(response) and int(response.header("Age")) >= s_maxage(response)


def kept(varnish, url):
    for _ in range(3):
        if is_hit(response := varnish.get(url)):
            return response
    raise AssertionError(f"Varnish does not keep {url}: {response.status} {response.headers}")


def retitle_and_wait_for_the_purge(app, title):
    sent = task_statuses(app.env["DATABASE_URL"]).get("SUCCESSFUL", 0)
    retitle = f"b = Brief.objects.get(slug='brief-0'); b.title = {title!r}; b.save()"
    manage(app.env, code=f"from briefs.models import Brief; {retitle}")
    wait_for(
        lambda: task_statuses(app.env["DATABASE_URL"]).get("SUCCESSFUL", 0) > sent,
        30, "the worker to send the edit's purge",
    )  # fmt: skip


def test_while_the_app_is_up_no_page_is_ever_stale(site):
    app, varnish = site
    pages = [*SHOWING, brief_url(varnish), *NOT_SHOWING]
    for url in pages:
        kept(varnish, url)
    retitle_and_wait_for_the_purge(app, NEW_TITLE)
    after = {url: varnish.get(url) for url in pages[: len(SHOWING) + 1]}
    assert [url for url, response in after.items() if NEW_TITLE not in response.body] == []

    # Requests for three lifetimes of a page: each past its s-maxage is fetched again, never graced.
    responses, until = [], time.monotonic() + 3 * KEPT_SECONDS
    while time.monotonic() < until:
        responses += [(url, varnish.get(url)) for url in pages]
    assert all(response.status == 200 for _url, response in responses)
    assert [url for url, response in responses if stale(response)] == []
    assert any(is_hit(response) for _url, response in responses)
    assert any(not is_hit(response) for _url, response in responses)  # the premise: pages expired meanwhile
    assert not any(OLD_TITLE in response.body for _url, response in responses)


def test_while_the_app_is_down_kept_pages_are_served_and_fresh_once_it_is_back(site):
    app, varnish = site
    article = brief_url(varnish)
    before = {url: kept(varnish, url) for url in [*SHOWING, article, *NOT_SHOWING]}
    time.sleep(KEPT_SECONDS + 1)  # every kept page is now past its s-maxage

    app.stop()
    for when in ("before the probe notices", "after it noticed"):
        for url, old in before.items():
            response = varnish.get(url)
            assert response.status == 200, (when, url, response.status)
            assert response.body == old.body and stale(response), (when, url)
        assert varnish.get(NEVER_KEPT).status == 503, when
        time.sleep(PROBE_NOTICES)

    # An edit while the app is down (a shell on the database): the worker's purge drops the kept pages
    # showing it, so Varnish answers 503 rather than the old version; the others are still served.
    retitle_and_wait_for_the_purge(app, NEW_TITLE)
    assert {url: varnish.get(url).status for url in [*SHOWING, article]} == dict.fromkeys([*SHOWING, article], 503)
    assert all(varnish.get(url).body == before[url].body for url in NOT_SHOWING)

    app.start()
    wait_for(lambda: varnish.get(NEVER_KEPT).status == 200, 30, "Varnish to see the app up again")
    for url in before:
        response = varnish.get(url)
        assert response.status == 200 and not stale(response), url
        assert OLD_TITLE not in response.body, url
    assert all(NEW_TITLE in varnish.get(url).body for url in [*SHOWING, article])
