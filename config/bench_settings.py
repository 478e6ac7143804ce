"""The benchmark's settings: production's (config.settings), plus the floor view.

``make bench`` (bench/run.py) starts its gunicorn with ``DJANGO_SETTINGS_MODULE=config.bench_settings``,
so every page is measured as production serves it, next to ``/_bench/floor/`` (serving/floor.py).
Production's URLconf has no floor: the URL exists only under these settings.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
# The brief page's bytes the bench rendered, served by the floor view (read once, at start-up).
BENCH_FLOOR_FILE = os.environ.get("BENCH_FLOOR_FILE", "")
