"""The editorial path in a real browser: write, submit, changes requested, resubmit, publish, read.

Playwright's sync API drives Debian's Chromium against pytest-django's live server. Every admin page
visited is checked for Content-Security-Policy violations, console errors and uncaught exceptions.
Set DOSSIER_SCREENSHOTS=docs/screenshots to refresh the screenshots in docs/editors.md (tests/e2e/screens.py).
"""

import re

import pytest
from django.core import mail

from briefs.models import Brief
from tests.e2e.screens import shot
from tests.factories import BriefTypeFactory, ContributorFactory, EditorFactory, ExpertFactory, IssueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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


def test_contributor_writes_editor_reviews_and_publishes(browser, live_server, log_in, problems):
    ContributorFactory(username="carla", first_name="Carla", email="carla@example.org")
    EditorFactory(username="edith", first_name="Edith", email="edith@example.org")
    ExpertFactory(name="Bradley Bowman", title="Senior Director, Center on Military and Political Power")
    IssueFactory(name="Iran")
    BriefTypeFactory(name="Flash Brief")

    # The contributor writes the brief.
    carla = log_in("carla")
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
    shot(carla, "02-contributor-saved", ".workflow-panel")
    act(carla, "submit", "First draft, ready for a look.")
    assert "Submitted for review" in messages(carla)
    assert carla.locator("button.workflow-submit").count() == 0  # in review: nothing more for her

    # The editor sends it back with a comment.
    edith = log_in("edith")
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
    edith.goto(f"/admin/briefs/brief/{brief.pk}/revisions/")
    steps = edith.locator("#transition-list").inner_text()
    assert "Please say where the drones were launched from." in steps and "Added the launch site." in steps
    shot(edith, "05-history", full_page=True)
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
