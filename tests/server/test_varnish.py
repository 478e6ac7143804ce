"""Varnish in front, on the real server (issue #14): deploy/varnish/default.vcl with Debian's
varnishd and vmod xkey, before gunicorn with production settings and ``CACHE_PURGE_URLS`` pointing
at it.

Varnish keeps public pages (a second request is a hit); an edit saved by a separate process is
visible through Varnish at once (its purge reached Varnish) while a page not showing the edited
brief stays a hit; a scheduled brief appears through Varnish at its second (``s-maxage`` ends at
the next scheduled change); the admin, preview links, writes and signed-in readers go to the app.
"""

import http.client
import re
import threading
import time

import pytest

from tests.conftest import require_tool
from tests.server.conftest import seeded_env
from tests.server.harness import Gunicorn, free_port, manage
from tests.server.varnish import Varnish, available, is_hit

OLD_TITLE = "Militias resume attacks on US forces"
NEW_TITLE = "Militias halt attacks after strikes"
# Pages showing brief-0 (the newest), and pages that do not show it.
SHOWING = ["/", "/briefs/", "/issues/iran/", "/issues/iran-global-threat-network/", "/types/flash-brief/"]
NOT_SHOWING = ["/issues/", "/experts/", "/experts/colleague-0/"]


@pytest.fixture
def site(tmp_path, static_root, database_url):
    """The sample site served by gunicorn, behind Varnish; the app purges Varnish on every edit."""
    require_tool(available(), "varnishd with varnish-modules (vmod xkey) is needed for this test")
    varnish_port = free_port()
    env = seeded_env(tmp_path, database_url, static_root)
    env["CACHE_PURGE_URLS"] = f"http://127.0.0.1:{varnish_port}/"
    app = Gunicorn(env=env, tmp=tmp_path)
    varnish = Varnish(tmp_path, backend_port=app.port, port=varnish_port)
    try:
        app.start()
        varnish.start()
        yield app, varnish
    finally:
        varnish.stop()
        app.stop()


def brief_url(varnish, slug="brief-0"):
    return re.search(rf'href="(/briefs/\d{{4}}/\d\d/\d\d/{slug}/)"', varnish.get("/").body).group(1)


def hit_twice(varnish, url):
    """Fetch ``url`` until Varnish serves it from store; the stored response."""
    for _ in range(3):
        response = varnish.get(url)
        assert response.status == 200, (url, response.status)
        if is_hit(response):
            return response
    raise AssertionError(f"Varnish never kept {url}: {response.headers}")


def test_an_edit_is_visible_through_varnish_at_once_and_other_pages_stay_cached(site):
    app, varnish = site
    showing = [*SHOWING, brief_url(varnish)]
    brief_pk = manage(app.env, code="from briefs.models import Brief; print(Brief.objects.get(slug='brief-0').pk)")
    for url in NOT_SHOWING:  # the premise: these pages do not carry brief-0's tag
        assert f"brief:{brief_pk.strip()} " not in app.get(url).header("xkey") + " ", url
    before = {url: hit_twice(varnish, url) for url in showing + NOT_SHOWING}
    assert all(OLD_TITLE in before[url].body for url in showing)
    assert all(response.header("Age") is not None for response in before.values())

    # A separate process (a shell, an import) retitles the brief; its purge reaches Varnish on commit.
    retitle = f"b = Brief.objects.get(slug='brief-0'); b.title = {NEW_TITLE!r}; b.save()"
    manage(app.env, code=f"from briefs.models import Brief; {retitle}")

    after = {url: varnish.get(url) for url in showing}
    stale = [url for url, response in after.items() if OLD_TITLE in response.body or NEW_TITLE not in response.body]
    assert stale == [], f"still the old title through Varnish: {stale}"
    assert not any(is_hit(response) for response in after.values())
    for url in NOT_SHOWING:
        response = varnish.get(url)
        assert is_hit(response), f"{url} does not show the brief, yet the edit dropped it from Varnish"
        assert response.body == before[url].body
    assert all(NEW_TITLE in hit_twice(varnish, url).body for url in showing)  # kept again


