"""The benchmark's floor view (serving/floor.py): absent from production's URLconf whatever the
environment says, the file's bytes through the whole stack under the bench's settings
(config.bench_settings, which bench/run.py starts gunicorn with)."""

import importlib
import os
import subprocess
import sys
import textwrap

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import config.bench_settings
import config.settings
import config.urls
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

FLOOR = "/_bench/floor/"
PAGE = ("<!DOCTYPE html><title>A brief</title>" + "<p>Café: the brief page’s bytes.</p>" * 20).encode()


@pytest.fixture
def floor_file(tmp_path):
    floor = tmp_path / "brief.html"
    floor.write_bytes(PAGE)
    return floor


@pytest.fixture
def fresh_urlconfs():
    """URLconfs imported afresh under the current settings (the floor reads its file at import)."""

    def forget():
        sys.modules.pop("config.bench_urls", None)
        importlib.reload(config.urls)
        clear_url_caches()

    forget()
    yield
    forget()


def test_production_has_no_floor_even_with_the_file_set(client, floor_file, fresh_urlconfs):
    with override_settings(BENCH_FLOOR_FILE=str(floor_file)):
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(FLOOR)
        assert client.get(FLOOR).status_code == 404


def test_the_bench_settings_are_productions_but_for_the_urlconf_and_the_floor_file():
    def uppercase(module):
        return {name: getattr(module, name) for name in dir(module) if name.isupper() and not name.startswith("_")}

    bench, production = uppercase(config.bench_settings), uppercase(config.settings)
    assert bench.pop("ROOT_URLCONF") == "config.bench_urls" != production.pop("ROOT_URLCONF")
    assert "BENCH_FLOOR_FILE" in bench.keys() - production.keys()
    bench.pop("BENCH_FLOOR_FILE")
    assert bench == production


def test_the_floor_serves_the_files_bytes_through_the_middleware(client, floor_file, fresh_urlconfs):
    bench = config.bench_settings
    with override_settings(ROOT_URLCONF=bench.ROOT_URLCONF, BENCH_FLOOR_FILE=str(floor_file)):
        assert resolve(FLOOR).url_name == "bench_floor"
        floor_file.write_bytes(b"changed after start-up")  # read once, at start-up
        response = client.get(FLOOR)
        gzipped = client.get(FLOOR, headers={"Accept-Encoding": "gzip"})
        assert client.get("/robots.txt").status_code == 200  # production's URLs are all there
    assert response.status_code == 200
    assert response.content == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in response  # the same middleware as every page
    assert gzipped.status_code == 200 and gzipped["Content-Encoding"] == "gzip"


def test_gunicorns_settings_module_routes_to_the_floor(tmp_path, floor_file):
    """As bench/run.py starts gunicorn: DJANGO_SETTINGS_MODULE=config.bench_settings, DEBUG off."""
    program = textwrap.dedent(
        """
        import django
        from django.test import RequestFactory
        from django.urls import resolve
        django.setup()
        match = resolve("/_bench/floor/")
        print(match.url_name, match.func(RequestFactory().get("/_bench/floor/")).content.decode())
        """
    )
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "DEBUG", "BENCH_"))}
    env = {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.bench_settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BENCH_FLOOR_FILE": str(floor_file),
    }
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "bench_floor " + PAGE.decode()
