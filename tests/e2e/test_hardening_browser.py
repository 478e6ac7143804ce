"""The hardening screens as a browser shows them (Debian's Chromium): the lock-out page after too many
wrong passwords, an expert save refused over a colleague's newer save, a contributor's share page.
No CSP violations or console errors; screenshots at 1280 and 360 px when DOSSIER_SCREENSHOTS is set."""

import re

import pytest

from tests.e2e.conftest import PASSWORD
from tests.e2e.screens import shot
from tests.factories import BriefFactory, ContributorFactory, EditorFactory, ExpertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def both_widths(page, name):
    shot(page, f"{name}-1280", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    shot(page, f"{name}-360", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_lock_out_page_says_why_and_what_to_do(watched_page, problems, settings):
    problems.IGNORED_STATUSES = {410, 429}  # the lock-out answer is expected here
    EditorFactory(username="ed")
    page = watched_page()
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", "ed")
        page.fill("#id_password", f"guess-{n}")
        page.click("input[type=submit]")
    text = page.locator("#content-main").inner_text()
    assert "Too many failed sign-in attempts" in text
    assert "ask an editor to unlock your account" in text
    both_widths(page, "hardening-locked-out")
    # Even the right password is refused now.
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert "Too many failed sign-in attempts" in page.content()
    assert problems == []


def test_an_expert_save_over_a_colleagues_is_refused_in_the_browser(log_in, problems):
    expert = ExpertFactory(name="Ann Expert", title="Fellow")
    EditorFactory(username="ada", first_name="Ada", last_name="Lovelace")
    EditorFactory(username="bob", first_name="Bob", last_name="Woodward")
    ada, bob = log_in("ada"), log_in("bob")
    url = f"/admin/experts/expert/{expert.pk}/change/"
    ada.goto(url)
    bob.goto(url)
    ada.fill("#id_title", "Senior Fellow")
    ada.click("input[name=_save]")
    ada.wait_for_url(re.compile(r"/admin/experts/expert/$"))
    bob.fill("#id_program", "Center on Sanctions")
    bob.click("input[name=_save]")
    error = bob.locator(".errornote, .errorlist.nonfield").first
    error.wait_for()
    text = bob.locator("#content-main").inner_text()
    assert "This expert was changed by Ada Lovelace" in text and "(changed Title)" in text
    assert bob.input_value("#id_program") == "Center on Sanctions"
    both_widths(bob, "hardening-expert-conflict")
    assert problems == []


def test_a_contributor_sees_only_their_own_share_links(log_in, problems):
    from briefs.preview import create_preview_link

    carla = ContributorFactory(username="carla")
    editor = EditorFactory(username="ed")
    brief = BriefFactory(title="A draft under review", status="draft", published_at=None)
    create_preview_link(brief=brief, user=editor, days=60, note="the board")
    create_preview_link(brief=brief, user=carla, note="my outside reviewer")
    page = log_in("carla")
    page.goto(f"/admin/briefs/brief/{brief.pk}/share/")
    text = page.locator("#content-main").inner_text()
    assert "my outside reviewer" in text and "the board" not in text
    assert page.get_attribute("#id_days", "max") == "7"
    both_widths(page, "hardening-share-contributor")
    assert problems == []
