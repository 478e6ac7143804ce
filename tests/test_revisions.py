"""Every save keeps a revision (with quotes, links, issues, authors); editors compare and restore."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from briefs.models import Brief, Revision
from briefs.revision_diff import text_to_words, word_diff
from briefs.revisions import restore_revision, save_revision
from tests.admin_forms import change_form_data
from tests.factories import (
    BriefFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
    SuperUserFactory,
    UserFactory,
)
from tests.test_admin import ADD_URL, brief_post, errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = SuperUserFactory(username="editor", first_name="Ada", last_name="Editor")
    client.force_login(user)
    return user


def change_url(brief):
    return reverse("admin:briefs_brief_change", args=[brief.pk])


def edit(client, brief, **overrides):
    page = client.get(change_url(brief))
    return client.post(change_url(brief), change_form_data(page, **overrides))


def draft_with_content():
    bowman = ExpertFactory(name="Bradley Bowman")
    brief = BriefFactory(
        status=Brief.Status.DRAFT,
        published_at=None,
        title="Militias resume attacks",
        issues=[IssueFactory(name="Iran")],
        authors=[bowman],
    )
    ExpertQuoteFactory(brief=brief, expert=bowman, text="Deterrence failed.", order=1)
    RelatedLinkFactory(brief=brief, title="An outside report", order=1)
    return brief


def test_adding_a_brief_stores_revision_one_with_its_inlines(client, editor):
    response = client.post(ADD_URL, brief_post())
    assert response.status_code == 302, errors_of(response)
    brief = Brief.objects.get(slug="iran-backed-iraqi-militias-resume-attacks")
    (revision,) = brief.revisions.all()
    assert (revision.number, revision.created_by, revision.applied_at is not None) == (1, editor, True)
    data = revision.data
    assert data["title"] == "Iran-Backed Iraqi Militias Resume Attacks on U.S. Forces"
    assert [q["text"] for q in data["quotes"]] == [
        "The White House should learn from that experience.",
        "Washington must not back down.",
    ]
    assert [link["title"] for link in data["related_links"]] == [
        "",
        "The consequences of US weakness in Iraq and Syria",
        "American Forces Under Attack By Iran and its Proxies",
    ]
    assert data["issues"] == sorted(brief.issues.values_list("pk", flat=True))
    assert data["authors"] == list(brief.authors.values_list("pk", flat=True))


def test_every_change_stores_a_new_revision_including_inline_edits(client, editor):
    brief = draft_with_content()
    response = edit(client, brief, title="Militias strike again", **{"quotes-0-DELETE": "on"})
    assert response.status_code == 302, errors_of(response)
    response = edit(client, brief, summary="Second edit.")
    assert response.status_code == 302, errors_of(response)

    revisions = list(brief.revisions.order_by("number"))
    # Revision 1 keeps the brief as it was before revisions were first recorded.
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[0].created_by is None
    assert revisions[0].data["title"] == "Militias resume attacks"
    assert [q["text"] for q in revisions[0].data["quotes"]] == ["Deterrence failed."]
    assert revisions[1].data["title"] == "Militias strike again" and revisions[1].data["quotes"] == []
    assert revisions[2].data["summary"] == "Second edit."
    assert all(r.created_by == editor for r in revisions[1:])


def test_restore_brings_back_content_and_inlines_as_a_new_revision(client, editor):
    brief = draft_with_content()
    edit(client, brief, title="Wrong title", **{"quotes-0-DELETE": "on", "related_links-0-DELETE": "on"})
    brief.refresh_from_db()
    assert brief.title == "Wrong title" and not brief.quotes.exists()

    first = brief.revisions.get(number=1)
    response = client.post(reverse("admin:briefs_brief_restore", args=[brief.pk, first.pk]))
    assert response.status_code == 302

    brief.refresh_from_db()
    assert brief.title == "Militias resume attacks"
    assert [q.text for q in brief.quotes.all()] == ["Deterrence failed."]
    assert [link.title for link in brief.related_links.all()] == ["An outside report"]
    assert [i.name for i in brief.issues.all()] == ["Iran"]
    # Nothing is lost: the bad edit is still revision 2, the restore is revision 3.
    assert list(brief.revisions.order_by("number").values_list("number", "restored_from")) == [
        (1, None),
        (2, None),
        (3, 1),
    ]
    assert brief.revisions.get(number=2).data["title"] == "Wrong title"


def test_restore_of_another_briefs_revision_is_404_and_changes_nothing(client, editor):
    mine, other = draft_with_content(), BriefFactory(title="Other brief", status=Brief.Status.DRAFT, published_at=None)
    other_revision = save_revision(brief=other, user=editor)
    save_revision(brief=mine, user=editor)
    url = reverse("admin:briefs_brief_restore", args=[mine.pk, other_revision.pk])
    assert client.post(url).status_code == 404
    mine.refresh_from_db()
    assert mine.title == "Militias resume attacks"
    assert mine.revisions.count() == 1
    compare = reverse("admin:briefs_brief_compare", args=[mine.pk])
    assert client.get(compare, {"a": mine.revisions.get().pk, "b": other_revision.pk}).status_code == 404
    assert client.get(compare, {"a": "x", "b": "1"}).status_code == 404


def test_restore_needs_post_and_change_permission(client, editor):
    brief = draft_with_content()
    revision = save_revision(brief=brief, user=editor)
    url = reverse("admin:briefs_brief_restore", args=[brief.pk, revision.pk])
    assert client.get(url).status_code == 405

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_brief"))
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert brief.revisions.count() == 1


def test_restore_refuses_a_slug_taken_since(client, editor):
    brief = draft_with_content()
    old = save_revision(brief=brief, user=editor)
    Brief.objects.filter(pk=brief.pk).update(slug="new-address")
    BriefFactory(slug=old.data["slug"])
    response = client.post(reverse("admin:briefs_brief_restore", args=[brief.pk, old.pk]), follow=True)
    assert response.status_code == 200
    assert "now used by another brief" in response.content.decode()
    brief.refresh_from_db()
    assert brief.slug == "new-address"


def test_history_page_lists_who_when_and_which_is_live(client, editor):
    brief = BriefFactory(title="Live brief")
    save_revision(brief=brief, user=editor)
    edit(client, brief, title="Pending title")
    html = client.get(reverse("admin:briefs_brief_revisions", args=[brief.pk])).content.decode()
    assert "Ada Editor" in html
    assert "<strong>live</strong>" in html and "<strong>pending</strong>" in html
    assert html.count('<th scope="row">') == 2


def test_compare_shows_a_word_diff_of_rich_text_and_lists_escaped(client, editor):
    brief = draft_with_content()
    first = save_revision(brief=brief, user=editor)
    edit(
        client,
        brief,
        developments="<p>Something <strong>big</strong> happened today.</p>",
        summary="Summary with <script>alert(1)</script>",
        **{"quotes-0-text": "Deterrence was restored."},
    )
    second = brief.revisions.get(number=2)
    response = client.get(reverse("admin:briefs_brief_compare", args=[brief.pk]), {"a": second.pk, "b": first.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Something <ins>big </ins>happened<ins> today</ins>." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    # A changed quote is one block with its changed words marked (#11), not removed and re-added.
    assert "Bradley Bowman: “Deterrence <del>failed</del><ins>was restored</ins>.”" in html


def test_restore_function_on_draft_applies_and_numbers(editor):
    brief = draft_with_content()
    first = save_revision(brief=brief, user=editor)
    Brief.objects.filter(pk=brief.pk).update(title="Changed by a script")
    restored = restore_revision(revision=first, user=editor)
    brief.refresh_from_db()
    assert brief.title == "Militias resume attacks"
    assert (restored.number, restored.restored_from, restored.created_by) == (2, 1, editor)
    assert Revision.objects.filter(brief=brief).count() == 2


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("Something happened.", "Something big happened today.", "Something <ins>big </ins>happened<ins> today</ins>."),
        (
            "two months.",
            "two months in attacks on U.S. troops.",
            "two months<del>.</del><ins> in attacks on U.S. troops.</ins>",
        ),
        (
            "Fish & chips",
            "Fish &amp; <b>chips</b>",
            "Fish &amp;<del> </del><ins>amp; &lt;b&gt;</ins>chips<ins>&lt;/b&gt;</ins>",
        ),
    ],
    ids=["words", "punctuation-joins-changes", "escaped"],
)
def test_word_diff_reads_like_prose(old, new, expected):
    assert word_diff(text_to_words(old), text_to_words(new)) == expected


def test_history_is_one_page_of_revisions_workflow_steps_and_corrections(client, editor):
    from briefs import workflow
    from briefs.revisions import pending_revision, publish_revision

    brief = BriefFactory(title="Draft brief", status=Brief.Status.DRAFT, published_at=None)
    edit(client, brief, title="Ready brief")
    workflow.submit_for_review(brief=brief, user=editor, comment="Please check the numbers")
    workflow.publish(brief=brief, user=editor)
    edit(client, brief, title="Ready brief, updated")
    publish_revision(revision=pending_revision(brief), user=editor)
    workflow.add_correction(brief=brief, user=editor, text="The ceasefire began on Monday, not Sunday.")

    response = client.get(reverse("admin:briefs_brief_revisions", args=[brief.pk]))
    html = response.content.decode()
    assert response.context["title"] == "History"
    assert html.count('<th scope="row">') == brief.revisions.count() == 3
    assert "<td>Draft</td><td>In review</td><td>Please check the numbers</td>" in html
    assert "<td>In review</td><td>Published</td>" in html
    assert "Published pending changes (revision 3)." in html
    assert "The ceasefire began on Monday, not Sunday." in html
    assert reverse("admin:briefs_brief_revisions", args=[brief.pk]) in client.get(change_url(brief)).content.decode()
