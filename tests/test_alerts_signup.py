"""Signing up, confirming, managing and leaving email alerts, and every bad input on the way."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from subscriptions import signup, tokens
from subscriptions.models import Subscriber
from tests.alerts_kit import manage_token, subscribe
from tests.factories import BriefTypeFactory, ExpertFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(db):
    return {
        "iran": IssueFactory(name="Iran"),
        "sanctions": IssueFactory(name="Sanctions"),
        "expert": ExpertFactory(name="Bradley Bowman", slug="bradley-bowman"),
        "flash": BriefTypeFactory(name="Flash Brief"),
    }


def run_tasks():
    """Run what the worker would: every queued task, in-process."""
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.task.call(*result.task_result.args, **result.task_result.kwargs)
        result.delete()


def post_signup(client, email="reader@example.org", **extra):
    data = {"email": email, "issues": ["iran", "sanctions"], "experts": ["bradley-bowman"], "frequency": "daily"}
    return client.post("/subscribe/", {**data, **extra})


def link_in(message, prefix):
    return next(w for w in message.body.split() if f"/subscribe/{prefix}/" in w).split("testserver", 1)[-1]


def test_subscribe_page_preselects_the_topic_from_the_follow_link(client, topics):
    response = client.get("/subscribe/?issue=iran&expert=bradley-bowman&type=nope")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="iran" id="id_issues_0" checked' in html or 'value="iran"' in html and "checked" in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_double_opt_in(client, topics, settings):
    settings.SITE_URL = "http://testserver"
    response = post_signup(client)
    assert response.status_code == 302 and response["Location"] == "/subscribe/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is None
    assert {i.slug for i in subscriber.issues.all()} == {"iran", "sanctions"}
    assert mail.outbox == []  # sent by the worker, not the web request
    run_tasks()
    [message] = mail.outbox
    assert message.subject == "Dossier: confirm your email alerts"
    assert message.alternatives[0].mimetype == "text/html"
    assert "List-Unsubscribe" not in message.extra_headers
    confirm = link_in(message, "confirm")
    page = client.get(confirm)
    assert page.status_code == 200 and b"Confirm my alerts" in page.content
    assert Subscriber.objects.get().confirmed_at is None  # a GET (a mail scanner) confirms nothing
    response = client.post(confirm)
    assert response.status_code == 302 and "/subscribe/manage/" in response["Location"]
    first = Subscriber.objects.get().confirmed_at
    assert first is not None
    # Replayed: harmless.
    assert client.post(confirm).status_code == 302
    assert Subscriber.objects.get().confirmed_at == first


def test_signing_up_a_confirmed_address_changes_nothing_and_mails_its_manage_link(client, topics, settings):
    settings.SITE_URL = "http://testserver"
    reader = subscribe("reader@example.org", issues=[topics["iran"]])
    run_tasks()
    mail.outbox.clear()
    post_signup(client, email="Reader@Example.org", issues=["sanctions"])
    run_tasks()
    assert list(Subscriber.objects.get().issues.values_list("slug", flat=True)) == ["iran"]
    [message] = mail.outbox
    assert "already" in message.subject + message.body
    assert link_in(message, "manage") == f"/subscribe/manage/{manage_token(reader)}/"


@pytest.mark.parametrize(
    "email, error",
    [
        ("not-an-address", "valid email"),
        ("a" * 250 + "@example.org", "at most 254"),
        ("victim@example.org\nBcc: everyone@example.org", "valid email"),
        ("victim@example.org\r\nSubject: spam", "valid email"),
    ],
)
def test_bad_addresses_are_form_errors(client, topics, email, error):
    response = post_signup(client, email=email)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Subscriber.objects.exists()


def test_unknown_topics_and_no_topic_are_form_errors(client, topics):
    response = post_signup(client, issues=["no-such-issue"])
    assert response.status_code == 400 and b"Select a valid choice" in response.content
    response = client.post("/subscribe/", {"email": "r@example.org", "frequency": "daily"})
    assert response.status_code == 400 and b"Choose at least one" in response.content
    response = post_signup(client, frequency="hourly")
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_public_forms_refuse_a_post_without_csrf_token(topics):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert post_signup(client).status_code == 403
    reader = subscribe("reader@example.org", issues=[topics["iran"]])
    token = manage_token(reader)
    assert client.post(f"/subscribe/manage/{token}/", {"frequency": "weekly", "everything": "on"}).status_code == 403
    assert client.post(f"/subscribe/manage/{token}/delete/").status_code == 403
    assert Subscriber.objects.filter(pk=reader.pk).exists()


def test_one_click_unsubscribe_changes_only_that_subscription(topics):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    one = subscribe("one@example.org", issues=[topics["iran"]])
    two = subscribe("two@example.org", issues=[topics["iran"]])
    page = client.get(f"/subscribe/unsubscribe/{manage_token(one)}/")
    assert page.status_code == 200 and Subscriber.objects.count() == 2  # GET: a page with a button
    response = client.post(f"/subscribe/unsubscribe/{manage_token(one)}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["two@example.org"]
    assert Subscriber.objects.get(pk=two.pk).issues.count() == 1
    # Used again: a clear page.
    assert client.post(f"/subscribe/unsubscribe/{manage_token(one)}/").status_code == 410


def test_tampered_and_wrong_purpose_links_get_a_clear_page(client, topics):
    reader = subscribe("reader@example.org", confirmed=False, issues=[topics["iran"]])
    token = tokens.make(reader, tokens.CONFIRM)
    for url in (
        f"/subscribe/confirm/{token[:-2]}xx/",
        f"/subscribe/manage/{token}/",  # a confirmation token is no manage token
        "/subscribe/unsubscribe/garbage/",
        "/subscribe/manage/%00%0d%0a/",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert b"This link does not work" in response.content
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_confirmation_expires_after_seven_days_and_the_signup_is_deleted(client, topics):
    reader = subscribe("reader@example.org", confirmed=False, issues=[topics["iran"]])
    token = tokens.make(reader, tokens.CONFIRM)
    later = timezone.now() + datetime.timedelta(days=7, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.post(f"/subscribe/confirm/{token}/")
        assert response.status_code == 410 and b"expired" in response.content
        signup.delete_expired(now=timezone.now())
    assert not Subscriber.objects.exists()


def test_confirmed_subscribers_are_kept(topics):
    subscribe("reader@example.org", issues=[topics["iran"]])
    signup.delete_expired(now=timezone.now() + datetime.timedelta(days=30))
    assert Subscriber.objects.count() == 1


def test_confirmation_emails_are_limited_per_address_and_per_client(client, topics, settings):
    for _ in range(5):
        assert post_signup(client, email="victim@example.org").status_code == 302
    run_tasks()
    assert len(mail.outbox) == settings.ALERTS["CONFIRMATIONS_PER_ADDRESS"]
    # Many addresses from one client: refused after the client's limit, with a clear page.
    codes = [post_signup(client, email=f"x{n}@example.org").status_code for n in range(10)]
    assert codes.count(429) == 5 + 10 - settings.ALERTS["CONFIRMATIONS_PER_CLIENT"]
    assert b"Too many sign-ups" in post_signup(client, email="y@example.org").content
    # The next hour starts afresh.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        assert post_signup(client, email="z@example.org").status_code == 302


def test_manage_page_changes_topics_and_frequency(client, topics):
    reader = subscribe("reader@example.org", issues=[topics["iran"]])
    url = f"/subscribe/manage/{manage_token(reader)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"reader@example.org" in page.content
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    response = client.post(url, {"types": ["flash-brief"], "frequency": "weekly"})
    assert response.status_code == 200 and b"Saved" in response.content
    reader.refresh_from_db()
    assert reader.frequency == "weekly"
    assert list(reader.types.values_list("slug", flat=True)) == ["flash-brief"]
    assert not reader.issues.exists()


def test_export_and_delete_all_my_data(client, topics):
    reader = subscribe("reader@example.org", issues=[topics["iran"]], experts=[topics["expert"]])
    token = manage_token(reader)
    response = client.get(f"/subscribe/manage/{token}/export.json")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["email"] == "reader@example.org"
    assert data["issues"] == ["Iran"] and data["experts"] == ["Bradley Bowman"]
    assert data["confirmed_at"]
    assert client.get(f"/subscribe/manage/{token}/delete/").status_code == 200
    assert Subscriber.objects.exists()
    response = client.post(f"/subscribe/manage/{token}/delete/")
    assert response.status_code == 200 and b"Your data is deleted" in response.content
    assert not Subscriber.objects.exists()
    assert client.get(f"/subscribe/manage/{token}/").status_code == 410


def test_follow_links_on_issue_expert_and_type_pages(client, topics):
    from tests.factories import BriefFactory

    BriefFactory(type=topics["flash"], issues=[topics["iran"]], authors=[topics["expert"]])
    for url, href in (
        ("/issues/iran/", "/subscribe/?issue=iran"),
        ("/experts/bradley-bowman/", "/subscribe/?expert=bradley-bowman"),
        ("/types/flash-brief/", "/subscribe/?type=flash-brief"),
    ):
        html = client.get(url).content.decode()
        assert f'href="{href}"' in html, url
        assert client.get(href).status_code == 200


def test_subscribe_and_manage_pages_run_a_fixed_number_of_queries(client, topics, django_assert_max_num_queries):
    for n in range(30):
        IssueFactory(name=f"Topic {n}")
        ExpertFactory()
        BriefTypeFactory(name=f"Type {n}")
    reader = subscribe("reader@example.org", issues=[topics["iran"]])
    with django_assert_max_num_queries(4):
        assert client.get("/subscribe/?issue=iran").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(f"/subscribe/manage/{manage_token(reader)}/").status_code == 200
