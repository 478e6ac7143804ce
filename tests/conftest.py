import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_ALL = os.environ.get("DOSSIER_REQUIRE_ALL") == "1"


def require_tool(available, reason):
    """Skip a test whose tool this machine lacks; under DOSSIER_REQUIRE_ALL=1 (CI), fail instead."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (DOSSIER_REQUIRE_ALL=1: CI must run every test; see .ci/run)")
    pytest.skip(f"{reason}; `make tools` installs it, CI always runs this test")


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def vnu_jar():
    jar = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    return jar if jar.exists() and shutil.which("java") else None


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a throw-away folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def clear_cache():
    """Empty this test process's cache. On Redis only its own keys go: ``clear()`` would flush the
    whole database, under the feet of parallel workers and of anything else using it."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself: django.core.cache.cache is a proxy
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def site(db):
    """A small, complete public site (tests/site_data.py)."""
    from tests.site_data import build_site

    return build_site(3)


@pytest.fixture
def feed_site_url(settings):
    from tests.feedkit import SITE_URL

    settings.SITE_URL = SITE_URL


@pytest.fixture
def world(db, feed_site_url):
    """Briefs in every state for the feed tests (tests/feedkit.py)."""
    from tests.feedkit import make_world

    return make_world()
