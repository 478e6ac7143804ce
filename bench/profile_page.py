"""Where an uncached page's time goes: ``make profile PAGE=brief`` (pyinstrument, page cache off).

Runs on a database ``make bench`` kept (``BENCH_REUSE=1``; SQLite in var/bench/sqlite-<n>/, or
``DATABASE_URL=postgres://.../<name>_<n>``), renders the page BENCH_PROFILE_RENDERS times (after one
render that fills the remembered data, as a warm server has) and prints pyinstrument's call tree.
PAGE is one of bench/run.py's pages (home, briefs, brief, issue, expert, type, issues, experts,
feed, "issue feed", sitemap, "sitemap page") or a path.

``make profile-cold`` (``profile_page.py --cold``): where a **cold** brief page's time goes (#21): on an
empty cache (a new CACHE_DIR) with the page cache on, as served, one brief page is rendered untimed
(templates compiled, site-wide remembered values filled, as after a crawl's first request), the first
renders of BENCH_PROFILE_COLD other briefs are timed, and the first render of one more is profiled.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")  # as served: no query log, no debug templates
os.environ.setdefault("SECRET_KEY", "profile-only")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_ROOT", str(HERE.parent / "var/bench/static"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{HERE.parent / 'var/bench/sqlite-10000/bench.sqlite3'}")


def main(page):
    import django

    django.setup()
    import run
    from django.core.management import call_command
    from django.test import Client, override_settings
    from pyinstrument import Profiler

    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)  # the manifest pages link through

    url = page if page.startswith("/") else run.page_urls()[2][page]
    client = Client()
    renders = int(os.environ.get("BENCH_PROFILE_RENDERS", "200"))
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
        assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(renders):
            start = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - start)
        print(f"{url}: median {statistics.median(timings) * 1000:.2f} ms a render without the profiler")
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(renders):
                client.get(url)
    print(f"{url}: {profiler.last_session.duration / renders * 1000:.2f} ms a render with it ({renders} renders)")
    print(profiler.output_text(unicode=True, show_all=False, short_mode=False))


def cold():
    """The first render of one brief page on an emptied cache, profiled (see the module docstring)."""
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.test import Client
    from pyinstrument import Profiler

    from briefs.models import Brief

    logging.getLogger("dossier.request").setLevel(logging.WARNING)  # a line per render otherwise

    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    count = int(os.environ.get("BENCH_PROFILE_COLD", "20"))
    urls = [brief.get_absolute_url() for brief in Brief.objects.live().iterator()]
    random.Random(21).shuffle(urls)  # bench/run.py's crawl shuffles its list the same way
    first, timed, profiled = urls[0], urls[1 : count + 1], urls[count + 1]
    client = Client()
    assert client.get(first).status_code == 200, first
    timings = []
    for url in timed:
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss", url
    print(
        f"First renders of {len(timings)} brief pages on an emptied cache: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms (without the profiler)"
    )
    profiler = Profiler(interval=0.0005)  # citeproc's stacks are deep: finer sampling slows it several times
    with profiler:
        response = client.get(profiled)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss", profiled
    print(f"{profiled}: {profiler.last_session.duration * 1000:.1f} ms, its first render, profiled")
    print(profiler.output_text(unicode=True, show_all=False, short_mode=False))


if __name__ == "__main__":
    if sys.argv[1:] == ["--cold"]:
        os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix="dossier-profile-cold-")  # an empty cache
        os.environ.pop("REDIS_URL", None)
        cold()
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "brief")
