"""The alert pages and the alert emails' HTML part pass the Nu HTML Checker."""

import pytest
from django.core import mail

from briefs import workflow
from briefs.models import Brief
from subscriptions import tokens
from tests.alerts_kit import subscribe, sweep
from tests.factories import BriefFactory, ExpertFactory, IssueFactory, SuperUserFactory
from tests.test_html_valid import nu_errors

pytestmark = [pytest.mark.django_db, pytest.mark.vnu]


def test_alert_pages_and_emails_are_valid_html(client, tmp_path, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    iran = IssueFactory(name="Iran")
    expert = ExpertFactory(name="Bradley Bowman")
    reader = subscribe("reader@example.org", issues=[iran])
    pending = subscribe("pending@example.org", confirmed=False, issues=[iran])
    manage = tokens.make(reader, tokens.MANAGE)
    pages = {
        url: client.get(url).content.decode()
        for url in (
            "/subscribe/?issue=iran",
            "/subscribe/sent/",
            f"/subscribe/confirm/{tokens.make(pending, tokens.CONFIRM)}/",
            f"/subscribe/manage/{manage}/",
            f"/subscribe/manage/{manage}/delete/",
            f"/subscribe/unsubscribe/{manage}/",
            "/subscribe/confirm/tampered/",
        )
    }
    pages["form errors"] = client.post("/subscribe/", {"email": "x"}).content.decode()
    brief = BriefFactory(title="Tehran & the port", status=Brief.Status.DRAFT, published_at=None, issues=[iran])
    brief.quotes.create(expert=expert, text="It is <not> over. Far from it.")
    workflow.publish(brief=brief, user=SuperUserFactory(username="boss"))
    sweep()
    [alert] = mail.outbox
    pages["alert email"] = alert.alternatives[0].content
    assert "It is &lt;not&gt; over." in pages["alert email"]
    assert nu_errors(pages, tmp_path) == []
