"""The search index follows every change readers can see, in the same transaction, and nothing else."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief, BriefType
from briefs.revisions import pending_revision
from search.models import BriefDocument
from tests.admin_forms import change_form_data
from tests.factories import BriefFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory, SuperUserFactory
from tests.import_helpers import RED_SEA, run, taxonomy  # noqa: F401 (a fixture)
from tests.search_helpers import facets, search
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db


def finds(client, q):
    return search(client, q)[1]


def test_a_saved_title_is_found_at_once_and_the_old_one_is_not(client):
    brief = BriefFactory(title="Tanker seized")
    brief.title = "Freighter released"
    brief.save()
    assert finds(client, "freighter") == ["Freighter released"]
    assert finds(client, "tanker") == []


def test_a_rolled_back_save_leaves_the_index_as_it_was(client):
    brief = BriefFactory(title="Tanker seized")
    with pytest.raises(RuntimeError), transaction.atomic():
        brief.title = "Freighter released"
        brief.save()
        raise RuntimeError("the save fails after the row was written")
    assert finds(client, "freighter") == []
    assert finds(client, "tanker") == ["Tanker seized"]


def test_quotes_and_authors_follow_their_changes(client):
    brief = BriefFactory(title="Strait note")
    quote = ExpertQuoteFactory(brief=brief, text="Escorts deter harassment.")
    assert finds(client, "escorts") == ["Strait note"]
    quote.delete()
    assert finds(client, "escorts") == []
    author = ExpertFactory(name="Behnam Taleblu")
    brief.authors.add(author)
    assert finds(client, "taleblu") == ["Strait note"]
    author.authored_briefs.remove(brief)  # from the expert's side
    assert finds(client, "taleblu") == []


def test_an_expert_renamed_is_found_by_the_new_name_as_author_and_as_quoted(client):
    expert = ExpertFactory(name="Anna Old")
    BriefFactory(title="Written", authors=[expert])
    ExpertQuoteFactory(brief=BriefFactory(title="Quoted"), expert=expert)
    expert.name = "Anna Newname"
    expert.save()
    assert sorted(finds(client, "newname")) == ["Quoted", "Written"]
    assert finds(client, '"anna old"') == []


def test_an_expert_deleted_leaves_the_index(client):
    expert = ExpertFactory(name="Gone Person")
    BriefFactory(title="Written", authors=[expert])
    expert.delete()
    assert finds(client, "gone") == []


def test_deleting_a_brief_deletes_its_document():
    brief = BriefFactory(title="Short-lived")
    ExpertQuoteFactory(brief=brief)
    brief.delete()
    assert not BriefDocument.objects.exists()


def test_pending_changes_are_not_searchable_until_published(client):
    editor = SuperUserFactory(username="editor")
    client.force_login(editor)
    expert = ExpertFactory(name="Bradley Bowman", title="Senior Director")
    brief = BriefFactory(title="Live title", issues=[IssueFactory(name="Iran")])
    ExpertQuoteFactory(brief=brief, expert=expert, text="The live quote.")
    url = reverse("admin:briefs_brief_change", args=[brief.pk])
    page = client.get(url)
    data = change_form_data(page, title="Pending title", **{"quotes-0-text": "A zanzibar quote."})
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert finds(client, "pending") == [] and finds(client, "zanzibar") == []
    assert finds(client, "live") == ["Live title"]
    pending = pending_revision(brief)
    client.post(reverse("admin:briefs_brief_publish_pending", args=[brief.pk, pending.pk]))
    assert finds(client, "zanzibar") == ["Pending title"]  # quotes written by bulk_create, indexed too
    assert finds(client, "live") == []


def test_imported_and_published_briefs_are_searchable(client, taxonomy):  # noqa: F811
    run(RED_SEA, "--publish")
    brief = Brief.objects.get()
    with time_machine.travel(brief.published_at + datetime.timedelta(minutes=1)):
        assert finds(client, "Whitfield insurers") == [brief.title]  # a quoted expert and the body


def test_rebuild_command_indexes_briefs_written_without_signals(client):
    Brief.objects.bulk_create(
        [
            Brief(
                title="Bulk loaded",
                slug="bulk",
                type=BriefType.objects.create(name="Flash Brief", slug="flash-brief"),
                status=Brief.Status.PUBLISHED,
                published_at=timezone.now() - datetime.timedelta(hours=1),
            )
        ]
    )
    assert finds(client, "bulk") == []
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert finds(client, "bulk") == ["Bulk loaded"]


def test_the_cached_archive_follows_quotes_authors_and_renames(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    brief = BriefFactory(title="Archived")
    expert = ExpertFactory(name="Quoted Zed")
    assert "expert" not in facets(client.get("/briefs/"))  # now cached
    ExpertQuoteFactory(brief=brief, expert=expert)
    assert facets(client.get("/briefs/"))["expert"] == {"Quoted Zed": 1}
    author = ExpertFactory(name="Writer Wu")
    brief.authors.add(author)
    assert facets(client.get("/briefs/"))["expert"] == {"Quoted Zed": 1, "Writer Wu": 1}
    author.name = "Writer Woo"
    author.save()
    assert facets(client.get("/briefs/"))["expert"] == {"Quoted Zed": 1, "Writer Woo": 1}


def test_a_searchs_issue_and_expert_counts_follow_every_edit(client):
    # On PostgreSQL a search counts these from ids stored with each document (search/facets.py):
    # every way they change must rewrite them, and the counts must match the joins SQLite reads.
    iran = IssueFactory(name="Iran", slug="iran")
    network = IssueFactory(name="Iran Network", slug="iran-network", parent=iran)
    russia = IssueFactory(name="Russia", slug="russia")
    writer, quoted = ExpertFactory(name="Writer Wu"), ExpertFactory(name="Quoted Zed")
    seized = BriefFactory(title="Tanker seized", issues=[network], authors=[writer])
    sanctions = BriefFactory(title="Tanker sanctions", issues=[iran, network])  # counts once for Iran
    quote = ExpertQuoteFactory(brief=sanctions, expert=quoted, text="Enforcement bites.")

    def counts():
        shown = facets(search(client, "tanker")[0])
        return shown.get("issue", {}), shown.get("expert", {})

    assert counts() == ({"Iran": 2, "Iran Network": 2}, {"Writer Wu": 1, "Quoted Zed": 1})
    seized.issues.set([russia])  # taggit writes and deletes links one at a time
    assert counts()[0] == {"Iran": 1, "Iran Network": 1, "Russia": 1}
    sanctions.issues.remove(network)
    assert counts()[0] == {"Iran": 1, "Russia": 1}
    quote.delete()
    sanctions.authors.add(writer)
    assert counts()[1] == {"Writer Wu": 2}
    ExpertQuoteFactory(brief=seized, expert=writer)  # wrote it and is quoted in it: once
    ExpertQuoteFactory(brief=seized, expert=quoted)
    assert counts()[1] == {"Writer Wu": 2, "Quoted Zed": 1}
    gone = ExpertFactory(name="Gone Author")
    sanctions.authors.add(gone)
    assert counts()[1]["Gone Author"] == 1
    gone.delete()
    assert counts()[1] == {"Writer Wu": 2, "Quoted Zed": 1}
    seized.issues.clear()
    assert counts()[0] == {"Iran": 1}


def test_an_editors_issue_change_moves_a_searchs_counts_once_published(client):
    client.force_login(SuperUserFactory(username="editor"))
    iran, russia = IssueFactory(name="Iran", slug="iran"), IssueFactory(name="Russia", slug="russia")
    brief = BriefFactory(title="Tanker seized", issues=[iran])
    url = reverse("admin:briefs_brief_change", args=[brief.pk])
    response = client.post(url, change_form_data(client.get(url), issues=[str(russia.pk)]))
    assert response.status_code == 302, errors_of(response)
    assert facets(search(client, "tanker")[0])["issue"] == {"Iran": 1}  # pending: readers see the live brief
    client.post(reverse("admin:briefs_brief_publish_pending", args=[brief.pk, pending_revision(brief).pk]))
    assert facets(search(client, "tanker")[0])["issue"] == {"Russia": 1}
