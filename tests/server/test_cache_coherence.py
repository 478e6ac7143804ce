"""One truth for every process: an edit saved through one gunicorn worker, or by a separate
``manage.py`` process, is what every worker serves next, pages and feeds alike (issue #9, finding 1).

With the old per-process cache, each worker kept its own copy and its own idea of what had changed:
after the edit, the other worker served the old title for up to five minutes.
"""

import itertools
import re

import pytest

from tests.server.conftest import EDITOR_PASSWORD
from tests.server.harness import AdminSession, manage

OLD_TITLE = "Militias resume attacks on US forces"
NEW_TITLE = "Militias halt attacks after strikes"
OLD_NAME = "Bradley Bowman"
NEW_NAME = "Bradley R. Bowman"

# Every page and feed that shows the brief's title and its author's name.
URLS = [
    "/",
    "/briefs/",
    "/types/flash-brief/",
    "/issues/iran/",
    "/issues/iran-global-threat-network/",
    "/experts/bradley-bowman/",
    "/feed/",
    "/feed/atom/",
    "/issues/iran/feed/",
    "/experts/bradley-bowman/feed/atom/",
    "/types/flash-brief/feed/",
]


def brief_url(server):
    home = server.get("/").body
    return re.search(r'href="(/briefs/\d{4}/\d\d/\d\d/brief-0/)"', home).group(1)


def warm(server, urls, rounds=6):
    """Every URL served (and cached) several times, so each worker has seen it."""
    for url in urls * rounds:
        assert server.get(url).status == 200, url


def hundred_requests(server, urls):
    return [(url, server.get(url)) for url in itertools.islice(itertools.cycle(urls), 100)]


@pytest.mark.parametrize("cache", ["default (files shared by this machine's processes)", "redis"])
def test_every_worker_serves_an_edit_at_once(start_server, database_url, request, cache):
    redis_url = request.getfixturevalue("redis_server").url if cache == "redis" else None
    server = start_server(database_url, redis_url=redis_url)
    urls = [*URLS, brief_url(server)]
    warm(server, urls)
    assert all(OLD_TITLE in server.get(url).body for url in urls)

    # An editor renames the author through the admin: one connection, one worker.
    editor = AdminSession(server.port).login("editor", EDITOR_PASSWORD)
    expert_id = manage(
        server.env, code="from experts.models import Expert; print(Expert.objects.get(slug='bradley-bowman').pk)"
    )
    saved = editor.submit_form(f"/admin/experts/expert/{expert_id.strip()}/change/", {"name": NEW_NAME})
    assert saved.status == 302, saved.body[:2000]
    stale = [
        url
        for url, response in hundred_requests(server, urls)
        if OLD_NAME in response.body or NEW_NAME not in response.body
    ]
    assert stale == [], f"{len(stale)} of 100 responses still named the author {OLD_NAME!r}: {sorted(set(stale))}"

    # A separate process (a shell, an import) retitles the brief.
    retitle = f"b = Brief.objects.get(slug='brief-0'); b.title = {NEW_TITLE!r}; b.save()"
    manage(server.env, code=f"from briefs.models import Brief; {retitle}")
    responses = hundred_requests(server, urls)
    stale = [url for url, response in responses if OLD_TITLE in response.body or NEW_TITLE not in response.body]
    assert stale == [], f"{len(stale)} of 100 responses still showed the old title: {sorted(set(stale))}"
    assert all(response.status == 200 for _url, response in responses)
    assert len(server.worker_pids_serving()) == 2, "both workers must have answered"
