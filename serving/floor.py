"""The benchmark's floor (issue #14): the brief page's bytes, from memory, through the whole stack.

``make bench`` compares every page with this view: same project, same middleware, same gunicorn,
but no database, no cache and no template, just the bytes of a rendered brief page read once at
start-up from ``BENCH_FLOOR_FILE``. Only the bench's settings (config.bench_settings) route to it,
through config/bench_urls.py: production's URLconf has no floor.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import path


def urlpatterns():
    """``/_bench/floor/``, answering the bytes of the file ``settings.BENCH_FLOOR_FILE`` names."""
    if not settings.BENCH_FLOOR_FILE:
        raise ImproperlyConfigured("The floor view serves the file BENCH_FLOOR_FILE names: set it.")
    body = Path(settings.BENCH_FLOOR_FILE).read_bytes()

    def floor(request):
        return HttpResponse(body, content_type="text/html; charset=utf-8")

    return [path("_bench/floor/", floor, name="bench_floor")]
