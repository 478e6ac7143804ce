"""Preview with the public template, and share-preview links for reviewers without an account."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief, PreviewLink, PreviewLinkUse
from briefs.preview import PREVIEW_SALT, create_preview_link, make_token
from briefs.revisions import save_revision
from tests.admin_forms import change_form_data, edit_brief
from tests.factories import (
    BriefFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
    SuperUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
BANNER = "Preview — not published"


@pytest.fixture
def editor(client):
    user = SuperUserFactory(username="editor", first_name="Ada", last_name="Editor")
    client.force_login(user)
    return user


@pytest.fixture
def draft():
    brief = BriefFactory(title="Draft title", status=Brief.Status.DRAFT, published_at=None)
    ExpertQuoteFactory(brief=brief, expert=ExpertFactory(name="Bradley Bowman"), text="A draft quote.")
    return brief


def assert_private(response):
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Robots-Tag"] == "noindex"


def share(client, brief, **fields):
    response = client.post(reverse("admin:briefs_brief_share", args=[brief.pk]), {"days": 7, **fields}, follow=True)
    assert response.status_code == 200
    (url,) = re.findall(r"http://testserver(/preview/[^/]+/)", response.content.decode())[:1]
    return url


def test_preview_renders_the_working_copy_with_the_public_template(client, editor, draft):
    response = client.get(reverse("admin:briefs_brief_preview", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert BANNER in html
    assert "<h1>Draft title</h1>" in html and "A draft quote." in html and "Bradley Bowman" in html
    assert '<meta name="robots" content="noindex">' in html
    assert_private(response)
    assert "briefs/brief_detail.html" in [t.name for t in response.templates]


def test_preview_of_a_live_brief_shows_the_pending_changes(client, editor):
    brief = BriefFactory(title="Live title")
    edit_brief(client, brief, title="Pending title")
    html = client.get(reverse("admin:briefs_brief_preview", args=[brief.pk])).content.decode()
    assert "Pending title" in html and BANNER in html
    public = client.get(brief.get_absolute_url()).content.decode()
    assert "Live title" in public and BANNER not in public and "noindex" not in public


def test_preview_of_one_revision_and_not_of_another_briefs(client, editor, draft):
    first = save_revision(brief=draft, user=editor)
    edit_brief(client, draft, title="Second title")
    html = client.get(reverse("admin:briefs_brief_revision_preview", args=[draft.pk, first.pk])).content.decode()
    assert "Draft title" in html and "Second title" not in html and "revision 1" in html
    other = save_revision(brief=BriefFactory(), user=editor)
    assert client.get(reverse("admin:briefs_brief_revision_preview", args=[draft.pk, other.pk])).status_code == 404


def test_preview_needs_a_staff_login(client, draft):
    response = client.get(reverse("admin:briefs_brief_preview", args=[draft.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="nobody", is_staff=True))
    assert client.get(reverse("admin:briefs_brief_preview", args=[draft.pk])).status_code == 403


def test_share_link_shows_the_brief_to_anyone_and_logs_each_use(client, editor, draft):
    url = share(client, draft, note="Outside reviewer")
    client.logout()
    response = client.get(url, HTTP_USER_AGENT="ReviewerBrowser/1.0", REMOTE_ADDR="203.0.113.77")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft title" in html and BANNER in html and '<meta name="robots" content="noindex">' in html
    assert_private(response)
    assert response["Cache-Control"] == "private, no-store"
    (use,) = PreviewLinkUse.objects.all()
    assert (use.outcome, use.ip_prefix, use.user_agent) == ("shown", "203.0.113.0/24", "ReviewerBrowser/1.0")
    assert client.get(url, REMOTE_ADDR="2001:db8:1234:5678::1").status_code == 200
    assert PreviewLinkUse.objects.first().ip_prefix == "2001:db8:1234::/48"
    # The editor sees the log on the share page.
    client.force_login(editor)
    page = client.get(reverse("admin:briefs_brief_share", args=[draft.pk])).content.decode()
    assert "ReviewerBrowser/1.0" in page and "Outside reviewer" in page


def test_share_link_to_latest_follows_edits_and_to_a_revision_does_not(client, editor, draft):
    first = save_revision(brief=draft, user=editor)
    latest_url = share(client, draft)
    pinned_url = share(client, draft, revision=first.pk)
    edit_brief(client, draft, title="Edited title")
    assert "Edited title" in client.get(latest_url).content.decode()
    pinned = client.get(pinned_url).content.decode()
    assert "Draft title" in pinned and "Edited title" not in pinned


def test_share_link_expires_after_the_chosen_days(client, editor, draft):
    url = share(client, draft, days=3)
    client.logout()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode() and "Draft title" not in response.content.decode()
    assert_private(response)
    assert list(PreviewLinkUse.objects.order_by("at").values_list("outcome", flat=True)) == ["shown", "expired"]


def test_default_expiry_is_seven_days_and_bad_days_are_a_form_error(client, editor, draft):
    link = create_preview_link(brief=draft, user=editor)
    assert link.expires_at - link.created_at == datetime.timedelta(days=7)
    response = client.post(reverse("admin:briefs_brief_share", args=[draft.pk]), {"days": 0})
    assert response.status_code == 200 and "days" in response.context["form"].errors
    response = client.post(reverse("admin:briefs_brief_share", args=[draft.pk]), {"days": "soon"})
    assert response.status_code == 200 and PreviewLink.objects.count() == 1


def test_revoked_share_link_is_gone(client, editor, draft):
    url = share(client, draft)
    link = PreviewLink.objects.get()
    response = client.post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert_private(response)
    assert PreviewLinkUse.objects.get().outcome == "revoked"


def test_revoking_another_briefs_link_through_this_brief_is_404(client, editor, draft):
    link = create_preview_link(brief=BriefFactory(), user=editor)
    response = client.post(reverse("admin:briefs_brief_revoke_share", args=[draft.pk, link.pk]))
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize(
    "make_url",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: signing.Signer(salt=PREVIEW_SALT).sign("0" * 32),
        lambda token: signing.Signer(salt=PREVIEW_SALT).sign("not-a-uuid"),
        lambda token: signing.Signer(salt="another-salt").sign(token.split(":")[0]),
        lambda token: signing.dumps({"key": 1}, salt=PREVIEW_SALT),
    ],
    ids=["tampered", "garbage", "unknown-key", "not-a-key", "wrong-salt", "other-format"],
)
def test_bad_tokens_are_404_never_500(client, editor, draft, make_url):
    token = make_token(create_preview_link(brief=draft, user=editor))
    client.logout()
    response = client.get(reverse("shared_preview", args=[make_url(token)]))
    assert response.status_code == 404
    assert_private(response)
    assert "Draft title" not in response.content.decode()
    assert not PreviewLinkUse.objects.exists()


def test_share_preview_answers_only_reads(client, editor, draft):
    url = share(client, draft)
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("count", [1, 30])
def test_share_preview_runs_a_fixed_number_of_queries(client, editor, draft, count, django_assert_max_num_queries):
    draft.issues.set([IssueFactory(name=f"Issue {n}") for n in range(count)])
    draft.authors.set([ExpertFactory() for _ in range(count)])
    for n in range(count):
        ExpertQuoteFactory(brief=draft, text=f"Quote {n}")
        RelatedLinkFactory(brief=draft, title=f"Link {n}")
        RelatedLinkFactory(brief=draft, target_brief=BriefFactory(), url="", title="", byline="")
    url = share(client, draft)
    client.logout()
    # Link, use log, the working copy (revisions, row, authors, issues, quotes, links), then the
    # preview's lookups: brief, type, experts, linked briefs, issues, and the brief's public
    # corrections (shown in previews as on the page). The same at 1 and 30 items.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count('class="quote"') == count + 1


def test_preview_of_unsaved_form_input_saves_nothing(client, editor, draft):
    url = reverse("admin:briefs_brief_change", args=[draft.pk])
    page = client.get(url)
    assert "Preview unsaved changes" in page.content.decode()
    data = change_form_data(page, title="Typed but not saved", **{"quotes-0-text": "An unsaved quote."})
    response = client.post(reverse("admin:briefs_brief_preview", args=[draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Typed but not saved" in html and "An unsaved quote." in html and BANNER in html
    draft.refresh_from_db()
    assert draft.title == "Draft title" and not draft.revisions.exists()

    response = client.post(reverse("admin:briefs_brief_preview", args=[draft.pk]), {**data, "title": ""})
    assert response.status_code == 400 and "nothing to preview" in response.content.decode()


def test_share_page_needs_change_permission(client, draft):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_brief"))
    client.force_login(viewer)
    assert client.get(reverse("admin:briefs_brief_share", args=[draft.pk])).status_code == 403
    assert client.post(reverse("admin:briefs_brief_share", args=[draft.pk]), {"days": 7}).status_code == 403
    assert not PreviewLink.objects.exists()
    assert client.get(reverse("admin:briefs_brief_preview", args=[draft.pk])).status_code == 200


def test_share_preview_refuses_writes_with_private_headers(client, editor, draft):
    url = share(client, draft)
    response = client.put(url)
    assert response.status_code == 405
    assert_private(response)


@pytest.mark.parametrize("status", [Brief.Status.IN_REVIEW, Brief.Status.WITHDRAWN])
def test_preview_of_unsaved_input_is_for_users_who_may_change_the_brief(client, status):
    from tests.factories import ContributorFactory, EditorFactory, ExpertQuoteFactory

    brief = BriefFactory(status=status, title="Frozen title")
    ExpertQuoteFactory(brief=brief)
    client.force_login(EditorFactory())
    data = change_form_data(client.get(reverse("admin:briefs_brief_change", args=[brief.pk])), title="Typed")

    # A contributor sees the brief read-only: no unsaved-changes button, and a hand-made POST is
    # refused (it used to be a 500); plain preview of the saved brief still works.
    client.force_login(ContributorFactory())
    page = client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    assert "Preview unsaved changes" not in page
    assert client.post(reverse("admin:briefs_brief_preview", args=[brief.pk]), data).status_code == 403
    assert client.get(reverse("admin:briefs_brief_preview", args=[brief.pk])).status_code == 200
