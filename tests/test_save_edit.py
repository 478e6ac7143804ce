"""Saving an edit with the service the admin calls (``briefs.edits.save_edit``), given plain revision
data: a brief that is not published takes the edit at once; a published one keeps it pending while its
dates apply at once, moving only the cached pages they touch; stale and unauthorised saves are refused."""

import calendar
import datetime

import feedparser
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from briefs.edits import EditConflict, save_edit
from briefs.models import Brief, Revision
from briefs.revisions import live_revision, pending_revision, working_copy
from tests.admin_forms import brief_change_url, change_form_data
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    ContributorFactory,
    EditorFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
    UserFactory,
)
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def editor():
    return EditorFactory(username="ada", first_name="Ada", last_name="Lovelace")


def corner(issue_name, expert_name, type_name, title, **kwargs):
    """A live brief with its own issue, expert and type: an edit of it shows on no other corner's page."""
    expert = ExpertFactory(name=expert_name, title="Senior Director")
    brief = BriefFactory(
        title=title,
        type=BriefTypeFactory(name=type_name),
        issues=[IssueFactory(name=issue_name)],
        authors=[expert],
        **kwargs,
    )
    ExpertQuoteFactory(brief=brief, expert=expert, text=f"{expert_name} on {issue_name}.")
    return brief


@pytest.fixture
def live_brief():
    return corner("Iran", "Bradley Bowman", "Flash Brief", "Militias resume attacks")


@pytest.fixture
def other_brief():
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)  # older than the live brief, at first
    return corner("Syria", "Michael Doran", "Analysis", "Assad's army regroups", published_at=two_hours_ago)


def page(url):
    """``url`` as an anonymous reader gets it, through the public page cache."""
    return Client().get(url)


def edited(brief, **changes):
    """The brief's working copy with ``changes``: plain revision data, as a script would build it."""
    return {**working_copy(brief), **changes}


def test_an_edit_of_a_draft_is_applied(editor):
    draft = BriefFactory(title="Draft title", status=Brief.Status.DRAFT, published_at=None)
    quote = ExpertQuoteFactory(brief=draft, text="First draft of the quote.", order=1)
    expert, issue = ExpertFactory(name="Mike Daum"), IssueFactory(name="Iraq")
    data = edited(
        draft,
        title="Better title",
        authors=[expert.pk],
        issues=[issue.pk],
        quotes=[{"expert": quote.expert_id, "text": "Second draft of the quote.", "expert_title": "", "order": 1}],
        related_links=[{"target_brief": None, "url": "", "title": "A report", "byline": "by A. Writer", "order": 1}],
    )

    result = save_edit(brief=draft, user=editor, data=data)

    assert result.applied and result.revision.applied_at is not None
    assert result.revision == live_revision(draft) and pending_revision(draft) is None
    assert result.messages == ()
    assert draft.title == "Better title"  # the object given is refreshed from its row
    draft.refresh_from_db()
    assert (draft.title, list(draft.authors.all()), list(draft.issues.all())) == ("Better title", [expert], [issue])
    (stored,) = draft.quotes.all()
    assert (stored.pk, stored.text) == (quote.pk, "Second draft of the quote.")  # written in place
    assert [link.title for link in draft.related_links.all()] == ["A report"]
    assert result.revision.data == working_copy(draft)


def test_an_edit_of_a_live_brief_waits_and_readers_keep_the_live_version(editor, live_brief):
    url = live_brief.get_absolute_url()
    assert "Militias resume attacks" in page(url).content.decode()  # now in the page cache

    result = save_edit(brief=live_brief, user=editor, data=edited(live_brief, title="Militias halt attacks"))

    assert result.pending and result.revision == pending_revision(live_brief)
    assert result.revision.data["title"] == "Militias halt attacks"
    assert result.messages == (
        f"Saved as pending revision {result.revision.number}. Readers still see the live version until an "
        "editor publishes the pending changes.",
    )
    assert live_brief.title == "Militias resume attacks"
    html = page(url).content.decode()
    assert "Militias resume attacks" in html and "Militias halt attacks" not in html
    # The live row has its baseline revision, so the pending changes can be compared with it.
    assert live_revision(live_brief).data["title"] == "Militias resume attacks"


