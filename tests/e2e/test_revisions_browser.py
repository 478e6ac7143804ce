"""Revisions in a real browser: two editors on one live brief, the refused save, compare, publish
the pending changes, and a share link opened by someone without an account.

Playwright's sync API drives Debian's Chromium against pytest-django's live server; every page is
watched for Content-Security-Policy violations, console errors and failed requests.
"""

import re

import pytest

from briefs.models import Brief
from tests.e2e.screens import shot
from tests.factories import BriefFactory, ExpertFactory, ExpertQuoteFactory, SuperUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def save(page):
    with page.expect_navigation():
        page.click("input[name=_continue]")


def test_two_editors_a_live_brief_and_a_share_link(log_in, watched_page, problems):
    SuperUserFactory(username="ada", first_name="Ada", last_name="Reyes")
    SuperUserFactory(username="ben", first_name="Ben", last_name="Okafor")
    brief = BriefFactory(title="Live title")
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(name="Bradley Bowman"), text="The live quote.")
    change = f"/admin/briefs/brief/{brief.pk}/change/"

    ada = log_in("ada")
    ben = log_in("ben")
    ada.goto(change)
    ben.goto(change)
    assert "Ada Reyes is editing this brief" in ben.content()

    ada.fill("#id_title", "Ada's pending title")
    ada.fill("#id_quotes-0-text", "Ada's pending quote.")
    save(ada)
    assert "Pending changes" in ada.content()
    shot(ada, "08-pending-changes")

    ben.fill("#id_title", "Ben's title")
    save(ben)
    assert "changed by Ada Reyes at" in ben.content()
    assert ben.input_value("#id_title") == "Ben's title"
    shot(ben, "09-refused-save")
    with ben.expect_navigation():
        ben.get_by_role("link", name="Compare their changes").click()
    assert ben.locator("#field-title ins").inner_text() == "Ada's pending"
    assert ben.locator("#field-title del").inner_text() == "Live"
    shot(ben, "10-compare")

    # Readers still see the live version; then Ada publishes the pending changes.
    reader = watched_page()
    reader.goto(brief.get_absolute_url())
    assert "Live title" in reader.content() and "pending" not in reader.content()
    ada.goto(change)
    assert ada.input_value("#id_title") == "Ada's pending title"
    with ada.expect_navigation():
        ada.get_by_role("button", name="Publish pending changes").click()
    reader.reload()
    assert reader.locator("h1").inner_text() == "Ada's pending title"
    ada.goto(f"/admin/briefs/brief/{brief.pk}/revisions/")
    assert "Published pending changes (revision 2)." in ada.locator("#transition-list").inner_text()

    # A share link for someone without an account, then revoked.
    ada.goto(f"/admin/briefs/brief/{brief.pk}/share/")
    ada.fill("#id_days", "2")
    with ada.expect_navigation():
        ada.get_by_role("button", name="Make a share link").click()
    url = re.search(r"/preview/[^/\s\"]+/", ada.locator("#share-links input").first.input_value()).group(0)
    response = reader.goto(url)
    assert response.status == 200 and "Preview — not published" in reader.content()
    shot(reader, "12-shared-preview")
    ada.reload()
    shot(ada, "11-share-preview", full_page=True)
    assert response.headers["x-robots-tag"] == "noindex"
    with ada.expect_navigation():
        ada.get_by_role("button", name="Revoke").click()
    assert reader.goto(url).status == 410

    assert problems == []
    assert Brief.objects.get(pk=brief.pk).title == "Ada's pending title"
