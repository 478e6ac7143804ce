"""Every workflow transition, allowed and refused, per role (briefs/workflow.py)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief, Transition
from briefs.workflow import WorkflowError
from tests.factories import (
    BriefFactory,
    ContributorFactory,
    EditorFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    SuperUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DRAFT, IN_REVIEW, PUBLISHED, WITHDRAWN = "draft", "in_review", "published", "withdrawn"
STATES = [DRAFT, IN_REVIEW, PUBLISHED, WITHDRAWN]

# Written out by hand (not read from briefs.workflow) so the test pins the rules of DESIGN.md.
CALLS = {
    "submit": lambda brief, user: workflow.submit_for_review(brief=brief, user=user),
    "request_changes": lambda brief, user: workflow.request_changes(brief=brief, user=user, comment="Fix the lede."),
    "publish": lambda brief, user: workflow.publish(brief=brief, user=user),
    "withdraw": lambda brief, user: workflow.withdraw(brief=brief, user=user),
    "reopen": lambda brief, user: workflow.reopen(brief=brief, user=user),
}
RULES = {  # action: (states it starts from, state it ends in)
    "submit": ({DRAFT}, IN_REVIEW),
    "request_changes": ({IN_REVIEW}, DRAFT),
    "publish": ({DRAFT, IN_REVIEW}, PUBLISHED),
    "withdraw": ({PUBLISHED}, WITHDRAWN),
    "reopen": ({WITHDRAWN}, DRAFT),
}
ROLE_MAY = {
    "contributor": {"submit"},
    "editor": set(RULES),
    "superuser": set(RULES),
    "staff without group": set(),
}
ROLE_FACTORIES = {
    "contributor": ContributorFactory,
    "editor": EditorFactory,
    "superuser": SuperUserFactory,
    "staff without group": lambda: UserFactory(is_staff=True),
}


def brief_in(state, **kwargs):
    published_at = timezone.now() - datetime.timedelta(hours=1) if state in (PUBLISHED, WITHDRAWN) else None
    return BriefFactory(status=state, published_at=published_at, **kwargs)


@pytest.mark.parametrize("role", list(ROLE_FACTORIES))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(RULES))
def test_every_transition_per_role_and_state(action, state, role):
    user = ROLE_FACTORIES[role]()
    brief = brief_in(state)
    sources, target = RULES[action]

    if action not in ROLE_MAY[role]:
        with pytest.raises(PermissionDenied):
            CALLS[action](brief, user)
    elif state not in sources:
        with pytest.raises(WorkflowError):
            CALLS[action](brief, user)
    else:
        step = CALLS[action](brief, user)
        brief.refresh_from_db()
        assert brief.status == target
        assert (step.brief_id, step.user, step.from_state, step.to_state) == (brief.pk, user, state, target)
        assert Transition.objects.filter(brief=brief).count() == 1
        return

    brief.refresh_from_db()
    assert brief.status == state
    assert not Transition.objects.filter(brief=brief).exists()


def test_the_whole_path_is_recorded_in_order():
    contributor, editor = ContributorFactory(), EditorFactory()
    brief = brief_in(DRAFT)
    workflow.submit_for_review(brief=brief, user=contributor, comment="First draft")
    workflow.request_changes(brief=brief, user=editor, comment="Add a second quote.")
    workflow.submit_for_review(brief=brief, user=contributor)
    workflow.publish(brief=brief, user=editor)
    workflow.withdraw(brief=brief, user=editor, comment="Legal asked us to.")
    workflow.reopen(brief=brief, user=editor)
    steps = list(brief.transitions.values_list("user__username", "from_state", "to_state", "comment"))
    assert steps == [
        (contributor.username, DRAFT, IN_REVIEW, "First draft"),
        (editor.username, IN_REVIEW, DRAFT, "Add a second quote."),
        (contributor.username, DRAFT, IN_REVIEW, ""),
        (editor.username, IN_REVIEW, PUBLISHED, ""),
        (editor.username, PUBLISHED, WITHDRAWN, "Legal asked us to."),
        (editor.username, WITHDRAWN, DRAFT, ""),
    ]
    assert brief.status == DRAFT


def test_contributor_cannot_approve_their_own_submission():
    contributor = ContributorFactory()
    brief = brief_in(DRAFT)
    workflow.submit_for_review(brief=brief, user=contributor)
    with pytest.raises(PermissionDenied, match="your own submission"):
        workflow.publish(brief=brief, user=contributor)
    brief.refresh_from_db()
    assert brief.status == IN_REVIEW and brief.published_at is None


def test_publishing_a_withdrawn_brief_says_reopen_first():
    brief = brief_in(WITHDRAWN)
    with pytest.raises(WorkflowError, match="reopen"):
        workflow.publish(brief=brief, user=EditorFactory())
    brief.refresh_from_db()
    assert brief.status == WITHDRAWN


def test_request_changes_needs_a_comment():
    brief = brief_in(IN_REVIEW)
    with pytest.raises(WorkflowError, match="comment"):
        workflow.request_changes(brief=brief, user=EditorFactory(), comment="   ")
    brief.refresh_from_db()
    assert brief.status == IN_REVIEW


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"developments": "<p> </p>"}, "Latest Developments"),
        ({"developments": ""}, "Latest Developments"),
    ],
)
def test_incomplete_brief_cannot_be_submitted_or_published(fields, message):
    brief = brief_in(DRAFT, **fields)
    with pytest.raises(WorkflowError, match=message):
        workflow.submit_for_review(brief=brief, user=ContributorFactory())
    with pytest.raises(WorkflowError, match=message):
        workflow.publish(brief=brief, user=EditorFactory())
    brief.refresh_from_db()
    assert brief.status == DRAFT and brief.published_at is None


def test_expiry_before_publication_is_refused():
    brief = brief_in(IN_REVIEW)
    at = timezone.now() + datetime.timedelta(days=2)
    Brief.objects.filter(pk=brief.pk).update(expires_at=at - datetime.timedelta(days=1))
    brief.refresh_from_db()
    with pytest.raises(WorkflowError, match="expiry time is before the publication time"):
        workflow.publish(brief=brief, user=EditorFactory(), at=at)
    brief.refresh_from_db()
    assert brief.status == IN_REVIEW and brief.published_at is None


def test_expiry_in_the_past_is_refused():
    brief = brief_in(IN_REVIEW)
    Brief.objects.filter(pk=brief.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(WorkflowError, match="expiry time has passed"):
        workflow.publish(brief=brief, user=EditorFactory())
    brief.refresh_from_db()
    assert brief.status == IN_REVIEW


def test_publication_copies_expert_titles_onto_quotes_and_keeps_them():
    brief = brief_in(IN_REVIEW)
    bowman = ExpertFactory(name="Bradley Bowman", title="Senior Director")
    daum = ExpertFactory(name="Mike Daum", title="Research Analyst")
    plain = ExpertQuoteFactory(brief=brief, expert=bowman, expert_title="")
    chosen = ExpertQuoteFactory(brief=brief, expert=daum, expert_title="Visiting Fellow")

    workflow.publish(brief=brief, user=EditorFactory())
    bowman.title = "Vice President"
    bowman.save()

    plain.refresh_from_db()
    chosen.refresh_from_db()
    assert plain.expert_title == "Senior Director"
    assert plain.attribution_title == "Senior Director"
    assert chosen.expert_title == "Visiting Fellow"


def test_publish_keeps_an_existing_publication_time_and_defaults_to_now():
    editor = EditorFactory()
    fresh = brief_in(DRAFT)
    before = timezone.now()
    workflow.publish(brief=fresh, user=editor)
    assert before <= fresh.published_at <= timezone.now()
    assert fresh.is_live()

    reopened = brief_in(WITHDRAWN)
    original = reopened.published_at
    workflow.reopen(brief=reopened, user=editor)
    workflow.publish(brief=reopened, user=editor)
    reopened.refresh_from_db()
    assert reopened.published_at == original  # same date, same address


def test_a_stale_copy_cannot_win_a_second_transition():
    """Two editors act on the same brief at once: the second sees the state the first left, under a row lock."""
    brief = brief_in(IN_REVIEW)
    first, second = Brief.objects.get(pk=brief.pk), Brief.objects.get(pk=brief.pk)
    workflow.publish(brief=first, user=EditorFactory())
    with pytest.raises(WorkflowError, match="in review"):
        workflow.request_changes(brief=second, user=EditorFactory(), comment="Too late")
    brief.refresh_from_db()
    assert brief.status == PUBLISHED
    assert list(brief.transitions.values_list("to_state", flat=True)) == [PUBLISHED]


def test_submitter_is_remembered():
    contributor = ContributorFactory()
    brief = brief_in(DRAFT)
    workflow.submit_for_review(brief=brief, user=contributor)
    brief.refresh_from_db()
    assert brief.submitted_by == contributor


@pytest.mark.parametrize(
    "role, editable",
    [
        ("contributor", {DRAFT: True, IN_REVIEW: False, PUBLISHED: True, WITHDRAWN: False}),
        ("editor", dict.fromkeys(STATES, True)),
        ("staff without group", dict.fromkeys(STATES, False)),
    ],
)
def test_brief_is_editable_by(role, editable):
    user = ROLE_FACTORIES[role]()
    assert {state: workflow.brief_is_editable_by(brief_in(state), user) for state in STATES} == editable


def test_inactive_editor_can_do_nothing():
    editor = EditorFactory(is_active=False)
    brief = brief_in(IN_REVIEW)
    with pytest.raises(PermissionDenied):
        workflow.publish(brief=brief, user=editor)
