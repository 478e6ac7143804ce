"""The benchmark's floor view (serving/floor.py): absent in production, the file's bytes with the setting."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def reload_urls():
    """Rebuild the URLconf under the current settings; restore it afterwards."""

    def reload():
        importlib.reload(config.urls)
        clear_url_caches()

    yield reload
    reload()


def test_the_floor_does_not_exist_without_the_setting(client, reload_urls):
    reload_urls()
    assert client.get("/_bench/floor/").status_code == 404


def test_the_floor_serves_the_files_bytes_through_the_middleware(client, reload_urls, tmp_path):
    page = ("<!DOCTYPE html><title>A brief</title>" + "<p>Café: the brief page’s bytes.</p>" * 20).encode()
    floor = tmp_path / "brief.html"
    floor.write_bytes(page)
    with override_settings(BENCH_FLOOR_FILE=str(floor)):
        reload_urls()
        floor.write_bytes(b"changed after start-up")  # read once, at start-up
        response = client.get("/_bench/floor/")
        gzipped = client.get("/_bench/floor/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.content == page
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in response  # the same middleware as every page
    assert gzipped.status_code == 200 and gzipped["Content-Encoding"] == "gzip"
