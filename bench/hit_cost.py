"""What one page-cache hit costs in this process, per cache backend (docs/design.md).

Run: .venv/bin/python bench/hit_cost.py   (uses Redis at 127.0.0.1:6379 db 9 for the Redis line)
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("SECRET_KEY", "x" * 50)
os.environ["DEBUG"] = "1"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["CACHE_DIR"] = tempfile.mkdtemp()
import django

django.setup()
from unittest import mock

from django.http import HttpResponse
from django.test import RequestFactory

import briefs.pagecache as pc

body = b"x" * 9500
view = pc.cache_public_page(lambda r: HttpResponse(body))
rf = RequestFactory()
confs = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "files": {"BACKEND": "serving.cache.FileBasedCache", "LOCATION": tempfile.mkdtemp()},
    "redis": {"BACKEND": "serving.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9", "KEY_PREFIX": "hitmicro"},
}
from django.test.utils import override_settings

with mock.patch.object(pc, "keep_until", lambda now: now.timestamp() + 300):
    for name, conf in confs.items():
        with override_settings(CACHES={"default": conf}):
            req = rf.get("/")
            view(req)
            n = 3000
            t = time.perf_counter()
            for _ in range(n):
                view(req)
            print(name, f"{(time.perf_counter() - t) / n * 1e6:.0f} µs per hit")
