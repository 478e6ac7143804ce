"""When a service fails, the site stays up (issue #9, findings 4 and 5), on the real server.

- Redis stopped: public pages render uncached (200), the admin works, saving and publishing work;
  the outage is logged once per process, not per request; when Redis is back, caching resumes
  and nothing cached before an edit made during the outage is served.
- PostgreSQL unreachable: pages in the cache are still served; anything else answers a branded 503
  with ``Retry-After`` within 5 s (before: a 30 s wait and a 500); ``/healthz`` says so; recovery
  needs no restart.
"""

import os
import signal
import threading
import time

import lxml.html
import pytest

from tests.server.conftest import EDITOR_PASSWORD
from tests.server.harness import PG_URL, AdminSession, TcpProxy, manage, wait_for

PUBLIC = [
    "/",
    "/briefs/",
    "/types/flash-brief/",
    "/issues/",
    "/issues/iran/",
    "/experts/",
    "/experts/bradley-bowman/",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/sitemap-briefs.xml",
]
# The pages of PUBLIC that show the newest brief's title.
TITLED = [url for url in PUBLIC if url not in ("/issues/", "/experts/") and not url.startswith("/sitemap")]


def brief_id(server, slug):
    return manage(
        server.env, code=f"from briefs.models import Brief; print(Brief.objects.get(slug={slug!r}).pk)"
    ).strip()


