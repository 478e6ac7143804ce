"""Email alerts in the admin: editors see counts and sends per brief, remove an address, and cannot
read who follows what without the dedicated permission."""

import pytest
from django.contrib.auth.models import Group, Permission

from briefs import workflow
from briefs.models import Brief
from subscriptions.models import Subscriber
from tests.alerts_kit import subscribe, sweep
from tests.factories import BriefFactory, IssueFactory, SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    user = UserFactory(username="ed", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def follows(db):
    iran = IssueFactory(name="Iran")
    sanctions = IssueFactory(name="Sanctions")
    subscribe("one@example.org", issues=[iran])
    subscribe("two@example.org", issues=[iran, sanctions])
    subscribe("pending@example.org", confirmed=False, issues=[iran])
    return iran, sanctions


def test_editors_see_counts_per_topic_but_no_addresses(client, editor, follows):
    client.force_login(editor)
    page = client.get("/admin/subscriptions/announcement/followers/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<td>Iran</td><td>2</td>" in html and "<td>Sanctions</td><td>1</td>" in html
    assert "2 confirmed subscribers" in html and "1 sign-up waiting" in html
    assert "@example.org" not in html
    # The address list itself is closed to them.
    assert client.get("/admin/subscriptions/subscriber/").status_code == 403
    assert "Subscribers (addresses)" not in client.get("/admin/").content.decode()


def test_the_dedicated_permission_opens_the_address_list(client, editor, follows):
    editor.user_permissions.add(Permission.objects.get(codename="view_followers"))
    client.force_login(editor)
    page = client.get("/admin/subscriptions/subscriber/")
    assert page.status_code == 200 and b"one@example.org" in page.content


def test_sends_per_brief(client, editor, follows, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    iran, _ = follows
    brief = BriefFactory(title="Tehran moves", status=Brief.Status.DRAFT, published_at=None, issues=[iran])
    workflow.publish(brief=brief, user=SuperUserFactory(username="boss"))
    sweep()
    client.force_login(editor)
    html = client.get("/admin/subscriptions/announcement/").content.decode()
    assert "Tehran moves" in html
    cells = ("queued", "0"), ("held", "0"), ("sent", "2"), ("failed", "0")
    assert "".join(f'<td class="field-{name}">{n}</td>' for name, n in cells) in html


def test_an_editor_removes_an_address_without_seeing_what_it_followed(client, editor, follows):
    client.force_login(editor)
    assert client.get("/admin/subscriptions/announcement/remove/").status_code == 200
    response = client.post("/admin/subscriptions/announcement/remove/", {"email": "Two@Example.org"}, follow=True)
    html = response.content.decode()
    assert "Removed two@example.org" in html and "Sanctions" not in html
    assert not Subscriber.objects.filter(email="two@example.org").exists()
    response = client.post("/admin/subscriptions/announcement/remove/", {"email": "nobody@example.org"}, follow=True)
    assert b"nothing to remove" in response.content
    response = client.post("/admin/subscriptions/announcement/remove/", {"email": "bad\naddress"})
    assert response.status_code == 200 and b"valid email" in response.content


def test_contributors_see_nothing_of_the_alerts(client, follows):
    contributor = UserFactory(username="c", is_staff=True)
    contributor.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(contributor)
    for url in (
        "/admin/subscriptions/announcement/",
        "/admin/subscriptions/announcement/followers/",
        "/admin/subscriptions/announcement/remove/",
        "/admin/subscriptions/subscriber/",
    ):
        assert client.get(url).status_code == 403, url
