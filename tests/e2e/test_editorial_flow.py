"""The editorial path in a real browser: write, submit, changes requested, resubmit, publish, read.

Playwright's sync API drives Debian's Chromium against pytest-django's live server. Every admin page
visited is checked for Content-Security-Policy violations, console errors and uncaught exceptions.
Set DOSSIER_SCREENSHOTS=docs/screenshots to refresh the screenshots in docs/editors.md.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from briefs.models import Brief
from tests.conftest import chromium_path, require_tool
from tests.factories import BriefTypeFactory, ContributorFactory, EditorFactory, ExpertFactory, IssueFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-tests-only"
SCREENSHOTS = os.environ.get("DOSSIER_SCREENSHOTS")
# Reports each CSP violation to the test through a binding; init scripts are not subject to the page's CSP.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCsp(`${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Problems(list):
    """CSP violations, console errors and page errors seen in one browser context."""

    def watch(self, context):
        context.expose_binding("reportCsp", lambda source, text: self.append(f"CSP {source['page'].url}: {text}"))
        context.add_init_script(REPORT_CSP)
        context.on("page", self.watch_page)

    def watch_page(self, page):
        page.on("console", lambda msg: self.console(page, msg))
        page.on("pageerror", lambda error: self.append(f"pageerror {page.url}: {error}"))
        page.on("response", self.response)

    def console(self, page, msg):
        # Failed loads are reported with their URL by response() below.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.append(f"console {page.url}: {msg.text}")

    def response(self, response):
        # The browser asks for /favicon.ico on its own; the site has none yet, which is no page error.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.append(f"HTTP {response.status} {response.url}")


def shot(page, name, selector=None, full_page=False):
    """The visible window (or whole page, or one element of it), saved for docs/editors.md."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        path = str(Path(SCREENSHOTS) / f"{name}.png")
        if selector:
            page.locator(selector).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=full_page)


def log_in(browser, live_server, problems, username):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    problems.watch(context)
    page = context.new_page()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def pick(page, select_id, search, option):
    """Choose an option in one of the admin's select2 autocompletes, typing as a user would."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.keyboard.type(search)
    page.locator("li.select2-results__option", has_text=option).click()


def type_rich_text(page, field, text):
    editable = page.locator(f".field-{field} .ck-editor__editable")
    editable.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def act(page, button, comment=""):
    if comment:
        page.fill("#workflow-comment", comment)
    page.click(f"button.workflow-{button}")
    page.wait_for_load_state()


def messages(page):
    return page.locator("ul.messagelist").inner_text()


def test_contributor_writes_editor_reviews_and_publishes(live_server):
    require_tool(chromium_path(), "Debian's chromium is needed for the browser test")
    from playwright.sync_api import sync_playwright

    ContributorFactory(username="carla", first_name="Carla", email="carla@example.org")
    EditorFactory(username="edith", first_name="Edith", email="edith@example.org")
    ExpertFactory(name="Bradley Bowman", title="Senior Director, Center on Military and Political Power")
    IssueFactory(name="Iran")
    BriefTypeFactory(name="Flash Brief")
    problems = Problems()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            # The contributor writes the brief.
            carla = log_in(browser, live_server, problems, "carla")
            carla.goto("/admin/briefs/brief/add/")
            carla.fill("#id_title", "Iran-Backed Militias Resume Attacks")
            carla.select_option("#id_type", label="Flash Brief")
            carla.fill("#id_summary", "Two attacks in 24 hours end a pause of more than two months.")
            pick(carla, "id_issues", "Ira", "Iran")
            type_rich_text(carla, "developments", "U.S. forces shot down two drones near the Syrian border.")
            carla.locator("#quotes-group .add-row a").click()
            pick(carla, "id_quotes-0-expert", "Bowman", "Bradley Bowman")
            carla.fill("#id_quotes-0-text", "Deterrence works only when it is credible.")
            shot(carla, "01-contributor-writes", full_page=True)
            carla.click("input[name=_continue]")
            carla.wait_for_url(re.compile(r"/admin/briefs/brief/\d+/change/"))
            brief = Brief.objects.get()
            assert brief.slug == "iran-backed-militias-resume-attacks"
            assert "two drones" in brief.developments
            assert [i.name for i in brief.issues.all()] == ["Iran"]
            assert brief.quotes.get().expert.name == "Bradley Bowman"
            shot(carla, "02-contributor-saved")
            act(carla, "submit", "First draft, ready for a look.")
            assert "Submitted for review" in messages(carla)
            assert carla.locator("button.workflow-submit").count() == 0  # in review: nothing more for her

            # The editor sends it back with a comment.
            edith = log_in(browser, live_server, problems, "edith")
            edith.goto(f"/admin/briefs/brief/{brief.pk}/change/")
            assert edith.locator("button.workflow-publish").is_visible()
            edith.fill("#workflow-comment", "Please say where the drones were launched from.")
            shot(edith, "03-editor-reviews")
            act(edith, "request_changes")
            assert "Sent back to draft" in messages(edith)

            # The contributor fixes it and resubmits.
            carla.goto(f"/admin/briefs/brief/{brief.pk}/change/")
            assert "Please say where the drones were launched from." in carla.locator(".workflow-history").inner_text()
            type_rich_text(carla, "developments", " They were launched from Iraq.")
            carla.click("input[name=_continue]")
            carla.wait_for_url(re.compile(r"/admin/briefs/brief/\d+/change/"))
            act(carla, "submit", "Added the launch site.")
            assert "Submitted for review" in messages(carla)

            # The editor publishes.
            edith.goto(f"/admin/briefs/brief/{brief.pk}/change/")
            act(edith, "publish")
            assert "Published." in messages(edith)
            shot(edith, "04-editor-published", ".workflow-panel")
            shot(edith, "05-history", ".workflow-history")
            edith.goto("/admin/briefs/brief/schedule/")
            assert "Iran-Backed Militias Resume Attacks" in edith.locator("#schedule-recent").inner_text()
            shot(edith, "06-schedule")

            # A reader finds it on the public site.
            reader = browser.new_context(base_url=live_server.url).new_page()
            reader.goto("/briefs/")
            reader.get_by_role("link", name="Iran-Backed Militias Resume Attacks").first.click()
            article = reader.locator("article").inner_text()
            assert "They were launched from Iraq." in article
            assert "Bradley Bowman, Senior Director, Center on Military and Political Power" in article
            shot(reader, "07-public-brief")
        finally:
            browser.close()
            # Inside sync_playwright() an event loop runs, so the ORM calls above got their own
            # connection (asgiref's Local is per context): close it here, or it outlives the test
            # database on PostgreSQL.
            connections.close_all()

    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED and Brief.objects.live().filter(pk=brief.pk).exists()
    assert list(brief.transitions.values_list("user__username", "to_state")) == [
        ("carla", "in_review"),
        ("edith", "draft"),
        ("carla", "in_review"),
        ("edith", "published"),
    ]
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("For review: Iran-Backed Militias Resume Attacks", ["edith@example.org"]),
        ("Changes requested: Iran-Backed Militias Resume Attacks", ["carla@example.org"]),
        ("For review: Iran-Backed Militias Resume Attacks", ["edith@example.org"]),
        ("Published: Iran-Backed Militias Resume Attacks", ["carla@example.org"]),
    ]
    assert problems == []
