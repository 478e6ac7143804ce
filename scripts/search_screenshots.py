#!/usr/bin/env python
"""Screenshots of search (#12) at 1280 and 360 px: results with facets, a "did you mean", the
filterable archive and the editors' "Searches" page.

    .venv/bin/python scripts/search_screenshots.py [--out docs/screenshots]

Same machinery as scripts/screenshots.py (throw-away SQLite database with the demo content,
runserver on a free port stopped by PID, Debian's chromium through Playwright).
"""

import argparse
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, ROOT, fill_database, free_port, setup_django, wait_for  # noqa: E402

PAGES = {
    "search-results": "/search/?q=sanctions+evasion",
    "search-facet": "/search/?q=sanctions&issue=maritime-security",
    "search-did-you-mean": "/search/?q=sanctoins+evasoin",
    "archive-filtered": "/briefs/?type=analysis",
}


def log_some_searches():
    from django.utils import timezone

    from search.models import SearchLog

    today = timezone.localdate()
    for days, query, count, empty in [
        (0, "sanctions", 41, 0),
        (1, "sanctions", 17, 0),
        (0, "houthi shipping", 12, 0),
        (2, "arctic", 9, 0),
        (0, "drone swarms", 6, 6),
        (3, "wagner", 4, 4),
    ]:
        SearchLog.objects.create(
            day=today - datetime.timedelta(days=days), query=query, count=count, zero_results=empty
        )


def shoot(base, out):
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width in (1280, 360):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES.items():
                page.goto(base + path, wait_until="networkidle")
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                print(out / f"{name}-{width}.png")
            page.goto(base + "/admin/login/?next=/admin/search/searchlog/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", "admin")
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/search/searchlog/")
            page.screenshot(path=str(out / f"admin-searches-{width}.png"), full_page=True)
            print(out / f"admin-searches-{width}.png")
            page.close()
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-search-shots-") as tmp:
        setup_django(Path(tmp) / "db.sqlite3")
        fill_database()
        log_some_searches()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env={**os.environ, "MEDIA_ROOT": str(Path(tmp) / "media")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/robots.txt")
            shoot(base, args.out)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
