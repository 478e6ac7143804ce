"""Email alerts end to end against a real SMTP server (aiosmtpd on 127.0.0.1): what is sent, when,
to whom, and what is not. The worker's sweep runs in-process; test_alerts_worker.py runs the real worker."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief
from subscriptions import announce, sending
from subscriptions.models import Delivery
from tests.alerts_kit import SmtpSink, manage_token, parts, subscribe, sweep
from tests.factories import BriefFactory, ExpertFactory, IssueFactory, SuperUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    sink.start()
    settings.MAILERS = sink.mailers()
    settings.SITE_URL = "https://dossier.example.org"
    yield sink
    sink.stop()


@pytest.fixture
def editor(db):
    return SuperUserFactory(username="editor")


@pytest.fixture
def taxonomy(db):
    iran = IssueFactory(name="Iran")
    network = IssueFactory(name="Iran Global Threat Network", parent=iran)
    return iran, network


def draft(**kwargs):
    return BriefFactory(status=Brief.Status.DRAFT, published_at=None, **kwargs)


def test_publish_on_followed_sub_issue_sends_one_email_with_both_parts_links_and_rfc8058(
    client, smtp, editor, taxonomy
):
    iran, network = taxonomy
    expert = ExpertFactory(name="Bradley Bowman")
    # Follows the parent issue AND the author: still one email.
    reader = subscribe("reader@example.org", issues=[iran], experts=[expert])
    brief = draft(title="Tehran moves", summary="What changed this week.", issues=[network], authors=[expert])
    brief.quotes.create(expert=expert, text="Deterrence failed here. Then it got worse.", order=1)
    workflow.publish(brief=brief, user=editor)

    assert sweep()["sent"] == 1
    [message] = smtp.inbox.to("reader@example.org")
    text, html = parts(message)
    url = "https://dossier.example.org" + brief.get_absolute_url()
    assert message["Subject"] == "Dossier: Tehran moves"
    for body in (text, html):
        assert "Tehran moves" in body and "What changed this week." in body and url in body
        assert "Deterrence failed here." in body and "Then it got worse" not in body
    assert "<img" not in html and "http" not in html.replace("https://dossier.example.org", "")
    unsubscribe_url = f"https://dossier.example.org/subscribe/unsubscribe/{manage_token(reader)}/"
    assert message["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/subscribe/manage/{manage_token(reader)}/" in text

    # A second sweep sends nothing more.
    assert sweep()["sent"] == 0
    assert len(smtp.inbox.messages) == 1

    # One-click unsubscribe: a bare POST, no cookie, no CSRF token (as mail clients send it).
    client.handler.enforce_csrf_checks = True
    response = client.post(
        unsubscribe_url.removeprefix("https://dossier.example.org"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    workflow.publish(brief=draft(issues=[network]), user=editor)
    sweep()
    assert len(smtp.inbox.messages) == 1


def test_only_followers_get_it_and_unconfirmed_never(smtp, editor, taxonomy):
    iran, network = taxonomy
    other = IssueFactory(name="Sanctions")
    subscribe("iran@example.org", issues=[network])
    subscribe("sanctions@example.org", issues=[other])
    subscribe("pending@example.org", confirmed=False, issues=[iran])
    workflow.publish(brief=draft(issues=[network]), user=editor)
    sweep()
    assert [rcpts for rcpts, _ in smtp.inbox.messages] == [("iran@example.org",)]


def test_scheduled_brief_is_sent_at_its_second_not_before(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)
    brief = draft(issues=[network])
    with time_machine.travel(start - datetime.timedelta(minutes=5), tick=False):
        workflow.publish(brief=brief, user=editor, at=start)
    with time_machine.travel(start - datetime.timedelta(seconds=1), tick=False):
        assert sweep()["sent"] == 0
        # The sweep wakes itself at the brief's second.
        from subscriptions.tasks import next_sweep

        assert next_sweep(timezone.now()) == start
    with time_machine.travel(start, tick=False):
        assert sweep()["sent"] == 1
    assert len(smtp.inbox.to("reader@example.org")) == 1


@pytest.mark.parametrize("leaves", ["withdrawn", "expired"])
def test_brief_that_leaves_before_its_second_sends_nothing(smtp, editor, taxonomy, leaves):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    start = timezone.now() + datetime.timedelta(minutes=5)
    brief = draft(issues=[network])
    if leaves == "expired":
        brief.expires_at = start + datetime.timedelta(seconds=30)
        brief.save()
    workflow.publish(brief=brief, user=editor, at=start)
    if leaves == "withdrawn":
        workflow.withdraw(brief=brief, user=editor)
        moment = start + datetime.timedelta(seconds=1)
    else:
        moment = start + datetime.timedelta(minutes=1)  # the worker was down until after expiry
    with time_machine.travel(moment, tick=False):
        sweep()
    assert smtp.inbox.messages == []


def test_withdrawn_after_announcement_but_before_sending_is_cancelled(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    brief = draft(issues=[network])
    workflow.publish(brief=brief, user=editor)
    announce.announce_due()
    workflow.withdraw(brief=brief, user=editor)
    sweep()
    assert smtp.inbox.messages == []
    assert Delivery.objects.get().status == Delivery.Status.CANCELLED


def test_pending_changes_and_typo_fixes_send_nothing(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    brief = draft(issues=[network])
    workflow.publish(brief=brief, user=editor)
    sweep()
    brief.title = "Fixed a typo"
    brief.save()
    workflow.add_correction(brief=brief, user=editor, text="An earlier version misnamed the port.")
    sweep()
    assert len(smtp.inbox.messages) == 1


def test_correction_with_tell_subscribers_is_sent(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network], frequency="weekly")
    brief = draft(title="The port", issues=[network])
    workflow.publish(brief=brief, user=editor)
    sweep()
    correction = workflow.add_correction(brief=brief, user=editor, text="An earlier version misnamed the port.")
    announce.announce_correction(correction=correction)
    announce.announce_correction(correction=correction)  # idempotent
    sweep()
    [message] = smtp.inbox.messages  # weekly reader: the brief waits for the digest, the correction does not
    assert message[1]["Subject"] == "Dossier: Correction: The port"
    assert "misnamed the port" in parts(message[1])[0]


def test_daily_digest_groups_a_days_briefs(smtp, editor, taxonomy, settings):
    _, network = taxonomy
    settings.TIME_ZONE = "America/New_York"
    subscribe("daily@example.org", issues=[network], frequency="daily")
    subscribe("now@example.org", issues=[network])
    day = datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC)  # a Tuesday; 07:00 New York is 11:00 UTC
    for hour, title in ((13, "Morning"), (16, "Noon"), (20, "Evening")):
        with time_machine.travel(day.replace(hour=hour), tick=False):
            workflow.publish(brief=draft(title=title, issues=[network]), user=editor)
            sweep()
    assert len(smtp.inbox.to("now@example.org")) == 3
    assert smtp.inbox.to("daily@example.org") == []
    with time_machine.travel(day + datetime.timedelta(days=1, hours=10, minutes=59), tick=False):
        sweep()
    assert smtp.inbox.to("daily@example.org") == []
    with time_machine.travel(day + datetime.timedelta(days=1, hours=11), tick=False):
        sweep()
        sweep()
    [digest] = smtp.inbox.to("daily@example.org")
    assert digest["Subject"] == "Dossier: Daily digest: 3 new briefs"
    text, html = parts(digest)
    assert text.index("Morning") < text.index("Noon") < text.index("Evening")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_smtp_down_then_up_retries_with_backoff_and_delivers_once(smtp, editor, taxonomy, settings):
    _, network = taxonomy
    for n in range(3):
        subscribe(f"r{n}@example.org", issues=[network])
    workflow.publish(brief=draft(issues=[network]), user=editor)
    smtp.stop()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert sweep()["sent"] == 0
    deliveries = list(Delivery.objects.all())
    assert {d.status for d in deliveries} == {"queued"} and {d.attempts for d in deliveries} == {1}
    retry_at = now + sending.backoff(1)
    assert {d.next_attempt_at for d in deliveries} == {retry_at}
    smtp.start()
    with time_machine.travel(retry_at - datetime.timedelta(seconds=1), tick=False):
        assert sweep()["sent"] == 0  # backoff: not yet
    with time_machine.travel(retry_at, tick=False):
        assert sweep()["sent"] == 3
        assert sweep()["sent"] == 0
    assert sorted(r for rcpts, _ in smtp.inbox.messages for r in rcpts) == [f"r{n}@example.org" for n in range(3)]


def test_attempts_run_out_and_the_delivery_fails(smtp, editor, taxonomy, settings):
    _, network = taxonomy
    settings.ALERTS = {**settings.ALERTS, "ATTEMPTS": 2}
    subscribe("r@example.org", issues=[network])
    workflow.publish(brief=draft(issues=[network]), user=editor)
    smtp.stop()
    sweep()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        sweep()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.error


def test_a_reader_refused_by_the_server_fails_alone(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("good@example.org", issues=[network])
    subscribe("bad@example.org", issues=[network])

    async def refuse(server, session, envelope, address, rcpt_options):
        if address == "bad@example.org":
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.inbox.handle_RCPT = refuse
    workflow.publish(brief=draft(issues=[network]), user=editor)
    assert sweep()["sent"] == 1
    statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert statuses == {"good@example.org": "sent", "bad@example.org": "failed"}


def test_interrupted_delivery_is_never_sent_again(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("r@example.org", issues=[network])
    workflow.publish(brief=draft(issues=[network]), user=editor)
    announce.announce_due()
    # A worker claimed it and died before the SMTP answer: was it sent? We cannot know, so never again.
    Delivery.objects.update(status="sending", claimed_at=timezone.now())
    sweep()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10), tick=False):
        sweep()
    assert smtp.inbox.messages == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "Interrupted" in delivery.error


def test_old_briefs_and_imports_are_not_announced(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("r@example.org", issues=[network])
    BriefFactory(issues=[network], published_at=timezone.now() - datetime.timedelta(days=3))
    sweep()
    assert smtp.inbox.messages == []


def test_tell_subscribers_tickbox_on_the_correction_form(client, smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    brief = draft(title="The port", issues=[network])
    workflow.publish(brief=brief, user=editor)
    sweep()
    client.force_login(editor)
    url = f"/admin/briefs/brief/{brief.pk}/correction/"
    client.post(url, {"text": "A typo-level note nobody is told about."})
    sweep()
    assert len(smtp.inbox.messages) == 1
    client.post(url, {"text": "The port is Bandar Abbas, not Chabahar.", "notify": "on"})
    sweep()
    assert len(smtp.inbox.messages) == 2
    assert "Bandar Abbas" in parts(smtp.inbox.messages[-1][1])[0]


def test_a_title_with_a_line_break_cannot_inject_headers(smtp, editor, taxonomy):
    _, network = taxonomy
    subscribe("reader@example.org", issues=[network])
    workflow.publish(brief=draft(title="Tehran\nBcc: everyone@example.org", issues=[network]), user=editor)
    assert sweep()["sent"] == 1
    [(rcpts, message)] = smtp.inbox.messages
    assert rcpts == ("reader@example.org",)
    assert message["Subject"] == "Dossier: Tehran Bcc: everyone@example.org"
    assert message["Bcc"] is None


def test_the_next_sweep_is_queued_even_when_one_fails(smtp, taxonomy, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(announce, "announce_due", broken)
    with pytest.raises(RuntimeError):
        sweep()
    assert DBTaskResult.objects.filter(task_path="subscriptions.tasks.sweep", status="READY").exists()
