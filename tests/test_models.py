"""The content model's rules, held by the database itself (not only by forms)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from briefs.models import Brief, ExpertQuote, RelatedLink
from issues.models import Issue
from tests.factories import BriefFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2025, 3, 10, 12, 0, 0, tzinfo=datetime.UTC)


def assert_refused(**kwargs):
    # PostgreSQL reports an over-long varchar as DataError; constraints as IntegrityError.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        kwargs.pop("factory").create(**kwargs)


class TestLive:
    def test_published_in_the_past_is_live(self):
        brief = BriefFactory()
        assert list(Brief.objects.live()) == [brief]

    @pytest.mark.parametrize("status", ["draft", "in_review", "withdrawn"])
    def test_other_states_are_not_live(self, status):
        BriefFactory(status=status)
        assert not Brief.objects.live().exists()

    def test_scheduled_brief_goes_live_at_its_second(self):
        brief = BriefFactory(published_at=NOON)
        with time_machine.travel(NOON - datetime.timedelta(seconds=1), tick=False):
            assert not Brief.objects.live().exists()
            assert not brief.is_live()
        with time_machine.travel(NOON, tick=False):
            assert list(Brief.objects.live()) == [brief]
            assert brief.is_live()

    def test_brief_leaves_at_its_expiry_second(self):
        brief = BriefFactory(published_at=NOON - datetime.timedelta(days=1), expires_at=NOON)
        with time_machine.travel(NOON - datetime.timedelta(seconds=1), tick=False):
            assert list(Brief.objects.live()) == [brief]
        with time_machine.travel(NOON, tick=False):
            assert not Brief.objects.live().exists()
            assert not brief.is_live()

    def test_url_carries_the_local_publication_date(self, settings):
        settings.TIME_ZONE = "America/New_York"
        # 02:00 UTC on the 11th is still the 10th in New York.
        brief = BriefFactory(slug="late-news", published_at=NOON + datetime.timedelta(hours=14))
        assert brief.get_absolute_url() == "/briefs/2025/03/10/late-news/"


class TestBriefConstraints:
    def test_duplicate_slug_refused(self):
        BriefFactory(slug="same")
        assert_refused(factory=BriefFactory, slug="same")

    def test_published_without_time_refused(self):
        assert_refused(factory=BriefFactory, published_at=None)

    def test_expiry_before_publication_refused(self):
        assert_refused(factory=BriefFactory, published_at=NOON, expires_at=NOON - datetime.timedelta(hours=1))

    def test_over_long_title_refused_by_the_database(self):
        assert_refused(factory=BriefFactory, title="x" * 256)

    def test_unknown_status_refused(self):
        assert_refused(factory=BriefFactory, status="approved-by-magic")


class TestQuotesAndLinks:
    def test_quote_needs_an_expert(self):
        brief = BriefFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            ExpertQuote.objects.create(brief=brief, expert=None, text="Orphan quote")

    def test_quote_shows_title_at_publication_not_current_title(self):
        expert = ExpertFactory(title="Research Analyst")
        quote = ExpertQuoteFactory(expert=expert, expert_title="Research Analyst")
        expert.title = "Senior Director"
        expert.save()
        quote.refresh_from_db()
        assert quote.attribution_title == "Research Analyst"

    def test_quotes_keep_their_order(self):
        brief = BriefFactory()
        second = ExpertQuoteFactory(brief=brief, order=2)
        first = ExpertQuoteFactory(brief=brief, order=1)
        assert list(brief.quotes.all()) == [first, second]

    @pytest.mark.parametrize(
        "fields, kind",
        [
            ({"url": "https://example.org/a", "title": "A report", "byline": "by A"}, "external"),
            ({"title": "An old report", "byline": "FDD Flash Brief"}, "citation"),
        ],
    )
    def test_external_and_citation_links(self, fields, kind):
        assert RelatedLinkFactory(**{"url": "", "byline": "", **fields}).kind == kind

    def test_internal_link(self):
        target = BriefFactory()
        link = RelatedLinkFactory(target_brief=target, url="", title="", byline="")
        assert link.kind == "brief"

    def test_link_with_no_target_refused(self):
        assert_refused(factory=RelatedLinkFactory, url="", title="", byline="")

    def test_link_with_two_targets_refused(self):
        assert_refused(factory=RelatedLinkFactory, target_brief=BriefFactory(), url="https://example.org")

    def test_url_without_title_refused(self):
        assert_refused(factory=RelatedLinkFactory, title="", url="https://example.org/x")

    def test_link_to_itself_refused(self):
        brief = BriefFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLink.objects.create(brief=brief, target_brief=brief)

    def test_model_validation_explains_the_mistake(self):
        link = RelatedLink(brief=BriefFactory(), target_brief=BriefFactory(), title="Both")
        with pytest.raises(ValidationError, match="not both"):
            link.full_clean()


class TestIssueTree:
    def test_issue_cannot_be_its_own_parent_in_the_database(self):
        issue = IssueFactory(name="Iran")
        with pytest.raises(IntegrityError), transaction.atomic():
            Issue.objects.filter(pk=issue.pk).update(parent=issue)

    def test_issue_cannot_sit_under_its_descendant(self):
        iran = IssueFactory(name="Iran")
        network = IssueFactory(name="Iran Global Threat Network", parent=iran)
        proxies = IssueFactory(name="Proxies", parent=network)
        iran.parent = proxies
        with pytest.raises(ValidationError, match="sub-issues"):
            iran.full_clean()
        with pytest.raises(ValidationError):
            iran.save()
        iran.refresh_from_db()
        assert iran.parent is None

    @pytest.mark.parametrize("depth", [1, 2, 3])
    def test_issue_cannot_sit_under_its_descendant_in_the_database(self, depth):
        """Raw updates skip the model's check; the database's trigger refuses a cycle at any depth."""
        top = node = IssueFactory(name="Iran")
        for level in range(depth):
            node = IssueFactory(name=f"Level {level}", parent=node)
        with pytest.raises(IntegrityError, match="issue_no_cycle"), transaction.atomic():
            Issue.objects.filter(pk=top.pk).update(parent=node)
        top.refresh_from_db()
        assert top.parent is None

    def test_database_allows_moving_an_issue_elsewhere_in_the_tree(self):
        iran, syria = IssueFactory(name="Iran"), IssueFactory(name="Syria")
        network = IssueFactory(name="Iran Global Threat Network", parent=iran)
        Issue.objects.filter(pk=network.pk).update(parent=syria)
        Issue.objects.filter(pk=iran.pk).update(parent=network)  # now Syria > Network > Iran: no cycle
        assert Issue.objects.get(pk=iran.pk).ancestors() == [syria, network]

    def test_issue_names_are_unique_ignoring_capitals_in_the_database(self):
        IssueFactory(name="Iran", slug="iran")
        with pytest.raises(IntegrityError), transaction.atomic():
            Issue.objects.bulk_create([Issue(name="IRAN", slug="iran-2")])

    def test_descendants_and_ancestors(self):
        iran = IssueFactory(name="Iran")
        network = IssueFactory(name="Iran Global Threat Network", parent=iran)
        proxies = IssueFactory(name="Proxies", parent=network)
        IssueFactory(name="Syria")
        assert sorted(Issue.objects.descendant_ids(iran)) == sorted([iran.pk, network.pk, proxies.pk])
        assert proxies.ancestors() == [iran, network]

    def test_brief_issues_through_taggit(self):
        iran, syria = IssueFactory(name="Iran"), IssueFactory(name="Syria")
        brief = BriefFactory(issues=[iran, syria])
        assert set(brief.issues.all()) == {iran, syria}
        assert list(Brief.objects.filter(issues=iran)) == [brief]


def test_timestamps_are_aware():
    brief = BriefFactory()
    assert timezone.is_aware(brief.created_at)
