"""Email alert pages in Chromium: sign up from an issue's Follow link, confirm, manage, leave; axe-core
finds no accessibility violations, no CSP violation or console error, and a phone needs no sideways scroll."""

import pytest

from subscriptions import tokens
from subscriptions.models import Subscriber
from tests.conftest import ROOT, require_tool
from tests.e2e.screens import shot
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, IssueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page):
    require_tool(AXE.exists(), "axe-core (node_modules/axe-core) is needed")
    # evaluate() runs outside the page's CSP, so axe needs no inline script of ours.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]]


def fits(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_subscribe_confirm_manage_and_leave(watched_page, problems):
    iran = IssueFactory(name="Iran")
    IssueFactory(name="Iran Global Threat Network", parent=iran)
    IssueFactory(name="Sanctions")
    expert = ExpertFactory(name="Bradley Bowman", slug="bradley-bowman")
    ExpertFactory(name="Behnam Ben Taleblu", slug="behnam-ben-taleblu")
    BriefFactory(type=BriefTypeFactory(name="Flash Brief"), issues=[iran], authors=[expert])
    BriefTypeFactory(name="Analysis")

    page = watched_page()
    page.goto("/issues/iran/")
    page.click("text=Follow Iran by email")
    page.wait_for_url("**/subscribe/?issue=iran")
    assert page.is_checked("input[name=issues][value=iran]")
    assert axe_violations(page) == []
    shot(page, "alerts-subscribe", full_page=True)

    # A wrong address: an error the reader can see, next to the field.
    page.fill("input[name=email]", "not an address")
    page.click("text=Send me the confirmation email")
    assert page.is_visible("#email-error")
    assert page.get_attribute("input[name=email]", "aria-invalid") == "true"
    assert axe_violations(page) == []

    page.fill("input[name=email]", "reader@example.org")
    page.check("input[name=experts][value=bradley-bowman]")
    page.check("input[name=frequency][value=daily]")
    page.click("text=Send me the confirmation email")
    page.wait_for_url("**/subscribe/sent/")
    assert "Check your inbox" in page.inner_text("h1")

    subscriber = Subscriber.objects.get()
    page.goto(f"/subscribe/confirm/{tokens.make(subscriber, tokens.CONFIRM)}/")
    assert axe_violations(page) == []
    page.click("text=Confirm my alerts")
    page.wait_for_url("**/subscribe/manage/**")
    assert "reader@example.org" in page.inner_text("main")
    assert page.is_checked("input[name=frequency][value=daily]")
    assert axe_violations(page) == []
    shot(page, "alerts-manage", full_page=True)

    page.check("input[name=frequency][value=weekly]")
    page.click("text=Save my choices")
    assert "Saved" in page.inner_text("main")
    subscriber.refresh_from_db()
    assert subscriber.frequency == "weekly"

    page.set_viewport_size({"width": 360, "height": 800})
    assert fits(page)
    shot(page, "alerts-manage-phone", full_page=True)
    page.goto("/subscribe/")
    assert fits(page)
    shot(page, "alerts-subscribe-phone")

    page.goto(f"/subscribe/manage/{tokens.make(subscriber, tokens.MANAGE)}/")
    page.click("text=Unsubscribe from all alerts")
    assert axe_violations(page) == []
    page.click("button:has-text('Unsubscribe')")
    assert "You are unsubscribed" in page.inner_text("h1")
    assert not Subscriber.objects.exists()
    # The form with the wrong address was answered 400 on purpose.
    assert [p for p in problems if not p.startswith("HTTP 400") or not p.endswith("/subscribe/")] == []
    assert len(problems) == 1


def test_editors_alert_pages_in_the_admin(log_in, problems):
    from django.contrib.auth.models import Group

    from briefs import workflow
    from briefs.models import Brief
    from tests.alerts_kit import subscribe, sweep
    from tests.factories import UserFactory

    iran = IssueFactory(name="Iran")
    sanctions = IssueFactory(name="Sanctions")
    subscribe("one@example.org", issues=[iran])
    subscribe("two@example.org", issues=[iran, sanctions], frequency="daily")
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    brief = BriefFactory(title="Tehran moves", status=Brief.Status.DRAFT, published_at=None, issues=[iran])
    from django.test import override_settings

    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        workflow.publish(brief=brief, user=editor)
        sweep()

    page = log_in("editor")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        suffix = "" if width == 1280 else "-phone"
        page.goto("/admin/subscriptions/announcement/")
        assert "Tehran moves" in page.inner_text("#result_list")
        shot(page, f"alerts-admin-sends{suffix}")
        page.click("text=Followers per topic")
        assert "@example.org" not in page.inner_text("#content")
        shot(page, f"alerts-admin-followers{suffix}", full_page=True)
        page.goto("/admin/subscriptions/announcement/remove/")
        shot(page, f"alerts-admin-remove{suffix}")
    page.fill("input[name=email]", "two@example.org")
    page.click("input[type=submit]")
    assert "Removed two@example.org" in page.inner_text(".messagelist")
    assert problems == []
