"""The service's own behaviour, in one process: /healthz, the 503 for a database outage, the deploy
check against a per-process cache, a cache that fails, and a cache that cannot be filled at will.
What needs several processes is in tests/server/."""

import json
import logging
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError
from django.test import Client
from django.urls import path

from serving import cache as resilient
from tests.factories import BriefFactory

pytestmark = pytest.mark.django_db


def unreachable_database(request):
    raise OperationalError("connection failed: server closed the connection unexpectedly")


def bug(request):
    raise ValueError("a bug of ours")


urlpatterns = [path("db-down/", unreachable_database), path("bug/", bug)]
handler500 = "serving.views.server_error"


def cache_entries():
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client()
        return sum(1 for _ in client.scan_iter(match=f"{backend.key_prefix}:*"))
    return len(backend._list_cache_files())


def test_healthz_reports_database_migrations_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_when_the_cache_is_unreachable(client, settings, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    settings.CACHES = {"default": {"BACKEND": "serving.cache.FileBasedCache", "LOCATION": str(blocker / "cache")}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("failing")
    assert response["Retry-After"]


def test_a_database_outage_is_a_branded_503_with_retry_after(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/db-down/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "briefly unavailable" in response.content.decode()
    assert client.get("/bug/").status_code == 500  # our own bugs stay 500s


def test_deploy_check_refuses_a_per_process_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match="serving.E001"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_deploy_check_accepts_the_default_shared_cache():
    from serving.checks import check_shared_cache

    assert check_shared_cache(None) == []


def test_an_unreachable_cache_serves_pages_uncached_and_logs_once(client, settings, caplog):
    """A Redis nobody listens on (a port just freed): every page still answers, one log line."""
    from tests.server.harness import free_port

    BriefFactory(title="Readable without a cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "KEY_PREFIX": uuid.uuid4().hex,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    resilient._Outage.states.clear()
    with caplog.at_level(logging.ERROR, logger="dossier.cache"):
        for _ in range(5):
            response = client.get("/")
            assert response.status_code == 200
            assert "Readable without a cache" in response.content.decode()
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    resilient._Outage.states.clear()


def test_urls_a_page_does_not_read_never_fill_the_cache(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    BriefFactory()
    for url in ("/", "/briefs/", "/feed/"):  # the feed's rendering is kept once per version
        client.get(url)
    before = cache_entries()
    for i in range(200):
        assert client.get(f"/?p={uuid.uuid4().hex}").status_code == 200
        assert client.get(f"/briefs/?page=00{i}").status_code in (200, 404)
        assert client.get(f"/briefs/?page={i + 2}").status_code == 404  # past the end
        assert client.get(f"/feed/?x={i}").status_code == 200
    assert cache_entries() == before


def test_healthz_body_is_json_without_secrets(client):
    body = json.loads(client.get("/healthz").content)
    assert set(body) == {"status", "checks"}


def test_the_file_cache_writes_many_values_with_one_look_at_the_folder(tmp_path, monkeypatch):
    from serving.cache import FileBasedCache

    cache = FileBasedCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    listings = []
    listed = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or listed())
    cache.set_many({f"card-{n}": f"<p>{n}</p>" for n in range(8)}, 60)
    assert cache.get_many([f"card-{n}" for n in range(8)]) == {f"card-{n}": f"<p>{n}</p>" for n in range(8)}
    assert len(listings) == 1  # Django's set_many looks at the folder once per value
    cache.set_many({f"more-{n}": n for n in range(8)}, 60)  # 16 files: the next write culls
    cache.set("one", 1, 60)
    assert len(list(tmp_path.iterdir())) <= 10
    cache.set_many({"gone": 1}, -1)  # an expired value reads as missing, as with set()
    assert cache.get("gone") is None
