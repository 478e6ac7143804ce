"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Every page a test opens in a watched context is checked for Content-Security-Policy violations,
console errors, uncaught exceptions and failed requests (``problems``).
"""

import os
import re
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.conftest import chromium_path, require_tool

# Playwright's sync API runs an event loop in this thread; the tests' ORM calls are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, running one request's application at a time. On SQLite the test database
    is one in-memory connection shared by the server's threads, and the admin's scripts fetch
    several URLs at once (translations, presence, autosave): used concurrently, that connection
    fails ("bad parameter or other API misuse"). Connections stay threaded (keep-alive works)."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeServer

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Reports each CSP violation to the test through a binding; init scripts are not subject to the page's CSP.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCsp(`${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Problems(list):
    """CSP violations, console errors, page errors and failed requests seen in watched contexts."""

    # Expected answers that are no page error: the browser's own favicon request, and 410 for a
    # revoked share link (a test asserts that one itself).
    IGNORED_STATUSES = {410}

    def watch(self, context):
        context.expose_binding("reportCsp", lambda source, text: self.append(f"CSP {source['page'].url}: {text}"))
        context.add_init_script(REPORT_CSP)
        context.on("page", self.watch_page)
        return context

    def watch_page(self, page):
        page.on("console", lambda msg: self.console(page, msg))
        page.on("pageerror", lambda error: self.append(f"pageerror {page.url}: {error}"))
        page.on("response", self.response)

    def console(self, page, msg):
        # Failed loads are reported with their URL by response() below.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.append(f"console {page.url}: {msg.text}")

    def response(self, response):
        failed = response.status >= 400 and response.status not in self.IGNORED_STATUSES
        if failed and not response.url.endswith("/favicon.ico"):
            self.append(f"HTTP {response.status} {response.url}")


@pytest.fixture
def browser():
    require_tool(chromium_path(), "Debian's chromium is needed for the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Inside sync_playwright() an event loop runs, so the test's ORM calls got their own
            # connection (asgiref's Local is per context): close it, or on PostgreSQL it outlives
            # the test database.
            connections.close_all()


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture
def watched_page(browser, live_server, problems):
    """A new page in a fresh watched context (its own cookies: one user each)."""

    def new_page():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        return problems.watch(context).new_page()

    return new_page


@pytest.fixture
def log_in(watched_page):
    """Log ``username`` into the admin in a context of their own; returns the page."""

    def log_in(username):
        page = watched_page()
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        return page

    return log_in
