#!/usr/bin/env python
"""Screenshots of the public site for the README: docs/screenshots/home.png, brief.png and issue.png
at 1280 px, and home-360.png, brief-360.png and issue-360.png as a phone shows them.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--widths 1280 360]

What it does, so it can run on any machine with Debian's chromium:
1. builds a throw-away SQLite database in a temporary folder (your db.sqlite3 is never touched),
   migrates it and fills it with `manage.py load_demo` when that command exists, otherwise with a
   small built-in sample (the 24 April 2024 Flash Brief and its neighbours);
2. serves it with `manage.py runserver --noreload` on 127.0.0.1 and a free port, stopped by PID;
3. drives /usr/bin/chromium (or $CHROMIUM) through Playwright's Python API, headless, and saves a
   full-page PNG of the home page, of the brief with a lead picture and the most expert quotes and of
   the issue with the most briefs (pictures and renditions go to the temporary folder too).
Never run `playwright install`: it downloads another browser; Debian's chromium is enough.
"""

import argparse
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(database):
    os.environ["DEBUG"] = "1"
    # The demo institute's name, and media in the throw-away folder (lead pictures, renditions).
    os.environ.setdefault("SITE_NAME", "Northgate Institute")
    os.environ.setdefault("MEDIA_ROOT", str(Path(database).parent / "media"))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill_database():
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0, interactive=False)
    if "load_demo" in get_commands():
        call_command("load_demo")
    else:
        sample_content()


def sample_content():
    """A brief as readers of the old site know it, plus enough neighbours to fill the pages."""
    from django.utils import timezone
    from django.utils.text import slugify

    from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
    from experts.models import Expert
    from issues.models import Issue

    flash = BriefType.objects.create(name="Flash Brief", slug="flash-brief")
    analysis = BriefType.objects.create(name="Analysis", slug="analysis")
    iran = Issue.objects.create(
        name="Iran",
        slug="iran",
        featured=True,
        description="<p>The Islamic Republic’s nuclear program, its proxies and the policies that counter them.</p>",
    )
    network = Issue.objects.create(name="Iran Global Threat Network", slug="iran-global-threat-network", parent=iran)
    military = Issue.objects.create(name="Military and Political Power", slug="military-and-political-power")
    syria = Issue.objects.create(name="Syria", slug="syria", featured=True)
    program = "Center on Military and Political Power"
    bowman = Expert.objects.create(
        name="Bradley Bowman",
        slug="bradley-bowman",
        title="Senior Director of FDD’s Center on Military and Political Power",
        program=program,
        bio="<p>Bradley Bowman studies U.S. defense strategy and deterrence in the Middle East.</p>",
    )
    daum = Expert.objects.create(
        name="Mike Daum", slug="mike-daum", title="FDD Research Analyst", program=program, bio="<p>Analyst.</p>"
    )
    bowman.issues.set([iran, military])
    daum.issues.set([network, syria])
    published = timezone.make_aware(datetime.datetime(2024, 4, 24, 10, 30))
    brief = Brief.objects.create(
        title="Iran-Backed Iraqi Militias Resume Attacks on U.S. Forces",
        slug="iran-backed-iraqi-militias-resume-attacks-on-us-forces",
        type=flash,
        summary="Two attacks in 24 hours on U.S. forces in Iraq and Syria end a pause that began in February.",
        developments=(
            "<p>U.S. forces at Al-Asad Air Base in Iraq shot down approximately two drones on April 22, according "
            "to U.S. officials. This was the second attack in 24 hours against U.S. troops, coming after "
            "Iran-aligned militants targeted U.S. forces in Rumalyn, Syria, with multiple rockets.</p>"
            "<p>The Pentagon confirmed “two unsuccessful attacks on U.S. forces in Iraq and Syria,” which were the "
            "first against U.S. troops there since February 4.</p>"
        ),
        body=(
            "<h2>Deterring Attacks on U.S. Forces</h2><p>Between October 17, 2023, and February 4, 2024, Iranian "
            "proxies attacked U.S. forces 165 times in Iraq, Syria, and Jordan. After the fatal Tower 22 attack, "
            "the United States struck 85 targets in Iraq and Syria; no attacks followed for at least 75 days.</p>"
            "<h2>Iran’s Proxies Threatened to Resume Attacks</h2><p>Iranian proxies in Iraq threatened to resume "
            "attacks if the Iraqi government did not secure an agreement for U.S. troops to withdraw.</p>"
        ),
        status=Brief.Status.PUBLISHED,
        published_at=published,
    )
    brief.issues.set([iran, network, military, syria])
    brief.authors.set([bowman, daum])
    ExpertQuote.objects.create(
        brief=brief,
        expert=bowman,
        expert_title=bowman.title,
        order=1,
        text="Iran-backed terrorists repeatedly attacked U.S. forces in Iraq and Syria beginning on October 17. "
        "For weeks, the Biden administration failed to respond with strength, essentially inviting those attacks "
        "to continue. We need to build a pattern of responses that encourages those contemplating attacks on our "
        "forces to think twice.",
    )
    ExpertQuote.objects.create(
        brief=brief,
        expert=daum,
        expert_title=daum.title,
        order=2,
        text="Tehran and its proxies seek to expel the United States through force and terror. Washington must "
        "seek a policy of peace through strength and not back down against those who attack our service members.",
    )
    neighbours = []
    for days, title, kind, issues in [
        (10, "What We Can Learn From Iran’s Attack on Israel", analysis, [iran, military]),
        (40, "Pentagon: Deadly Attack on U.S. Soldiers Facilitated by Iran", flash, [iran, network]),
        (70, "American Forces Under Attack By Iran and its Proxies", analysis, [network, syria]),
        (95, "Houthis Expand Their Campaign in the Red Sea", flash, [network]),
    ]:
        other = Brief.objects.create(
            title=title,
            slug=slugify(title),
            type=kind,
            summary="How Iran’s network of proxies tests U.S. deterrence, and what Washington should do next.",
            developments="<p>Latest developments.</p>",
            status=Brief.Status.PUBLISHED,
            published_at=published - datetime.timedelta(days=days),
        )
        other.issues.set(issues)
        other.authors.set([bowman])
        neighbours.append(other)
    RelatedLink.objects.create(brief=brief, target_brief=neighbours[1], order=1)
    RelatedLink.objects.create(
        brief=brief,
        order=2,
        title="The consequences of US weakness in Iraq and Syria",
        url="https://example.org/consequences",
        byline="by Bradley Bowman and Cameron McMillan",
    )