def test_a_live_brief_s_new_publication_time_applies_at_once_and_moves_only_its_pages(
    client, editor, live_brief, other_brief
):
    other_url = other_brief.get_absolute_url()
    old_url = live_brief.get_absolute_url()
    for url in (other_url, old_url, "/briefs/", "/feed/"):
        assert client.get(url).status_code == 200
    assert client.get(other_url)["X-Page-Cache"] == "hit"
    listing = client.get("/briefs/").content.decode()
    assert listing.index("Militias resume") < listing.index("Assad")
    earlier = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)

    result = save_edit(
        brief=live_brief,
        user=editor,
        data=edited(live_brief, summary="A summary that waits."),
        dates={"published_at": earlier},
    )

    assert result.pending and result.dates == ("published_at",)
    assert result.messages[0] == "The new publication time applies now."
    assert live_brief.published_at == earlier and live_brief.summary != "A summary that waits."
    # Its address carries the new date; the old one redirects there.
    new_url = live_brief.get_absolute_url()
    assert new_url != old_url and f"/{timezone.localtime(earlier):%Y/%m/%d}/" in new_url
    assert client.get(old_url)["Location"] == new_url
    assert client.get(new_url).status_code == 200
    # Listings and feeds moved: it is now older than the other brief.
    listing = client.get("/briefs/").content.decode()
    assert listing.index("Assad") < listing.index("Militias resume")
    entries = feedparser.parse(client.get("/feed/").content).entries
    assert [entry.title for entry in entries] == ["Assad's army regroups", "Militias resume attacks"]
    assert calendar.timegm(entries[1].published_parsed) == earlier.timestamp()
    # Nothing site-wide was flushed: a page not showing the brief is still served from the cache.
    assert client.get(other_url)["X-Page-Cache"] == "hit"


def test_a_date_change_from_the_admin_moves_only_its_pages_too(client, editor, live_brief, other_brief):
    other_url = other_brief.get_absolute_url()
    client.get(other_url)
    assert client.get(other_url)["X-Page-Cache"] == "hit"
    admin = Client()
    admin.force_login(editor)
    expiry = timezone.localtime(timezone.now() + datetime.timedelta(days=30))
    data = change_form_data(admin.get(brief_change_url(live_brief)), expires_at_0=f"{expiry:%Y-%m-%d}")
    data["expires_at_1"] = "12:00:00"
    response = admin.post(brief_change_url(live_brief), data, follow=True)
    assert response.status_code == 200, errors_of(response)
    html = response.content.decode()
    assert "The new expiry time applies now." in html and "No content changed" in html
    live_brief.refresh_from_db()
    assert timezone.localtime(live_brief.expires_at).date() == expiry.date()
    assert client.get(other_url)["X-Page-Cache"] == "hit"


def test_a_save_over_a_newer_revision_is_refused_with_who_and_when(editor, live_brief):
    opened = 0  # the brief had no revision when both opened it
    first = save_edit(brief=live_brief, user=editor, data=edited(live_brief, title="Ada's title"), opened_revision=0)
    bob = EditorFactory(username="bob", first_name="Bob", last_name="Woodward")

    with pytest.raises(EditConflict) as refused:
        save_edit(brief=live_brief, user=bob, data=edited(live_brief, title="Bob's title"), opened_revision=opened)

    when = timezone.localtime(first.revision.created_at)
    assert refused.value.messages == [
        f"This brief was changed by Ada Lovelace at {when:%Y-%m-%d %H:%M:%S %Z} after you opened it "
        f"(revision {first.revision.number}; you opened revision 1)."
    ]
    assert (refused.value.opened.number, refused.value.latest) == (1, first.revision)
    assert pending_revision(live_brief).data["title"] == "Ada's title"
    # Having seen Ada's revision (given as itself or by its number), Bob may save over it.
    result = save_edit(
        brief=live_brief, user=bob, data=edited(live_brief, title="Bob's title"), opened_revision=first.revision
    )
    assert result.pending and result.revision.created_by == bob


