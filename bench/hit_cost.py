"""What one page-cache hit costs in this process, per cache backend (docs/design.md).

Run: ``.venv/bin/python bench/hit_cost.py`` (the Redis line uses 127.0.0.1:6379, db 9).
"""

import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", CACHE_DIR=tempfile.mkdtemp())


def main(hits=3000):
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import override_settings

    from serving import pages

    view = pages.cache_page(lambda request: HttpResponse(b"x" * 9500))  # a brief page's size
    backends = {
        "local memory (one process: unsafe)": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared files (the default)": {"BACKEND": "serving.cache.FileBasedCache", "LOCATION": tempfile.mkdtemp()},
        "redis": {"BACKEND": "serving.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9", "KEY_PREFIX": "hit"},
    }
    with mock.patch.object(pages, "keep_until", lambda now: now.timestamp() + 300):
        for name, backend in backends.items():
            with override_settings(CACHES={"default": backend}):
                request = RequestFactory().get("/")
                view(request)
                started = time.perf_counter()
                for _ in range(hits):
                    view(request)
                print(f"{name}: {(time.perf_counter() - started) / hits * 1e6:.0f} µs per hit")


if __name__ == "__main__":
    main()
