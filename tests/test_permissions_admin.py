"""The workflow in the admin: buttons per role, hand-made POSTs refused on the server, read-only states."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief, Transition
from tests.factories import BriefFactory, ContributorFactory, EditorFactory, ExpertQuoteFactory, UserFactory
from tests.test_admin import ADD_URL, brief_post, inline_management

pytestmark = pytest.mark.django_db

BUTTON = 'class="button workflow-{}"'
ACTIONS = ["submit", "request_changes", "publish", "withdraw", "reopen"]


def change_url(brief):
    return reverse("admin:briefs_brief_change", args=[brief.pk])


def transition_url(brief, action):
    return reverse("admin:briefs_brief_transition", args=[brief.pk, action])


def draft(**kwargs):
    return BriefFactory(status=Brief.Status.DRAFT, published_at=None, **kwargs)


def logged_in(client, user):
    client.force_login(user)
    return client


def buttons(response):
    html = response.content.decode()
    return [action for action in ACTIONS if BUTTON.format(action) in html]


@pytest.mark.parametrize(
    "role, state, expected",
    [
        ("contributor", "draft", ["submit"]),
        ("contributor", "in_review", []),
        ("contributor", "published", []),
        ("contributor", "withdrawn", []),
        ("editor", "draft", ["submit", "publish"]),
        ("editor", "in_review", ["request_changes", "publish"]),
        ("editor", "published", ["withdraw"]),
        ("editor", "withdrawn", ["reopen"]),
    ],
)
def test_change_page_shows_only_the_actions_the_user_may_take(client, role, state, expected):
    user = ContributorFactory() if role == "contributor" else EditorFactory()
    published_at = timezone.now() - datetime.timedelta(hours=1) if state in ("published", "withdrawn") else None
    brief = BriefFactory(status=state, published_at=published_at)
    response = logged_in(client, user).get(change_url(brief))
    assert response.status_code == 200
    assert buttons(response) == expected


def test_contributor_hand_made_publish_post_is_403_and_changes_nothing(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    response = logged_in(client, ContributorFactory()).post(
        transition_url(brief, "publish"), {"comment": "ship it", "publish_at": "2020-01-01T00:00"}
    )
    assert response.status_code == 403
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW and brief.published_at is None
    assert not Transition.objects.exists()
    assert not Brief.objects.live().exists()


@pytest.mark.parametrize("action", ["request_changes", "withdraw", "reopen"])
def test_contributor_hand_made_editor_actions_are_403(client, action):
    state = {"request_changes": "in_review", "withdraw": "published", "reopen": "withdrawn"}[action]
    brief = BriefFactory(status=state, published_at=timezone.now() - datetime.timedelta(hours=1))
    response = logged_in(client, ContributorFactory()).post(transition_url(brief, action), {"comment": "x"})
    assert response.status_code == 403
    brief.refresh_from_db()
    assert brief.status == state


def test_user_outside_the_groups_cannot_even_reach_the_action(client):
    brief = draft()
    response = logged_in(client, UserFactory(is_staff=True)).post(transition_url(brief, "submit"))
    assert response.status_code == 403
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DRAFT


def test_transition_needs_post_and_csrf(client):
    brief = draft()
    logged_in(client, ContributorFactory())
    assert client.get(transition_url(brief, "submit")).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ContributorFactory())
    assert strict.post(transition_url(brief, "submit")).status_code == 403
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DRAFT


def test_unknown_action_or_brief_is_404(client):
    brief = draft()
    logged_in(client, EditorFactory())
    assert client.post(transition_url(brief, "delete_everything")).status_code == 404
    assert client.post(reverse("admin:briefs_brief_transition", args=[999999, "publish"])).status_code == 404


def test_contributor_submits_through_the_admin(client):
    brief = draft()
    response = logged_in(client, ContributorFactory()).post(
        transition_url(brief, "submit"), {"comment": "Ready"}, follow=True
    )
    assert response.status_code == 200
    assert "Submitted for review" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW
    assert brief.transitions.get().comment == "Ready"
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get(object_id=str(brief.pk)).get_change_message() == "Draft → In review"


def test_illegal_action_is_a_message_and_keeps_state(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    response = logged_in(client, EditorFactory()).post(
        transition_url(brief, "request_changes"), {"comment": ""}, follow=True
    )
    assert response.status_code == 200
    assert "needs a comment" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-45T99:99", "2026-02-30T10:00"])
def test_bad_publish_time_is_a_message_not_a_500(client, value):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    response = logged_in(client, EditorFactory()).post(
        transition_url(brief, "publish"), {"publish_at": value}, follow=True
    )
    assert response.status_code == 200
    assert "is not a date and time" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.IN_REVIEW


def test_editor_schedules_through_the_admin(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    response = logged_in(client, EditorFactory()).post(
        transition_url(brief, "publish"), {"publish_at": "2099-01-02T09:30"}, follow=True
    )
    assert "Scheduled: the brief goes live on 2099-01-02 at 09:30" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PUBLISHED
    assert timezone.localtime(brief.published_at).replace(tzinfo=None) == datetime.datetime(2099, 1, 2, 9, 30)
    assert not Brief.objects.live().exists()


def test_contributor_cannot_change_a_brief_in_review(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None, title="Frozen")
    ExpertQuoteFactory(brief=brief, text="A frozen quote.")
    logged_in(client, ContributorFactory())
    page = client.get(change_url(brief))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "You can read this brief but not change it" in html
    # The quotes are shown, not offered for editing.
    assert "A frozen quote." in html
    assert 'name="quotes-0-text"' not in html and 'name="quotes-0-DELETE"' not in html
    response = client.post(change_url(brief), {**brief_post(), "title": "Changed"})
    assert response.status_code == 403
    brief.refresh_from_db()
    assert brief.title == "Frozen"
    # An editor gets the same brief as a form.
    assert 'name="quotes-0-text"' in logged_in(client, EditorFactory()).get(change_url(brief)).content.decode()


def test_publishing_fields_are_read_only_for_contributors(client):
    brief = draft()
    contributor_html = logged_in(client, ContributorFactory()).get(change_url(brief)).content.decode()
    assert 'name="published_at_0"' not in contributor_html and 'name="expires_at_0"' not in contributor_html
    editor_html = logged_in(client, EditorFactory()).get(change_url(brief)).content.decode()
    assert 'name="published_at_0"' in editor_html and 'name="expires_at_0"' in editor_html
    for html in (contributor_html, editor_html):
        assert 'name="status"' not in html


def test_status_posted_to_the_form_is_ignored_and_creator_is_kept(client):
    contributor = ContributorFactory()
    data = brief_post(status="published", published_at_0="2020-01-01", published_at_1="10:00:00")
    response = logged_in(client, contributor).post(ADD_URL, data)
    assert response.status_code == 302
    brief = Brief.objects.get(slug=data["slug"])
    assert brief.status == Brief.Status.DRAFT
    assert brief.published_at is None  # read-only for contributors
    assert brief.created_by == contributor
    assert not Brief.objects.live().filter(pk=brief.pk).exists()


def test_editor_cannot_clear_the_time_of_a_published_brief(client):
    logged_in(client, EditorFactory())
    data = brief_post()
    client.post(ADD_URL, data)
    brief = Brief.objects.get(slug=data["slug"])
    Brief.objects.filter(pk=brief.pk).update(status="published", published_at=timezone.now())
    edit = {**data, **inline_management("quotes", 0), **inline_management("related_links", 0)}
    edit["published_at_0"] = edit["published_at_1"] = ""
    brief.quotes.all().delete()
    brief.related_links.all().delete()
    response = client.post(change_url(brief), edit)
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors


def test_history_is_shown_on_the_change_page(client):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    editor = EditorFactory(username="ed")
    Transition.objects.create(brief=brief, user=editor, from_state="draft", to_state="in_review", comment="Look")
    html = logged_in(client, editor).get(change_url(brief)).content.decode()
    assert "Workflow history" in html
    assert "<td>ed</td><td>Draft</td><td>In review</td><td>Look</td>" in html


def test_admin_pages_link_to_the_schedule(client):
    logged_in(client, EditorFactory())
    schedule = reverse("admin:briefs_brief_schedule")
    assert schedule in client.get(reverse("admin:briefs_brief_changelist")).content.decode()
    assert schedule in client.get(reverse("admin:index")).content.decode()


def custom_urls(brief, revision, link):
    """Every extra admin URL of a brief, with the methods it is for."""
    args = [brief.pk]
    return [
        (reverse("admin:briefs_brief_schedule"), {"GET"}),
        (transition_url(brief, "publish"), {"POST"}),
        (reverse("admin:briefs_brief_correction", args=args), {"POST"}),
        (reverse("admin:briefs_brief_revisions", args=args), {"GET"}),
        (reverse("admin:briefs_brief_compare", args=args) + f"?a={revision.pk}&b={revision.pk}", {"GET"}),
        (reverse("admin:briefs_brief_restore", args=[brief.pk, revision.pk]), {"POST"}),
        (reverse("admin:briefs_brief_revision_preview", args=[brief.pk, revision.pk]), {"GET"}),
        (reverse("admin:briefs_brief_publish_pending", args=[brief.pk, revision.pk]), {"POST"}),
        (reverse("admin:briefs_brief_preview", args=args), {"GET", "POST"}),
        (reverse("admin:briefs_brief_share", args=args), {"GET", "POST"}),
        (reverse("admin:briefs_brief_revoke_share", args=[brief.pk, link.pk]), {"POST"}),
        (reverse("admin:briefs_brief_presence", args=args), {"POST"}),
    ]


@pytest.fixture
def brief_with_revision_and_link():
    from briefs.preview import create_preview_link
    from briefs.revisions import save_revision

    editor = EditorFactory()
    brief = BriefFactory()
    revision = save_revision(brief=brief, user=editor)
    return brief, revision, create_preview_link(brief=brief, user=editor)


def test_every_extra_admin_url_refuses_other_methods_with_405(client, brief_with_revision_and_link):
    logged_in(client, EditorFactory())
    for url, methods in custom_urls(*brief_with_revision_and_link):
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - methods:
            response = getattr(client, method.lower())(url)
            assert response.status_code == 405, (method, url, response.status_code)


def test_every_extra_admin_url_refuses_staff_outside_the_groups(client, brief_with_revision_and_link):
    brief, revision, link = brief_with_revision_and_link
    logged_in(client, UserFactory(is_staff=True))
    for url, methods in custom_urls(brief, revision, link):
        for method in methods:
            response = getattr(client, method.lower())(url)
            assert response.status_code == 403, (method, url, response.status_code)
    link.refresh_from_db()
    assert link.revoked_at is None
    assert brief.revisions.count() == 1


@pytest.mark.parametrize("object_id", ["abc", "999999", "99999999999999999999", "-1"])
def test_every_extra_admin_url_answers_bad_brief_ids_with_404(client, brief_with_revision_and_link, object_id):
    brief, revision, link = brief_with_revision_and_link
    logged_in(client, EditorFactory())
    for url, methods in custom_urls(brief, revision, link):
        url = url.replace(f"/{brief.pk}/", f"/{object_id}/", 1)
        if "schedule" in url:
            continue
        for method in methods:
            response = getattr(client, method.lower())(url)
            assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize("value", ["9999-12-31T23:59", "0001-01-01T00:00", "1899-12-31T23:59"])
def test_publish_time_the_database_cannot_store_is_a_message_not_a_500(client, value):
    brief = BriefFactory(status=Brief.Status.IN_REVIEW, published_at=None)
    response = logged_in(client, EditorFactory()).post(
        transition_url(brief, "publish"), {"publish_at": value}, follow=True
    )
    assert response.status_code == 200
    assert "Pick a time between the years 1900 and 2999." in response.content.decode()
    brief.refresh_from_db()
    assert (brief.status, brief.published_at) == (Brief.Status.IN_REVIEW, None)


@pytest.mark.parametrize("field", ["published_at", "expires_at"])
def test_publishing_time_in_year_9999_is_a_form_error_not_a_500(client, field):
    from tests.admin_forms import change_form_data

    brief = BriefFactory()
    logged_in(client, EditorFactory())
    page = client.get(change_url(brief))
    response = client.post(
        change_url(brief), change_form_data(page, **{f"{field}_0": "9999-12-31", f"{field}_1": "23:59:00"})
    )
    assert response.status_code == 200
    assert "Pick a time between the years 1900 and 2999." in str(response.context["adminform"].form.errors[field])


def test_refusal_names_the_step(client):
    from django.core.exceptions import PermissionDenied

    from briefs import workflow

    with pytest.raises(PermissionDenied, match="You may not take the step “Withdraw”."):
        workflow.withdraw(brief=BriefFactory(), user=ContributorFactory())