def pick_pages():
    from django.db.models import Case, Count, Q, When

    from briefs.models import Brief
    from issues.models import Issue

    no_picture = Case(When(lead_image="", then=1), default=0)
    brief = (
        Brief.objects.live()
        .annotate(n=Count("quotes"), no_picture=no_picture)
        .order_by("no_picture", "-n", "-published_at")
        .first()
    )
    live_links = Q(brief_links__content_object__in=Brief.objects.live())
    issue = (
        Issue.objects.filter(parent__isnull=True)
        .annotate(n=Count("brief_links", filter=live_links))
        .order_by("-n", "name")
        .first()
    )
    if brief is None or issue is None:
        sys.exit("The demo data has no live brief or no issue to photograph.")
    return {"home": "/", "brief": brief.get_absolute_url(), "issue": issue.get_absolute_url()}


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The server did not answer at {url} within {seconds} s.")


def shoot(base, pages, out, width):
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
        for name, path in pages.items():
            response = page.goto(base + path, wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"{path} answered {response.status if response else 'nothing'}, not 200.")
            # Lazy pictures below the fold load as a reader scrolls to them: scroll, as a reader would.
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => window.scrollTo(0, 0)")
            filename = f"{name}.png" if width == 1280 else f"{name}-{width}.png"
            page.screenshot(path=str(out / filename), full_page=True)
            print(f"{out / filename}  <-  {path} at {width} px")
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 360])
    parser.add_argument(
        "--also",
        nargs="*",
        default=[],
        metavar="PATH",
        help="more pages to save, e.g. / /experts/ (named after the path)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-shots-") as tmp:
        database = Path(tmp) / "db.sqlite3"
        setup_django(database)
        fill_database()
        pages = pick_pages()
        for path in args.also:
            pages[path.strip("/").replace("/", "-") or "home"] = path
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/robots.txt")
            for width in args.widths:
                shoot(base, pages, args.out, width)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
