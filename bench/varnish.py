"""Pages from Varnish against a static file from Varnish, in one run (issue #14 target: >= 50%).

Run: ``.venv/bin/python bench/varnish.py`` (needs Debian's varnish + varnish-modules and wrk: ``make
tools``, ``apt-get install wrk``). ``BENCH_SECONDS`` (default 5) per pass, two passes.

It builds the tests' sample site in a throw-away SQLite database, serves it with gunicorn (2 workers,
production settings) behind varnishd with deploy/varnish/default.vcl, writes the brief page's own
bytes (and their gzip) as a static file, then loads each URL through Varnish with
``wrk -t2 -c16``, with and without ``Accept-Encoding: gzip``. Every page is a Varnish hit after the
warm-up; the static file is the floor: Varnish serving the same bytes with no application behind it.
Client and servers share the machine: compare the ratios, not the absolute numbers.
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
from tests.server.harness import Gunicorn, copy_static, free_port  # noqa: E402
from tests.server.varnish import Varnish, available, is_hit  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
PASSES = 2
TARGET = 0.5
FLOOR = "/static/bench/brief-page.html"


def wrk(url, gzipped):
    headers = ["-H", "Accept-Encoding: gzip"] if gzipped else []
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{SECONDS}s", "--timeout", "10s", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not errors, f"{url}: {errors.group(0)}"
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    if not (available() and shutil.which("wrk")):
        sys.exit("needs varnishd with varnish-modules (make tools) and wrk (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="dossier-bench-varnish-"))
    app = varnish = None
    try:
        static_root = copy_static(tmp / "static")
        env = seeded_env(tmp, f"sqlite:///{tmp / 'db.sqlite3'}", static_root)
        port = free_port()
        env["CACHE_PURGE_URLS"] = f"http://127.0.0.1:{port}/"
        app = Gunicorn(env=env, tmp=tmp)
        brief = re.search(r'href="(/briefs/\d{4}/\d\d/\d\d/brief-0/)"', _home(app, tmp)).group(1)
        page = app.get(brief)
        floor = static_root / "bench" / "brief-page.html"
        floor.parent.mkdir(exist_ok=True)
        floor.write_bytes(page.body.encode())
        floor.with_name(floor.name + ".gz").write_bytes(gzip.compress(floor.read_bytes(), 6, mtime=0))
        app.stop()
        app.start()  # whitenoise lists static files at start-up
        varnish = Varnish(tmp, backend_port=app.port, port=port).start()
        urls = {
            "static file (floor)": FLOOR,
            "home": "/",
            "brief": brief,
            "issue": "/issues/iran/",
            "expert": "/experts/bradley-bowman/",
        }
        for path in urls.values():
            for _ in range(3):
                varnish.get(path)
            assert is_hit(varnish.get(path)), f"{path} is not a Varnish hit"
        print(f"Varnish {_version()}, wrk -t2 -c16, {PASSES} passes of {SECONDS} s, brief page {len(page.body)} B")
        print("| page | encoding | req/s (passes) | / floor |")
        print("|---|---|---|---|")
        failed = []
        for gzipped in (False, True):
            results = {}
            for name, path in urls.items():
                wrk(varnish.url.rstrip("/") + path, gzipped)  # warm-up
                results[name] = [wrk(varnish.url.rstrip("/") + path, gzipped) for _ in range(PASSES)]
            base = sum(results["static file (floor)"]) / PASSES
            for name, figures in results.items():
                ratio = sum(figures) / PASSES / base
                if ratio < TARGET:
                    failed.append((name, gzipped))
                passes = ", ".join(f"{figure:,.0f}" for figure in figures)
                print(f"| {name} | {'gzip' if gzipped else 'identity'} | {passes} | {ratio:.0%} |")
        if failed:
            sys.exit(f"below {TARGET:.0%} of the floor: {failed}")
    finally:
        if varnish:
            varnish.stop()
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
