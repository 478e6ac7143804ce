"""axe-core (axe-playwright-python, run in Debian's Chromium) over every public page type, at
1280 px and 360 px: no WCAG 2.2 A/AA violations. Also the brief's copy buttons, which need a browser."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.brief_files import make_files
from tests.factories import BriefFactory, BriefTypeFactory, IssueFactory
from tests.site_data import build_site, public_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def jpeg(size=(1600, 900)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(out, "JPEG")
    return SimpleUploadedFile("picture.jpg", out.getvalue(), content_type="image/jpeg")


def every_page_type():
    site = build_site(3)
    with_picture = BriefFactory(
        title="Tankers in the Strait",
        slug="tankers",
        type=BriefTypeFactory(name="Analysis"),
        issues=[site.issue],
        lead_image=jpeg(),
        lead_image_alt="A tanker and two patrol boats",
        lead_image_caption="The Strait of Hormuz.",
        lead_image_credit="Reuters",
    )
    IssueFactory(name="Gaza", slug="gaza", featured=True, image=jpeg((1000, 500)), image_alt="Rubble in Gaza City")
    return [*public_urls(site), with_picture.get_absolute_url(), "/issues/gaza/", "/about/", "/contact/", "/privacy/",
            "/no-such-page/"]  # fmt: skip


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_every_public_page_type_has_no_axe_violations_at_wcag_22_aa(watched_page, live_server):
    urls = every_page_type()
    page = watched_page()
    found = {}
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("load")
            problems = violations(page)
            if problems:
                found[f"{url} at {width}px"] = problems
    assert found == {}
    # The checker does see a violation when there is one (an image without alt text, no language).
    page.set_content("<html><body><img src='/static/img/logo.png'></body></html>")
    assert {problem.split(" ")[0] for problem in violations(page)} >= {"image-alt", "html-has-lang"}


def test_copy_buttons_copy_the_citation_and_the_link(browser, live_server):
    build_site(1)
    brief = BriefFactory(title="Sanctions and shipping", slug="sanctions")
    make_files(brief, parts=["citations"])  # the worker, as the brief went live (#21)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(brief.get_absolute_url())
    button = page.get_by_role("button", name="Copy APA citation")
    button.click()
    page.wait_for_function("() => document.querySelector('.citation .copy-status').textContent === 'Copied.'")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.locator("#citation-apa").inner_text().strip()
    assert "Sanctions and shipping" in copied and "http://localhost:8000/briefs/" in copied
    page.get_by_role("button", name="Copy link").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == "http://localhost:8000" + brief.get_absolute_url()
    context.close()


def test_every_page_type_of_the_demo_site_has_no_axe_violations(watched_page, live_server, settings):
    """The demo content (`make run`): real rich text, pictures, long citations, every kind of page."""
    from django.core.management import call_command

    from briefs.models import Brief
    from experts.models import Expert
    from issues.models import Issue

    settings.DEBUG = True  # load_demo refuses to run on a production site
    call_command("load_demo", stdout=io.StringIO())
    call_command("make_brief_files", "--only", "citations", stdout=io.StringIO())  # the worker's part (#21)
    settings.DEBUG = False
    live = Brief.objects.live()
    urls = [
        "/",
        "/briefs/",
        "/issues/",
        "/experts/",
        "/about/",
        live.exclude(lead_image="").first().get_absolute_url(),
        live.filter(lead_image="").first().get_absolute_url(),
        Issue.objects.filter(featured=True).first().get_absolute_url(),
        Issue.objects.filter(parent__isnull=False).first().get_absolute_url(),
        Expert.objects.active().first().get_absolute_url(),
        "/types/flash-brief/",
    ]
    page = watched_page()
    found = {}
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            page.goto(url)
            problems = violations(page)
            if problems:
                found[f"{url} at {width}px"] = problems
    assert found == {}
