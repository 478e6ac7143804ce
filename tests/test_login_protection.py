"""Editors' accounts are worth stealing: password guessing is locked out per account and per address,
editors can lift a lock-out, the admin can live at another path, and an idle staff session ends."""

import datetime
import importlib

import pytest
import time_machine
from django.test import Client
from django.urls import clear_url_caches, reverse

from tests.factories import ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


def attempt(client, username, password, address="203.0.113.5"):
    """A sign-in through the admin's form, from ``address`` as nginx reports it (X-Real-IP)."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        HTTP_X_REAL_IP=address,
    )


def signed_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_is_refused_after(settings):
    editor = EditorFactory(username="ed")
    client = Client()
    statuses = [attempt(client, "ed", f"guess-{n}").status_code for n in range(50)]
    # The first failures re-show the form; from the limit on, every attempt is refused outright.
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}

    response = attempt(client, "ed", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert f"locked for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert response["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    assert not signed_in(client)
    assert editor.last_login is None


def test_one_account_is_locked_from_every_address(settings):
    EditorFactory(username="ed")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "ed", "wrong", address=f"198.51.100.{n + 1}")
    client = Client()
    assert attempt(client, "ed", PASSWORD, address="192.0.2.77").status_code == 429
    assert not signed_in(client)


def test_one_address_is_locked_for_every_account(settings):
    EditorFactory(username="ed")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), f"someone{n}", "wrong", address="198.51.100.9")
    assert attempt(Client(), "ed", PASSWORD, address="198.51.100.9").status_code == 429
    # The same account from another address is not affected.
    client = Client()
    assert attempt(client, "ed", PASSWORD, address="192.0.2.10").status_code == 302
    assert signed_in(client)


def test_an_address_header_from_outside_the_proxy_is_not_believed(settings):
    """A client talking to gunicorn directly cannot rotate X-Real-IP to dodge the per-address lock."""
    settings.TRUSTED_PROXY_IPS = ["10.9.9.9"]  # the test client's 127.0.0.1 is then not our proxy
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), f"someone{n}", "wrong", address=f"198.51.100.{n + 1}")
    EditorFactory(username="ed")
    assert attempt(Client(), "ed", PASSWORD, address="192.0.2.10").status_code == 429


def test_success_before_the_limit_clears_the_count(settings):
    EditorFactory(username="ed")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), "ed", "wrong")
    assert attempt(Client(), "ed", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), "ed", "wrong")
    assert attempt(Client(), "ed", PASSWORD).status_code == 302


def test_an_editor_unlocks_an_account_in_the_admin(settings):
    ContributorFactory(username="carla")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "carla", "wrong", address="198.51.100.1")
    assert attempt(Client(), "carla", PASSWORD, address="192.0.2.1").status_code == 429

    editor = Client()
    editor.force_login(EditorFactory(username="ed"))
    listing = editor.get(reverse("admin:axes_accessattempt_changelist") + "?q=carla")
    assert listing.status_code == 200
    assert "carla" in listing.content.decode()
    ids = [str(a.pk) for a in listing.context["cl"].result_list]
    response = editor.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302

    client = Client()
    assert attempt(client, "carla", PASSWORD, address="192.0.2.1").status_code == 302
    assert signed_in(client)


def test_a_contributor_cannot_unlock_accounts():
    contributor = Client()
    contributor.force_login(ContributorFactory())
    assert contributor.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_weak_passwords_are_refused_when_an_editor_sets_one():
    user = ContributorFactory(username="carla")
    admin = Client()
    admin.force_login(EditorFactory(is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    for weak in ["password", "12345678901", "carla123", "Tr0ub4dor&3"]:  # the last: 11 characters
        response = admin.post(url, {"password1": weak, "password2": weak, "usable_password": "true"})
        assert response.status_code == 200, weak
        assert response.context["form"].errors, weak
    strong = "correct horse battery staple"
    response = admin.post(url, {"password1": strong, "password2": strong, "usable_password": "true"})
    assert response.status_code == 302


@pytest.fixture
def admin_at_desk(settings):
    """The admin moved to /desk/ (ADMIN_URL), with the URLconf rebuilt around it and restored after."""
    import config.urls

    settings.ADMIN_URL = "desk/"
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = "admin/"
    importlib.reload(config.urls)
    clear_url_caches()


def test_admin_url_moves_the_admin(admin_at_desk):
    client = Client()
    assert client.get("/admin/").status_code == 404
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")
    EditorFactory(username="ed")
    assert attempt(client, "ed", PASSWORD).status_code == 302
    assert client.get("/desk/").status_code == 200


def test_an_idle_staff_session_ends(settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    client = Client()
    client.force_login(EditorFactory())
    with time_machine.travel(start, tick=False) as clock:
        assert signed_in(client)
        clock.shift(datetime.timedelta(minutes=29))
        assert signed_in(client)  # activity moves the clock on
        clock.shift(datetime.timedelta(minutes=29))
        assert signed_in(client)
        # An open change page's heartbeat is not activity.
        clock.shift(datetime.timedelta(minutes=20))
        client.post(reverse("admin:index") + "briefs/brief/1/presence/")
        clock.shift(datetime.timedelta(minutes=11))
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("admin:login"))
        assert "signed out after 30 minutes without activity" in response.content.decode()
        assert not signed_in(client)


def test_a_lock_out_ends_after_its_time(settings):
    EditorFactory(username="ed")
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(Client(), "ed", "wrong")
        clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
        assert attempt(Client(), "ed", "wrong-again").status_code == 429
        clock.shift(datetime.timedelta(minutes=2))  # trying during the lock-out did not extend it
        client = Client()
        assert attempt(client, "ed", PASSWORD).status_code == 302
        assert signed_in(client)
