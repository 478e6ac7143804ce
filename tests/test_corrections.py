"""Public corrections: dated notes on live briefs that move the public "updated" time; typo fixes do not."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefs import revisions, workflow
from briefs.models import Brief, Correction
from briefs.workflow import WorkflowError
from tests.factories import BriefFactory, ContributorFactory, EditorFactory
from tests.test_admin import brief_post, inline_management

pytestmark = pytest.mark.django_db


def correction_url(brief):
    return reverse("admin:briefs_brief_correction", args=[brief.pk])


def test_correction_shows_on_the_public_page_with_its_date(client):
    brief = BriefFactory(published_at=timezone.now() - datetime.timedelta(days=3))
    with time_machine.travel(datetime.datetime(2030, 5, 6, 15, 0, tzinfo=datetime.UTC), tick=False):
        Brief.objects.filter(pk=brief.pk).update(published_at=timezone.now() - datetime.timedelta(days=3))
        brief.refresh_from_db()
        workflow.add_correction(brief=brief, user=EditorFactory(), text="An earlier version misdated the strike.")
        html = client.get(brief.get_absolute_url()).content.decode()
    assert "Corrections" in html
    assert "An earlier version misdated the strike." in html
    assert '<time datetime="2030-05-06T11:00:00-04:00">May 6, 2030</time>' in html


def test_correction_moves_corrected_at_and_typo_fix_does_not(client):
    editor = EditorFactory()
    client.force_login(editor)
    data = brief_post()
    client.post(reverse("admin:briefs_brief_add"), data)
    brief = Brief.objects.get(slug=data["slug"])
    brief.quotes.all().delete()
    brief.related_links.all().delete()
    workflow.publish(brief=brief, user=editor, at=timezone.now() - datetime.timedelta(hours=2))
    assert brief.corrected_at is None

    response = client.post(correction_url(brief), {"text": "The attack was on Monday, not Sunday."})
    assert response.status_code == 302
    brief.refresh_from_db()
    corrected_at = brief.corrected_at
    assert corrected_at is not None and corrected_at == Correction.objects.get().at

    # A typo fix through the ordinary form leaves the public "updated" time alone.
    brief.refresh_from_db()
    published_at = timezone.localtime(brief.published_at)
    edit = {
        **data,
        "title": "Iran-Backed Iraqi Militias Resume Attacks on US Forces",
        "published_at_0": published_at.strftime("%Y-%m-%d"),
        "published_at_1": published_at.strftime("%H:%M:%S"),
        **inline_management("quotes", 0),
        **inline_management("related_links", 0),
    }
    response = client.post(reverse("admin:briefs_brief_change", args=[brief.pk]), edit)
    assert response.status_code == 302
    # The brief is live, so the edit waits as pending changes until an editor publishes them.
    brief.refresh_from_db()
    assert brief.title.endswith("U.S. Forces")
    revisions.publish_revision(revision=revisions.pending_revision(brief), user=editor)
    brief.refresh_from_db()
    assert brief.title.endswith("US Forces")
    assert brief.corrected_at == corrected_at


@pytest.mark.parametrize(
    "state, published_delta",
    [("draft", None), ("in_review", None), ("withdrawn", -1), ("published", +1)],
    ids=["draft", "in-review", "withdrawn", "scheduled"],
)
def test_corrections_are_for_live_briefs_only(state, published_delta):
    at = timezone.now() + datetime.timedelta(days=published_delta) if published_delta else None
    brief = BriefFactory(status=state, published_at=at)
    with pytest.raises(WorkflowError, match="live briefs"):
        workflow.add_correction(brief=brief, user=EditorFactory(), text="Fix")
    brief.refresh_from_db()
    assert brief.corrected_at is None and not Correction.objects.exists()


def test_correction_needs_text_and_an_editor(client):
    brief = BriefFactory()
    with pytest.raises(WorkflowError, match="needs its text"):
        workflow.add_correction(brief=brief, user=EditorFactory(), text="  ")
    with pytest.raises(PermissionDenied):
        workflow.add_correction(brief=brief, user=ContributorFactory(), text="Fix")
    client.force_login(ContributorFactory())
    assert client.post(correction_url(brief), {"text": "Sneaky"}).status_code == 403
    assert client.get(correction_url(brief)).status_code == 405
    assert not Correction.objects.exists()


def test_editor_sees_the_correction_form_only_on_live_briefs(client):
    client.force_login(EditorFactory())
    live = BriefFactory()
    draft = BriefFactory(status="draft", published_at=None)
    # The correction box belongs to the change form: "Add correction" saves the edits first (#11).
    button = 'name="_workflow" value="correction"'
    live_page = client.get(reverse("admin:briefs_brief_change", args=[live.pk])).content.decode()
    assert button in live_page and 'name="correction_text"' in live_page
    draft_page = client.get(reverse("admin:briefs_brief_change", args=[draft.pk])).content.decode()
    assert button not in draft_page and "correction_text" not in draft_page


def test_brief_page_query_count_does_not_grow_with_corrections(client):
    brief = BriefFactory()
    editor = EditorFactory()
    workflow.add_correction(brief=brief, user=editor, text="First")
    client.get(brief.get_absolute_url())  # the first render also works out what pages remember (#14)
    workflow.add_correction(brief=brief, user=editor, text="Second")  # the page itself must render again
    with CaptureQueriesContext(connection) as one:
        assert client.get(brief.get_absolute_url()).status_code == 200
    for n in range(28):
        workflow.add_correction(brief=brief, user=editor, text=f"Correction {n}")
    with CaptureQueriesContext(connection) as thirty:
        html = client.get(brief.get_absolute_url()).content.decode()
    assert html.count('class="correction"') == 30
    assert len(thirty) == len(one)
