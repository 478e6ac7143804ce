"""Pages from Varnish against a static file from Varnish, in one run (issue #14 target: >= 50%).

Run: ``.venv/bin/python bench/varnish.py`` (needs Debian's varnish + varnish-modules and wrk: ``make
tools``, ``apt-get install wrk``). ``BENCH_SECONDS`` (default 5) per pass, two passes.

It builds the tests' sample site in a throw-away SQLite database, serves it with gunicorn (2 workers,
production settings) behind varnishd with deploy/varnish/default.vcl, writes the brief page's own
bytes (and their gzip) as a static file, then loads each URL through Varnish with
``wrk -t2 -c16``, with and without ``Accept-Encoding: gzip``. Every page is a Varnish hit after the
warm-up; the static file is the floor: Varnish serving the same bytes with no application behind it.
Client and servers share the machine: compare the ratios, not the absolute numbers.
``make bench`` calls ``measure()`` with its own gunicorn and database (bench/run.py).
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server.conftest import seeded_env  # noqa: E402
from tests.server.harness import Gunicorn, copy_static  # noqa: E402
from tests.server.varnish import Varnish, available, is_hit  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
PASSES = 2
TARGET = 0.5
FLOOR = "/static/bench/brief-page.html"


def wrk(url, gzipped, seconds=SECONDS):
    headers = ["-H", "Accept-Encoding: gzip"] if gzipped else []
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not errors, f"{url}: {errors.group(0)}"
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(tmp, app_port, pages, rps, *, seconds=SECONDS, passes=PASSES, warmup=1):
    """Varnish (deploy/varnish/default.vcl) in front of the gunicorn on ``app_port``: each of ``pages``
    ({name: path}) and the static file at FLOOR (which must exist under STATIC_ROOT) loaded through
    it, without and with gzip. ``rps(url, gzipped, seconds)`` runs the load and returns req/s. Returns
    one row per page and encoding: name, encoding, passes (req/s), rps (their mean), ratio (to the
    static file's mean in the same encoding)."""
    varnish = Varnish(tmp, backend_port=app_port).start()
    try:
        urls = {"static file": FLOOR, **pages}
        for path in urls.values():
            for _ in range(3):
                varnish.get(path)
            assert is_hit(varnish.get(path)), f"{path} is not a Varnish hit"
        rows = []
        for gzipped in (False, True):
            results = {}
            for name, path in urls.items():
                url = varnish.url.rstrip("/") + path
                rps(url, gzipped, warmup)
                results[name] = [rps(url, gzipped, seconds) for _ in range(passes)]
            base = sum(results["static file"]) / passes
            for name, figures in results.items():
                mean = sum(figures) / passes
                encoding = "gzip" if gzipped else "identity"
                rows.append({"name": name, "encoding": encoding, "passes": figures, "rps": mean, "ratio": mean / base})
        return rows
    finally:
        varnish.stop()


def main():
    if not (available() and shutil.which("wrk")):
        sys.exit("needs varnishd with varnish-modules (make tools) and wrk (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="dossier-bench-varnish-"))
    app = None
    try:
        static_root = copy_static(tmp / "static")
        env = seeded_env(tmp, f"sqlite:///{tmp / 'db.sqlite3'}", static_root)
        app = Gunicorn(env=env, tmp=tmp)
        brief = re.search(r'href="(/briefs/\d{4}/\d\d/\d\d/brief-0/)"', _home(app, tmp)).group(1)
        page = app.get(brief)
        floor = static_root / "bench" / "brief-page.html"
        floor.parent.mkdir(exist_ok=True)
        floor.write_bytes(page.body.encode())
        floor.with_name(floor.name + ".gz").write_bytes(gzip.compress(floor.read_bytes(), 6, mtime=0))
        app.stop()
        app.start()  # whitenoise lists static files at start-up
        pages = {"home": "/", "brief": brief, "issue": "/issues/iran/", "expert": "/experts/bradley-bowman/"}
        rows = measure(tmp, app.port, pages, lambda url, gzipped, seconds: wrk(url, gzipped, seconds))
        print(f"Varnish {_version()}, wrk -t2 -c16, {PASSES} passes of {SECONDS} s, brief page {len(page.body)} B")
        print("| page | encoding | req/s (passes) | / static file |")
        print("|---|---|---|---|")
        for row in rows:
            passes = ", ".join(f"{figure:,.0f}" for figure in row["passes"])
            print(f"| {row['name']} | {row['encoding']} | {passes} | {row['ratio']:.0%} |")
        failed = [(row["name"], row["encoding"]) for row in rows if row["ratio"] < TARGET]
        if failed:
            sys.exit(f"below {TARGET:.0%} of the static file: {failed}")
    finally:
        if app:
            app.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _home(app, tmp):
    app.start()
    return app.get("/").body


def _version():
    out = subprocess.run(["varnishd", "-V"], capture_output=True, text=True)
    return (out.stdout + out.stderr).split("(")[1].split()[0]


if __name__ == "__main__":
    main()
