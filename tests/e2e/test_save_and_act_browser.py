"""In Chromium (#11): typing, then clicking any workflow button, keeps the typing; leaving with unsaved
typing warns first (CKEditor included)."""

import re

import pytest

from briefs.models import Brief, Correction
from briefs.revisions import pending_revision, working_copy
from tests.e2e.screens import shot
from tests.e2e.test_editorial_flow import type_rich_text
from tests.factories import BriefFactory, ContributorFactory, EditorFactory, ExpertFactory, ExpertQuoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def brief_in(status, **kwargs):
    published = {"published_at": None} if status != Brief.Status.PUBLISHED else {}
    brief = BriefFactory(status=status, **published, **kwargs)
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory())
    return brief


def with_pending(brief):
    """A live brief with pending changes (saved through the content functions, as the admin does)."""
    from briefs.revisions import save_revision

    data = working_copy(brief)
    save_revision(brief=brief, user=None, data={**data, "title": data["title"] + " (pending)"})
    return brief


def type_and_click(page, brief, button, *, comment="", extra=None):
    page.goto(f"/admin/briefs/brief/{brief.pk}/change/")
    page.fill("#id_summary", f"Summary typed before {button}.")
    type_rich_text(page, "developments", f" Paragraph typed before {button}.")
    if comment:
        page.fill("#workflow-comment", comment)
    for selector, value in (extra or {}).items():
        if value is True:
            page.check(selector)
        else:
            page.fill(selector, value)
    page.click(f"button.workflow-{button}")
    page.wait_for_url(re.compile(rf"/admin/briefs/brief/{brief.pk}/change/$"))
    return page.locator("ul.messagelist").inner_text()


def typed(brief, button):
    """The typing as saved: in the row, or in the pending revision of a published brief."""
    brief.refresh_from_db()
    data = working_copy(brief)
    return (
        data["summary"] == f"Summary typed before {button}."
        and f"Paragraph typed before {button}." in (data["developments"])
    )


def test_every_workflow_button_keeps_the_typing(live_server, log_in, problems):
    ContributorFactory(username="carla")
    EditorFactory(username="edith")
    carla, edith = log_in("carla"), log_in("edith")

    draft = brief_in(Brief.Status.DRAFT)
    assert "Submitted for review" in type_and_click(carla, draft, "submit", comment="Ready.")
    assert typed(draft, "submit") and draft.status == Brief.Status.IN_REVIEW

    review = brief_in(Brief.Status.IN_REVIEW)
    assert "Sent back to draft" in type_and_click(edith, review, "request_changes", comment="Say where.")
    assert typed(review, "request_changes") and review.status == Brief.Status.DRAFT

    review = brief_in(Brief.Status.IN_REVIEW)
    assert "Published." in type_and_click(edith, review, "publish")
    assert typed(review, "publish") and review.is_live()

    live = with_pending(brief_in(Brief.Status.PUBLISHED))
    assert "Changes submitted" in type_and_click(carla, live, "submit_changes")
    assert typed(live, "submit_changes") and pending_revision(live) is not None

    live = with_pending(brief_in(Brief.Status.PUBLISHED))
    message = type_and_click(edith, live, "request_pending_changes", comment="Shorter, please.")
    assert "Changes requested" in message and typed(live, "request_pending_changes")

    live = brief_in(Brief.Status.PUBLISHED)
    message = type_and_click(edith, live, "correction", extra={"#correction-text": "The date was wrong."})
    assert "Correction added" in message and typed(live, "correction")
    assert Correction.objects.filter(brief=live).exists() and pending_revision(live) is not None

    live = with_pending(brief_in(Brief.Status.PUBLISHED))
    assert "is now the live version" in type_and_click(edith, live, "publish_pending")
    assert typed(live, "publish_pending") and pending_revision(live) is None  # the typing is what readers see

    live = brief_in(Brief.Status.PUBLISHED)
    message = type_and_click(edith, live, "withdraw", comment="Superseded.", extra={"#workflow-confirm-withdraw": True})
    assert "Withdrawn" in message and typed(live, "withdraw") and live.status == Brief.Status.WITHDRAWN

    assert "Reopened as a draft" in type_and_click(edith, live, "reopen")
    assert typed(live, "reopen") and live.status == Brief.Status.DRAFT
    assert problems == []