@pytest.mark.parametrize(
    "who, status, dates",
    [
        ("nobody", Brief.Status.DRAFT, {}),
        ("reader", Brief.Status.DRAFT, {}),
        ("contributor", Brief.Status.IN_REVIEW, {}),
        ("contributor", Brief.Status.DRAFT, {"expires_at": timezone.now() + datetime.timedelta(days=9)}),
    ],
    ids=["no-user", "view-only", "contributor-in-review", "contributor-dates"],
)
def test_a_save_by_someone_who_may_not_is_refused_and_changes_nothing(who, status, dates):
    brief = BriefFactory(title="As it was", status=status, published_at=None)
    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_brief"))
    user = {"nobody": None, "reader": reader, "contributor": ContributorFactory()}[who]

    with pytest.raises(PermissionDenied):
        save_edit(brief=brief, user=user, data=edited(brief, title="Changed"), dates=dates)

    brief.refresh_from_db()
    assert (brief.title, brief.expires_at, Revision.objects.filter(brief=brief).exists()) == ("As it was", None, False)


def test_a_contributor_may_propose_changes_to_a_live_brief(live_brief):
    result = save_edit(brief=live_brief, user=ContributorFactory(), data=edited(live_brief, title="Proposed"))
    assert result.pending and live_brief.title == "Militias resume attacks"


def test_saving_what_is_already_there_records_nothing(editor, live_brief):
    draft = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    for brief in (draft, live_brief):
        result = save_edit(brief=brief, user=editor, data=working_copy(brief))
        assert result.unchanged and result.revision is None
        assert not Revision.objects.filter(brief=brief).exists()
    assert result.messages == ("No content changed: there are no pending changes; readers see the live version.",)


def test_undoing_pending_changes_leaves_the_live_version_with_nothing_pending(editor, live_brief):
    live = working_copy(live_brief)
    save_edit(brief=live_brief, user=editor, data={**live, "title": "Pending title"})
    result = save_edit(brief=live_brief, user=editor, data=live)
    assert result.unchanged and result.revision.applied_at is not None
    assert pending_revision(live_brief) is None
    assert live_brief.revisions.filter(data__title="Pending title").exists()


def test_content_is_checked_as_the_form_checks_it(editor, live_brief):
    unknown_expert = {"expert": 999999, "text": "Who?", "expert_title": "", "order": 1}
    cases = {
        "title": {"title": ""},
        "slug": {"slug": BriefFactory(slug="taken").slug},
        "quotes": {"quotes": [unknown_expert]},
        "related_links": {"related_links": [{"target_brief": live_brief.pk, "url": "", "title": "", "byline": ""}]},
        "issues": {"issues": [999999]},
    }
    for field, changes in cases.items():
        with pytest.raises(ValidationError) as refused:
            save_edit(brief=live_brief, user=editor, data=edited(live_brief, **changes))
        assert field in refused.value.message_dict, field
    with pytest.raises(ValidationError, match="use Withdraw"):
        save_edit(
            brief=live_brief,
            user=editor,
            data=working_copy(live_brief),
            dates={"expires_at": timezone.now() - datetime.timedelta(minutes=1)},
        )
    with pytest.raises(ValueError, match="status"):
        save_edit(brief=live_brief, user=editor, data=working_copy(live_brief), dates={"status": "withdrawn"})
    assert not Revision.objects.filter(brief=live_brief).exists()

    # Rich text is cleaned before it is kept, as the form's field cleans it.
    script = '<p onclick="evil()">Kept<script>alert(1)</script></p>'
    result = save_edit(brief=live_brief, user=editor, data=edited(live_brief, developments=script))
    assert result.revision.data["developments"] == "<p>Kept</p>"


def test_related_links_are_written_in_place_and_the_rest_removed(editor):
    draft = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    first, second = RelatedLinkFactory(brief=draft, order=1), RelatedLinkFactory(brief=draft, order=2)
    target = BriefFactory(title="Read this too")
    data = edited(draft, related_links=[{"target_brief": target.pk, "url": "", "title": "", "byline": "", "order": 1}])
    save_edit(brief=draft, user=editor, data=data)
    (link,) = draft.related_links.all()
    assert (link.pk, link.target_brief, link.title) == (first.pk, target, "")
    assert not draft.related_links.filter(pk=second.pk).exists()
