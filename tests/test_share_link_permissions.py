"""Share links follow the workflow's permissions: a contributor makes short links and manages their
own; only users who may publish make long links and see or revoke other people's. Each refusal is
checked on the server, through the admin's URLs and through the service functions."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from briefs.models import Brief, PreviewLink
from briefs.preview import DEFAULT_LINK_DAYS, MAX_LINK_DAYS, create_preview_link, make_token, revoke_preview_link
from tests.factories import BriefFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return BriefFactory(title="A colleague's draft", status=Brief.Status.DRAFT, published_at=None)


@pytest.fixture
def contributor():
    return ContributorFactory(username="carla")


@pytest.fixture
def colleague():
    return ContributorFactory(username="colin")


@pytest.fixture
def editor():
    return EditorFactory(username="ed")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def share_url(brief):
    return reverse("admin:briefs_brief_share", args=[brief.pk])


def shown_tokens(html):
    return set(re.findall(r"/preview/([^/\"]+)/", html))


def test_a_contributor_may_not_make_a_link_longer_than_the_default(contributor, draft):
    client = client_for(contributor)
    response = client.post(share_url(draft), {"days": 90})
    assert response.status_code == 200
    assert response.context["form"].errors["days"] == [
        f"Ensure this value is less than or equal to {DEFAULT_LINK_DAYS}."
    ]
    assert not PreviewLink.objects.exists()
    with pytest.raises(PermissionDenied):
        create_preview_link(brief=draft, user=contributor, days=DEFAULT_LINK_DAYS + 1)
    assert not PreviewLink.objects.exists()


def test_a_contributor_may_make_a_short_link(contributor, draft):
    response = client_for(contributor).post(share_url(draft), {"days": DEFAULT_LINK_DAYS})
    assert response.status_code == 302
    link = PreviewLink.objects.get()
    assert link.created_by == contributor
    assert (link.expires_at - link.created_at).days == DEFAULT_LINK_DAYS


def test_an_editor_may_make_a_long_link(editor, draft):
    assert client_for(editor).post(share_url(draft), {"days": MAX_LINK_DAYS}).status_code == 302
    assert (PreviewLink.objects.get().expires_at - PreviewLink.objects.get().created_at).days == MAX_LINK_DAYS


def test_a_contributor_may_not_revoke_an_editors_link(contributor, editor, draft):
    link = create_preview_link(brief=draft, user=editor, days=30)
    response = client_for(contributor).post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None and link.state() == "usable"
    with pytest.raises(PermissionDenied):
        revoke_preview_link(link=link, user=contributor)


def test_a_contributor_may_not_revoke_a_colleagues_link(contributor, colleague, draft):
    link = create_preview_link(brief=draft, user=colleague)
    response = client_for(contributor).post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_contributor_revokes_their_own_link(contributor, draft):
    link = create_preview_link(brief=draft, user=contributor)
    response = client_for(contributor).post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == contributor and link.state() == "revoked"


def test_an_editor_revokes_anyones_link(contributor, editor, draft):
    link = create_preview_link(brief=draft, user=contributor)
    response = client_for(editor).post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == editor


def test_a_contributor_sees_only_their_own_links(contributor, colleague, editor, draft):
    own = create_preview_link(brief=draft, user=contributor, note="my reviewer")
    theirs = create_preview_link(brief=draft, user=colleague, note="colin's reviewer")
    editors = create_preview_link(brief=draft, user=editor, days=60, note="the board")
    html = client_for(contributor).get(share_url(draft)).content.decode()
    assert shown_tokens(html) == {make_token(own)}
    assert "colin's reviewer" not in html.replace("&#x27;", "'") and "the board" not in html
    # No revoke button for anything but their own.
    assert html.count("Revoke</button>") == 1

    html = client_for(editor).get(share_url(draft)).content.decode()
    assert shown_tokens(html) == {make_token(own), make_token(theirs), make_token(editors)}
    assert html.count("Revoke</button>") == 3