def test_a_step_missing_its_comment_shows_the_error_and_keeps_the_typing(live_server, log_in, problems):
    EditorFactory(username="edith")
    edith = log_in("edith")
    review = brief_in(Brief.Status.IN_REVIEW, summary="Old summary.")
    edith.goto(f"/admin/briefs/brief/{review.pk}/change/")
    edith.fill("#id_summary", "Typed, then Request changes without a comment.")
    edith.click("button.workflow-request_changes")
    edith.wait_for_load_state()
    assert "needs a comment" in edith.locator(".workflow-errors").inner_text()
    assert edith.input_value("#id_summary") == "Typed, then Request changes without a comment."
    review.refresh_from_db()
    assert (review.status, review.summary) == (Brief.Status.IN_REVIEW, "Old summary.")
    assert problems == []


def test_leaving_with_unsaved_typing_warns(live_server, log_in, problems):
    EditorFactory(username="edith")
    edith = log_in("edith")
    brief = brief_in(Brief.Status.DRAFT)
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    edith.on("dialog", on_dialog)
    change = f"/admin/briefs/brief/{brief.pk}/change/"

    # Nothing typed: leaving is silent.
    edith.goto(change)
    edith.click("a.historylink")
    edith.wait_for_url(re.compile(r"/revisions/$"))
    assert dialogs == []

    # Typing in CKEditor alone is enough to warn; dismissing keeps the page and the typing.
    edith.goto(change)
    type_rich_text(edith, "developments", " Unsaved words.")
    edith.click("a.historylink")
    edith.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert edith.url.endswith(change)
    assert "Unsaved words." in edith.locator(".field-developments .ck-editor__editable").inner_text()

    # Saving is no "leaving": no warning.
    edith.click("input[name=_continue]")
    edith.wait_for_url(re.compile(r"/change/$"))
    assert dialogs == ["beforeunload"]
    brief.refresh_from_db()
    assert "Unsaved words." in brief.developments
    assert problems == []


def test_a_publish_with_a_failed_check_warns_and_records_it(live_server, log_in, problems):
    from briefs.models import Transition

    EditorFactory(username="edith")
    edith = log_in("edith")
    review = brief_in(Brief.Status.IN_REVIEW)  # no issue picked
    edith.goto(f"/admin/briefs/brief/{review.pk}/change/")
    checks = edith.locator("#publish-checks").inner_text()
    assert "No issue is picked" in checks
    shot(edith, "16-checks-before-publishing", ".workflow-panel")
    edith.click("button.workflow-publish")
    edith.wait_for_url(re.compile(rf"/admin/briefs/brief/{review.pk}/change/$"))
    assert "Published past 1 warning(s)" in edith.locator("ul.messagelist").inner_text()
    assert "Published past a warning: No issue is picked" in edith.locator(".workflow-history").inner_text()
    step = Transition.objects.get(brief=review, to_state="published")
    assert [check["name"] for check in step.checks if not check["ok"]] == ["issues"]
    assert problems == []


def test_autosave_brings_typing_back_after_the_tab_was_closed(live_server, log_in, problems):
    EditorFactory(username="edith")
    edith = log_in("edith")
    brief = brief_in(Brief.Status.DRAFT, summary="Saved summary.")
    change = f"/admin/briefs/brief/{brief.pk}/change/"
    edith.goto(change)
    edith.fill("#id_summary", "Typed, then the tab was closed.")
    type_rich_text(edith, "developments", " A paragraph nobody saved.")
    edith.locator(".autosave-status").filter(has_text="autosaved").wait_for(timeout=15000)
    context = edith.context
    edith.close()  # no beforeunload: the tab (or the browser) is simply gone

    again = context.new_page()
    again.goto(change)
    shot(again, "17-autosave-offer", "#autosave-state")
    again.get_by_role("link", name="Restore my unsaved typing").click()
    again.wait_for_url(re.compile(r"autosave=restore"))
    assert again.input_value("#id_summary") == "Typed, then the tab was closed."
    assert "A paragraph nobody saved." in again.locator(".field-developments .ck-editor__editable").inner_text()
    brief.refresh_from_db()
    assert brief.summary == "Saved summary."  # nothing saved until the user saves
    again.click("input[name=_continue]")
    again.wait_for_url(re.compile(rf"{change}$"))
    brief.refresh_from_db()
    assert brief.summary == "Typed, then the tab was closed." and "A paragraph nobody saved." in brief.developments
    assert problems == []
