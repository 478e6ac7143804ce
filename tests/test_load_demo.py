"""`manage.py load_demo`: enough content to see every rule, and loading twice changes nothing."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from briefs.models import (
    Brief,
    BriefIssue,
    BriefType,
    Correction,
    ExpertQuote,
    PreviewLink,
    PreviewLinkUse,
    RelatedLink,
    Revision,
    Transition,
)
from core.richtext import sanitize_html
from demo import load
from demo.content import EXPERTS, ISSUES
from demo.generate import brief_specs
from experts.models import Expert
from issues.models import Issue

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS = [
    BriefType,
    Issue,
    Expert,
    Expert.issues.through,
    Brief,
    BriefIssue,
    Brief.authors.through,
    ExpertQuote,
    RelatedLink,
    # The workflow's and revisions' tables: a rerun must not add history either.
    Transition,
    Revision,
    Correction,
    PreviewLink,
    PreviewLinkUse,
    get_user_model(),
]


def run_load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every model the command touches, every field included."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS}


@pytest.fixture
def loaded(settings):
    settings.DEBUG = True
    return run_load_demo()


class TestContent:
    def test_counts_meet_the_minimums(self, loaded):
        assert BriefType.objects.count() >= 3
        assert Issue.objects.count() >= 12
        assert Expert.objects.count() >= 6
        assert Brief.objects.count() >= 40
        assert Brief.objects.live().count() >= 40

    def test_issues_form_a_two_level_hierarchy_with_featured_ones(self, loaded):
        top = Issue.objects.filter(parent=None)
        subs = Issue.objects.exclude(parent=None)
        assert top.count() >= 3 and subs.count() >= 9
        assert not subs.filter(parent__parent__isnull=False).exists(), "only two levels"
        assert top.filter(featured=True).exists()
        assert not Issue.objects.filter(description="").exists()

    def test_experts_have_profiles_in_two_or_three_programs(self, loaded):
        assert 2 <= len(set(Expert.objects.values_list("program", flat=True))) <= 3
        for expert in Expert.objects.prefetch_related("issues"):
            assert expert.title and expert.bio.startswith("<p>")
            assert expert.issues.exists()
            assert default_storage.exists(expert.photo.name), expert.slug
        assert Expert.objects.filter(is_active=False).exists(), "a former expert shows the active flag"

    def test_live_briefs_are_complete_and_spread_over_two_years(self, loaded):
        now = timezone.now()
        live = list(Brief.objects.live().prefetch_related("quotes__expert", "related_links", "issues", "authors"))
        for brief in live:
            assert brief.summary and brief.developments.startswith("<p>") and "<h2>" in brief.body
            assert 1 <= len(brief.quotes.all()) <= 3
            assert all(quote.expert_title == quote.expert.title for quote in brief.quotes.all())
            assert brief.issues.all() and brief.authors.all()
            assert len(brief.related_links.all()) >= 2
        dates = [brief.published_at for brief in live]
        assert min(dates) >= now - datetime.timedelta(days=730)
        assert min(dates) <= now - datetime.timedelta(days=540), "the oldest brief is well over a year old"
        assert max(dates) >= now - datetime.timedelta(days=14), "something recent on the home page"
        assert len({brief.type_id for brief in live}) == BriefType.objects.count()

    def test_all_three_kinds_of_related_link(self, loaded):
        kinds = {link.kind for link in RelatedLink.objects.all()}
        assert kinds == {RelatedLink.Kind.BRIEF, RelatedLink.Kind.EXTERNAL, RelatedLink.Kind.CITATION}
        external = RelatedLink.objects.exclude(url="").first()
        assert external.title and external.byline
        citation = RelatedLink.objects.filter(url="", target_brief=None).first()
        assert citation.title and citation.byline

    def test_internal_links_point_only_at_live_briefs(self, loaded):
        live = set(Brief.objects.live().values_list("pk", flat=True))
        targets = set(RelatedLink.objects.exclude(target_brief=None).values_list("target_brief_id", flat=True))
        assert targets and targets <= live

    def test_every_workflow_rule_is_visible_and_live_excludes_it(self, loaded):
        now = timezone.now()
        hidden = {
            "draft": Brief.objects.filter(status=Brief.Status.DRAFT),
            "in review": Brief.objects.filter(status=Brief.Status.IN_REVIEW),
            "scheduled": Brief.objects.filter(status=Brief.Status.PUBLISHED, published_at__gt=now),
            "withdrawn": Brief.objects.filter(status=Brief.Status.WITHDRAWN),
            "expired": Brief.objects.filter(status=Brief.Status.PUBLISHED, expires_at__lte=now),
        }
        live = set(Brief.objects.live().values_list("pk", flat=True))
        for name, briefs in hidden.items():
            assert briefs.exists(), f"no {name} brief"
            assert not live & set(briefs.values_list("pk", flat=True)), f"a {name} brief is live"
        assert Brief.objects.filter(status=Brief.Status.DRAFT).count() >= 2

    def test_rich_text_is_clean_already(self, loaded):
        """The sanitiser would leave every demo text as written, so reloading compares equal."""
        for spec in brief_specs():
            assert sanitize_html(spec["developments"]) == spec["developments"]
            assert sanitize_html(spec["body"]) == spec["body"]
            stored = Brief.objects.get(slug=spec["slug"])
            assert (stored.developments, stored.body) == (spec["developments"], spec["body"])
        for *_, bio in EXPERTS:
            assert sanitize_html(bio) == bio
        for *_, description in ISSUES:
            assert sanitize_html(description) == description


class TestIdempotence:
    def test_second_run_changes_nothing(self, loaded):
        before = snapshot()
        output = run_load_demo()
        assert snapshot() == before
        assert "Nothing changed" in output

    def test_a_later_run_keeps_the_dates_of_the_first(self, loaded):
        before = snapshot()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=5)):
            output = run_load_demo()
        assert snapshot() == before
        assert "Nothing changed" in output

    def test_one_brief_redated_by_hand_does_not_shift_the_others(self, loaded):
        newest = Brief.objects.live().first()
        Brief.objects.filter(pk=newest.pk).update(published_at=newest.published_at - datetime.timedelta(days=1))
        others = dict(Brief.objects.exclude(pk=newest.pk).values_list("slug", "published_at"))
        run_load_demo()
        assert dict(Brief.objects.exclude(pk=newest.pk).values_list("slug", "published_at")) == others
        assert Brief.objects.get(pk=newest.pk).published_at == newest.published_at

    def test_once_the_scheduled_time_passes_a_rerun_schedules_it_again(self, loaded):
        later = timezone.now() + datetime.timedelta(days=30)
        dates = dict(Brief.objects.values_list("slug", "published_at"))
        with time_machine.travel(later):
            run_load_demo()
            scheduled = Brief.objects.filter(status=Brief.Status.PUBLISHED, published_at__gt=timezone.now())
            assert scheduled.count() == 1
        moved = {
            slug
            for slug, published_at in Brief.objects.values_list("slug", "published_at")
            if dates[slug] != published_at
        }
        assert moved == {scheduled.get().slug}

    def test_a_rerun_restores_edited_content_without_duplicates(self, loaded):
        brief = Brief.objects.live().first()
        counts = (ExpertQuote.objects.count(), RelatedLink.objects.count())
        Brief.objects.filter(pk=brief.pk).update(title="Edited by hand")
        brief.quotes.first().delete()
        issues = set(brief.issues.all())
        brief.issues.clear()
        output = run_load_demo()
        brief.refresh_from_db()
        assert brief.title != "Edited by hand"
        assert set(brief.issues.all()) == issues
        assert (ExpertQuote.objects.count(), RelatedLink.objects.count()) == counts
        assert "Brief:        1 updated" in output

    def test_everything_happens_in_one_transaction(self, settings, monkeypatch):
        def fail(report, *, debug):
            raise RuntimeError("stop before the end")

        monkeypatch.setattr(load, "ensure_demo_login", fail)
        with pytest.raises(RuntimeError):
            run_load_demo()
        assert not Brief.objects.exists() and not Issue.objects.exists()


class TestDemoLogin:
    def test_debug_creates_admin_and_prints_the_login(self, settings):
        settings.DEBUG = True
        output = run_load_demo()
        admin = get_user_model().objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff and admin.check_password("admin")
        assert "/admin/" in output and "'admin'" in output

    def test_without_debug_no_login_is_created(self, settings):
        settings.DEBUG = False
        output = run_load_demo()
        assert not get_user_model().objects.filter(username="admin").exists()
        assert "skipped creating the demo login" in output
        assert Brief.objects.count() >= 40

    def test_an_existing_admin_keeps_its_password(self, settings):
        settings.DEBUG = True
        get_user_model().objects.create_user(username="admin", password="chosen-by-me")
        output = run_load_demo()
        assert get_user_model().objects.get(username="admin").check_password("chosen-by-me")
        assert "password left unchanged" in output