def test_admin_previews_writes_and_signed_in_readers_go_to_the_app_static_files_are_kept(site):
    app, varnish = site
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', varnish.get("/").body).group(1)
    assert hit_twice(varnish, stylesheet).header("Content-Type").startswith("text/css")
    for url, headers in [
        ("/admin/login/", {}),
        ("/healthz", {}),
        ("/", {"Cookie": "sessionid=abc"}),
        ("/?utm_source=newsletter", {}),  # not kept by the app: not kept in front either
        ("/preview/not-a-token/", {}),
    ]:
        responses = [varnish.get(url, headers=headers) for _ in range(3)]
        assert not any(is_hit(response) for response in responses), url
    assert varnish.get("/admin/login/").header("Cache-Control").count("no-store") == 1
    assert not is_hit(varnish.get("/", method="POST", body=""))

    hit_twice(varnish, "/")
    assert is_hit(varnish.get("/", headers={"Cookie": "_ga=GA1.1.123; csrftoken=x"}))  # cookies play no part
    assert varnish.get("/").header("xkey") is None  # tags are for caches, not readers


def purge_from(address, port, tags):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(address, 0))
    try:
        connection.request("PURGE", "/", headers={"xkey-purge": tags})
        return connection.getresponse().status
    finally:
        connection.close()


def test_only_this_machine_may_purge(site):
    _app, varnish = site
    hit_twice(varnish, "/")
    assert purge_from("127.0.0.2", varnish.port, "site") == 403  # another address (the whole 127/8 is local)
    assert is_hit(varnish.get("/"))
    assert purge_from("127.0.0.1", varnish.port, "site") == 200
    assert not is_hit(varnish.get("/"))


LEAD = 15  # seconds from scheduling to T: a shell process starts in two, or ten on a busy machine
SCHEDULE = """
import datetime
from django.utils import timezone
from briefs.models import Brief
from tests.factories import BriefFactory
due = datetime.datetime.fromtimestamp({due}, tz=datetime.UTC)
base = Brief.objects.get(slug="brief-0")
common = dict(type=base.type, issues=list(base.issues.all()), authors=list(base.authors.all()))
coming = BriefFactory(title="Goes live at T", slug="goes-live", published_at=due, **common)
going = BriefFactory(
    title="Expires at T", slug="expires", expires_at=due,
    published_at=timezone.now() - datetime.timedelta(minutes=30), **common,
)
print(coming.get_absolute_url(), going.get_absolute_url())
"""


def test_a_scheduled_brief_appears_through_varnish_at_its_second(site):
    app, varnish = site
    due = int(time.time()) + LEAD
    coming_url, going_url = manage(app.env, code=SCHEDULE.format(due=due)).split()
    pages = [*SHOWING, brief_url(varnish)]
    assert time.time() < due - 2, "scheduling took too long for the test to mean anything"
    early, hits, stop = [], [], threading.Event()

    def load(offset):
        i = offset
        while not stop.is_set():
            url = pages[i % len(pages)]
            i += 1
            response = varnish.get(url)
            if time.time() < due:
                if "Goes live at T" in response.body:
                    early.append(url)
                if is_hit(response):
                    hits.append(url)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(max(0, due + 1 - time.time()))  # within T's second
        stale = [url for url in pages if "Goes live at T" not in varnish.get(url).body]
        stale += [url for url in pages if "Expires at T" in varnish.get(url).body]
        detail = (varnish.get(coming_url).status, varnish.get(going_url).status)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert early == [], f"the scheduled brief showed through Varnish before its second on {set(early)}"
    assert set(hits) == set(pages), f"Varnish did not keep these pages before T: {set(pages) - set(hits)}"
    assert stale == [], f"at T+1 s Varnish still served the old state of: {stale}"
    assert detail == (200, 404), f"brief pages at T+1 s through Varnish: scheduled, expired = {detail}"