def test_a_stopped_redis_costs_the_cache_not_the_site(start_server, database_url, redis_server):
    server = start_server(database_url, redis_url=redis_server.url)
    for url in PUBLIC * 2:
        assert server.get(url).status == 200, url
    assert redis_server.keys() > len(PUBLIC), "pages should be cached in Redis while it runs"
    editor = AdminSession(server.port).login("editor", EDITOR_PASSWORD)

    redis_server.stop()
    for url in PUBLIC * 3:
        response = server.get(url)
        assert (response.status, url) == (200, url)
        assert response.seconds < 2, f"{url} took {response.seconds:.1f} s without Redis"
    draft = manage(server.env, code="""
from tests.factories import BriefFactory
from briefs.models import Brief
print(BriefFactory(title="Written while Redis was down", slug="while-down", status=Brief.Status.DRAFT).pk)
""").strip()  # fmt: skip
    change = f"/admin/briefs/brief/{draft}/change/"
    assert editor.get(change).status == 200
    saved = editor.submit_form(change, {"summary": "Saved while the cache was down."})
    assert saved.status == 302, saved.body[:3000]
    token = editor.csrf_token()
    published = editor.post(f"/admin/briefs/brief/{draft}/transition/publish/", {"csrfmiddlewaretoken": token})
    assert published.status == 302, published.body[:3000]
    assert "Written while Redis was down" in server.get("/").body
    log = server.log()
    assert 1 <= log.count("unavailable") <= server.workers, f"one line per worker per outage, got:\n{log}"

    redis_server.start()  # the same port, empty (nothing kept on disk)
    time.sleep(6)  # the backends leave a dead cache alone for 5 s, then try again
    for url in PUBLIC * 2:
        assert server.get(url).status == 200
    wait_for(lambda: redis_server.keys() > len(PUBLIC) // 2, 10, "pages cached in Redis again")
    assert "is back" in server.log()


def test_a_paused_redis_never_serves_what_an_edit_made_meanwhile_replaced(start_server, database_url, redis_server):
    """Redis unreachable but keeping its data (paused, a network partition): the edit made meanwhile
    could not move the cache generation; the processes that saw the outage move it on recovery."""
    server = start_server(database_url, redis_url=redis_server.url)
    for url in PUBLIC * 2:
        assert server.get(url).status == 200
    assert all("Militias resume attacks on US forces" in server.get(url).body for url in ("/", "/feed/"))

    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        manage(server.env, code="from briefs.models import Brief; b = Brief.objects.get(slug='brief-0'); "
               "b.title = 'Retitled during a partition'; b.save()")  # fmt: skip
        for url in TITLED:
            assert "Retitled during a partition" in server.get(url).body, url
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(6)
    for _ in range(3):
        for url in TITLED:
            body = server.get(url).body
            assert "Retitled during a partition" in body and "Militias resume attacks" not in body, url


def test_an_edit_made_from_a_shell_while_redis_is_paused_is_on_every_page_once_it_answers(
    start_server, database_url, redis_server
):
    """No web request during the pause, so no web process sees the outage: the shell's edit could
    not move any version in Redis, and is kept in the database (serving/journal.py) until the first
    process to look after Redis answers moves its tags (within CACHE_JOURNAL_SECONDS, 1 s)."""
    server = start_server(database_url, redis_url=redis_server.url)
    for url in TITLED * 2:
        assert "Militias resume attacks on US forces" in server.get(url).body, url
    assert all(server.get(url).header("X-Page-Cache") == "hit" for url in TITLED if not url.startswith("/feed"))

    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        manage(server.env, code="from briefs.models import Brief; b = Brief.objects.get(slug='brief-0'); "
               "b.title = 'Retitled from a shell'; b.save()")  # fmt: skip
        pending = manage(server.env, code="from serving.models import PendingMove; print(PendingMove.objects.count())")
        assert int(pending) >= 1, "the edit's tags should wait in the database"
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(1.5)  # CACHE_JOURNAL_SECONDS, and a margin
    stale = [url for _ in range(3) for url in TITLED if "Retitled from a shell" not in server.get(url).body]
    assert stale == []
    left = manage(server.env, code="from serving.models import PendingMove; print(PendingMove.objects.count())")
    assert int(left) == 0, "the pending moves should be applied and forgotten"


@pytest.fixture
def proxied_postgres(postgres_database):
    proxy = TcpProxy().start()
    yield proxy, f"postgres://postgres@127.0.0.1:{proxy.port}/{postgres_database}"
    proxy.stop()


@pytest.mark.parametrize("outage", ["down", "stall"])
def test_a_database_outage_is_a_quick_503_and_heals_itself(start_server, proxied_postgres, outage):
    proxy, url = proxied_postgres
    server = start_server(url)
    for page in PUBLIC * 2:
        assert server.get(page).status == 200
    editor = AdminSession(server.port).login("editor", EDITOR_PASSWORD)

    getattr(proxy, outage)()
    # Pages in the cache are still served.
    for page in PUBLIC:
        response = server.get(page)
        assert (response.status, page) == (200, page)
    # So is a page not cached whole whose every part is kept: the archive's first page (not a
    # canonical URL) from its remembered counts and keys and its kept cards, without a query.
    archive = server.get("/briefs/?page=1")
    assert archive.status == 200 and 'class="card"' in archive.body, archive.body[:500]
    # The rest: a branded 503 with Retry-After, quickly, even with several waiting at once.
    results = {}

    def fetch(path):
        results[path] = server.get(path)

    uncached = [
        "/briefs/?type=flash-brief",  # a filtered archive counts its briefs each time
        "/search/?q=militias",
        "/issues/iran/?page=1",
        "/experts/bradley-bowman/?page=1",
        "/types/flash-brief/?page=1",
        "/healthz",
    ]
    threads = [threading.Thread(target=fetch, args=(path,)) for path in uncached]
    for thread in threads:
        thread.start()
    robots = server.get("/robots.txt")
    for thread in threads:
        thread.join(30)
    assert robots.status == 200 and robots.seconds < 5, f"/robots.txt took {robots.seconds:.1f} s"
    for path, response in results.items():
        assert response.status == 503, (path, response.status, response.body[:500])
        assert response.seconds < 5, f"{path} took {response.seconds:.1f} s"
        assert response.header("Retry-After"), path
    assert "briefly unavailable" in results["/briefs/?type=flash-brief"].body
    assert results["/healthz"].header("Content-Type") == "application/json"
    assert editor.get("/admin/briefs/brief/").status == 503

    proxy.up()
    wait_for(lambda: server.get("/healthz").status == 200, 15, "/healthz to recover")
    for path in uncached:
        assert server.get(path).status == 200, path
    page = editor.get("/admin/briefs/brief/")
    assert page.status == 200 and lxml.html.fromstring(page.body).find_class("results"), "the admin is back"


def test_postgres_url_fixture_is_real(postgres_database):
    """The proxy tests need a real PostgreSQL; this guards against a fixture that silently uses SQLite."""
    assert postgres_database.startswith("dossier_srv_") and PG_URL.startswith("postgres://")
