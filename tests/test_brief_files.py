"""Work done once per version (#21): a live brief's citations, PDF and social card are made by the
worker when a version goes live, stored with it, shown and served from storage (no page runs citeproc
or WeasyPrint), and gone the moment the version stops being live, at its expiry second included."""

import datetime
import io

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefs import brieffiles, cards, citations, pdf, revisions, tasks, workflow
from briefs.models import Brief, BriefFiles
from serving import store as pagecache
from tests.brief_files import make_files, queued, run_tasks
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    EditorFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
)
from tests.import_helpers import RED_SEA, taxonomy  # noqa: F401 (a fixture)
from tests.import_helpers import run as import_briefs
from tests.site_data import text

pytestmark = pytest.mark.django_db

FILE_URLS = ["pdf/", "card.png", "cite.bib", "cite.ris"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_NAME = "Northgate Institute"
    settings.SITE_URL = "http://localhost:8000"


@pytest.fixture
def brief():
    brief = BriefFactory(
        title="Houthis strike again",
        type=BriefTypeFactory(name="Flash Brief"),
        authors=[ExpertFactory(name="Bradley Bowman"), ExpertFactory(name="Jane Doe")],
        issues=[IssueFactory(name="Yemen"), IssueFactory(name="Iran"), IssueFactory(name="Maritime Security")],
    )
    ExpertQuoteFactory(brief=brief, text="Deterrence has failed.")
    return brief


@pytest.fixture
def editor():
    return EditorFactory()


def stored(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refuse(monkeypatch, module, name):
    """Make ``module.name`` fail if anything calls it."""

    def refused(*args, **kwargs):
        raise AssertionError(f"{module.__name__}.{name} was called")

    monkeypatch.setattr(module, name, refused)


def cite_section(html):
    return html[html.index('id="cite"') : html.index("</section>", html.index('id="cite"'))]


# Shown from storage


def test_the_page_shows_the_stored_citations_and_never_formats_one(client, brief, monkeypatch):
    make_files(brief, parts=["citations"])
    refuse(monkeypatch, citations, "_format")  # citeproc-py's formatting
    refuse(monkeypatch, pdf, "make_pdf")
    refuse(monkeypatch, cards, "draw_card")
    cite = cite_section(text(client.get(brief.get_absolute_url())))
    assert "Bowman, B., &amp; Doe, J. (" in cite and "<i>Houthis strike again</i> [Flash Brief]" in cite
    for label in ("APA", "Chicago", "MLA"):
        assert f'id="citation-{label.lower()}"' in cite
    assert "cite.bib" in cite and "cite.ris" in cite


def test_before_the_worker_the_page_says_the_citations_are_coming_then_shows_them(client, brief, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # the page is kept: storing the citations must drop it
    url = brief.get_absolute_url()
    cite = cite_section(text(client.get(url)))
    assert "being prepared" in cite and "citation-apa" not in cite and "cite.bib" not in cite
    assert client.get(url)["X-Page-Cache"] == "hit"
    make_files(brief, parts=["citations"])
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert 'id="citation-apa"' in cite_section(text(response)) and "being prepared" not in text(response)


def test_the_brief_page_reads_its_citations_in_its_own_query(client, brief, settings):
    """The citations come with the brief (a join): the page's query pins do not move."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(brief.get_absolute_url())  # what pages remember (the next scheduled change...)
    pagecache.bump({f"brief-body:{brief.pk}"})  # the page's kept parts go: the next render reads them
    with CaptureQueriesContext(connection) as missing:
        client.get(brief.get_absolute_url())
    make_files(brief, parts=["citations"])  # drops them too
    with CaptureQueriesContext(connection) as shown:
        assert "citation-apa" in text(client.get(brief.get_absolute_url()))
    assert len(shown) == len(missing)
    assert any("briefs_brieffiles" in query["sql"] for query in shown.captured_queries)


def test_downloads_serve_the_stored_records_with_the_readers_access_date(client, brief, monkeypatch):
    make_files(brief, parts=["citations"])
    refuse(monkeypatch, citations, "_format")
    files = BriefFiles.objects.get(pk=brief.pk)
    assert "urldate" not in files.bibtex and "Y2  -" not in files.ris  # the reader's, not the version's
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40)):
        bib = client.get(brief.get_absolute_url() + "cite.bib").content.decode()
        ris = client.get(brief.get_absolute_url() + "cite.ris").content.decode()
        today = timezone.localdate()
    assert f"urldate = {{{today.isoformat()}}}" in bib and bib.endswith("\n}\n")
    assert f"Y2  - {today:%Y/%m/%d}\r\nER  - \r\n" in ris
    assert bib == citations.bibtex(brief, accessed=today_noon(today))
    assert ris == citations.ris(brief, accessed=today_noon(today))


def today_noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_with_nginx_in_front_the_view_hands_the_file_to_nginx(client, brief, settings):
    settings.MEDIA_X_ACCEL_REDIRECT = True
    make_files(brief)
    files = BriefFiles.objects.get(pk=brief.pk)
    response = client.get(brief.get_absolute_url() + "pdf/")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/media/" + files.pdf.name
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{brief.slug}.pdf"'
    card = client.get(brief.get_absolute_url() + "card.png")
    assert card["X-Accel-Redirect"] == "/media/" + files.card.name


def test_files_are_kept_by_browsers_no_longer_than_until_the_expiry(client, brief, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    make_files(brief)
    assert client.get(brief.get_absolute_url() + "pdf/")["Cache-Control"] == "public, max-age=300"
    Brief.objects.filter(pk=brief.pk).update(expires_at=timezone.now() + datetime.timedelta(seconds=90))
    max_age = int(client.get(brief.get_absolute_url() + "pdf/")["Cache-Control"].rsplit("=", 1)[1])
    assert 85 <= max_age <= 90


# Not made yet: 503, and the worker is asked once


@pytest.mark.parametrize("suffix", FILE_URLS)
def test_a_file_not_made_yet_is_a_503_and_queues_the_worker_once(client, brief, suffix, monkeypatch):
    refuse(monkeypatch, pdf, "make_pdf")
    refuse(monkeypatch, cards, "draw_card")
    refuse(monkeypatch, citations, "_format")
    for _ in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):  # a request runs outside a transaction
            response = client.get(brief.get_absolute_url() + suffix)
        assert response.status_code == 503
        assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert b"is being made" in response.content
    assert queued() == [("make_brief_files", [brief.pk])]
    monkeypatch.undo()
    assert run_tasks() == ["make_brief_files"]
    assert client.get(brief.get_absolute_url() + suffix).status_code == 200


def test_a_stored_file_gone_from_storage_is_made_again(client, brief, settings):
    make_files(brief)
    (settings.MEDIA_ROOT / BriefFiles.objects.get(pk=brief.pk).pdf.name).unlink()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.get(brief.get_absolute_url() + "pdf/").status_code == 503
    run_tasks()
    assert client.get(brief.get_absolute_url() + "pdf/").status_code == 200


@pytest.mark.parametrize("suffix", FILE_URLS)
def test_the_files_of_a_brief_that_is_not_live_stay_404_and_queue_nothing(client, brief, suffix):
    make_files(brief)
    for change in (
        {"status": Brief.Status.WITHDRAWN},
        {"status": Brief.Status.PUBLISHED, "published_at": timezone.now() + datetime.timedelta(days=1)},
    ):
        Brief.objects.filter(pk=brief.pk).update(**change)
        assert client.get(brief.get_absolute_url() + suffix).status_code == 404, change
    assert queued() == []


# Made when a version goes live


def test_publishing_queues_the_worker_which_makes_the_three_parts(client, editor, django_capture_on_commit_callbacks):
    draft = BriefFactory(status=Brief.Status.DRAFT, published_at=None, authors=[ExpertFactory(name="Pat Poe")])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(brief=draft, user=editor)
    assert ("make_brief_files", [draft.pk]) in queued()
    run_tasks()
    files = BriefFiles.objects.get(pk=draft.pk)
    assert [c["style"] for c in files.citations] == ["APA", "Chicago", "MLA"]
    assert files.pdf.name.startswith(f"briefs/pdf/{draft.pk}/") and files.card.name.startswith(f"cards/{draft.pk}/")
    assert "Poe, P." in cite_section(text(client.get(draft.get_absolute_url())))


def test_a_scheduled_brief_has_its_files_ready_but_unreachable_until_its_second(client, editor):
    at = timezone.now() + datetime.timedelta(hours=2)
    draft = BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    workflow.publish(brief=draft, user=editor, at=at)
    make_files(draft)
    assert BriefFiles.objects.get(pk=draft.pk).pdf
    for suffix in FILE_URLS:
        assert client.get(draft.get_absolute_url() + suffix).status_code == 404
    with time_machine.travel(at + datetime.timedelta(seconds=1)):
        for suffix in FILE_URLS:
            assert client.get(draft.get_absolute_url() + suffix).status_code == 200


def test_running_twice_makes_nothing_twice(brief, monkeypatch):
    made = []
    real = pdf.make_pdf
    monkeypatch.setattr(pdf, "make_pdf", lambda *args: made.append(args) or real(*args))
    assert sorted(brieffiles.make(brief_id=brief.pk)) == ["card", "citations", "pdf"]
    assert brieffiles.make(brief_id=brief.pk) == []
    assert len(made) == 1


def test_a_correction_makes_a_new_pdf_and_keeps_the_citations(client, brief, editor, settings):
    """The citations show authors, title, type, publisher, publication date and address: a correction
    moves none of them (its date is the feed's "updated", which no style prints). The PDF shows the note."""
    make_files(brief)
    before = BriefFiles.objects.get(pk=brief.pk)
    workflow.add_correction(brief=brief, user=editor, text="The vessel was Greek-owned.")
    assert brieffiles.make(brief_id=brief.pk) == ["pdf"]
    after = BriefFiles.objects.get(pk=brief.pk)
    assert after.citations == before.citations and after.citations_fingerprint == before.citations_fingerprint
    assert after.card.name == before.card.name and after.pdf.name != before.pdf.name
    response = client.get(brief.get_absolute_url() + "pdf/")
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert "Greek-owned" in " ".join(page.extract_text() for page in reader.pages)


def test_publishing_a_pending_revision_makes_them_again(client, brief, editor, django_capture_on_commit_callbacks):
    make_files(brief)
    data = revisions.snapshot(brief) | {"title": "Houthis strike a third time"}
    revision = revisions.save_revision(brief=brief, user=editor, data=data)
    with django_capture_on_commit_callbacks(execute=True):
        revisions.publish_revision(revision=revision, user=editor)
    run_tasks()
    cite = cite_section(text(client.get(brief.get_absolute_url())))
    assert "Houthis strike a third time" in cite and "Houthis strike again" not in cite
    files = BriefFiles.objects.get(pk=brief.pk)
    assert files.card_fingerprint == cards.fingerprint(Brief.objects.get(pk=brief.pk))


def test_renaming_an_author_makes_the_files_of_their_briefs_again(client, brief, django_capture_on_commit_callbacks):
    make_files(brief)
    other = BriefFactory(authors=[ExpertFactory(name="Someone Else")])
    make_files(other)
    author = brief.authors.get(name="Jane Doe")
    with django_capture_on_commit_callbacks(execute=True):
        author.bio = "<p>A new biography.</p>"  # nothing the files show: nothing queued
        author.save()
    assert queued() == []
    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Jane Q. Doe"
        author.save()
    assert queued() == [("make_files_showing", ["expert", author.pk])]
    run_tasks()
    assert "Doe, J. Q." in cite_section(text(client.get(brief.get_absolute_url())))


def test_a_brief_renamed_in_its_readers_related_reading_makes_their_pdf_again(
    brief, django_capture_on_commit_callbacks
):
    linking = BriefFactory()
    RelatedLinkFactory(brief=linking, target_brief=brief, url="", title="", byline="")
    make_files(brief, linking)
    before = BriefFiles.objects.get(pk=linking.pk).pdf_fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        brief.title = "Houthis strike a third time"
        brief.save()
    assert ("make_files_showing", ["linked", brief.pk]) in queued()
    run_tasks()
    assert BriefFiles.objects.get(pk=linking.pk).pdf_fingerprint != before


def test_a_run_overtaken_by_a_newer_version_throws_its_work_away(brief, settings, monkeypatch):
    """Two workers: while one typesets the PDF, an editor's edit goes live; the slower one must not
    store the older version over it (the edit queued its own run)."""
    real = pdf.make_pdf

    def make_and_edit(*args):
        content = real(*args)
        Brief.objects.filter(pk=brief.pk).update(title="Edited meanwhile")
        return content

    monkeypatch.setattr(pdf, "make_pdf", make_and_edit)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert brieffiles.make(brief_id=brief.pk, parts=["pdf"]) == ["superseded"]
    assert not BriefFiles.objects.filter(pk=brief.pk).exists()
    assert not [name for name in stored(settings) if name.startswith("briefs/pdf/")]


def test_every_brief_of_a_batch_gets_its_files(settings):
    """Briefs read in batches show what they show when read alone (issues in the taxonomy's order,
    not the query plan's): otherwise a run would find every one of them changed, and store none."""
    issues = [IssueFactory(name=name) for name in ("Zambia", "Albania", "Mali", "Chad")]
    briefs = [BriefFactory(issues=[issues[i % 4], issues[(i + 1) % 4], issues[(i + 3) % 4]]) for i in range(6)]
    summary = brieffiles.make_missing(parts=("citations", "pdf"))
    assert summary["made"] == {"citations": 6, "pdf": 6}
    assert BriefFiles.objects.filter(pk__in=[b.pk for b in briefs]).exclude(pdf="").count() == 6


# Gone when the version stops being live


def test_withdrawing_deletes_the_files_and_the_stored_citations(
    client, brief, editor, settings, django_capture_on_commit_callbacks
):
    make_files(brief)
    assert stored(settings)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(brief=brief, user=editor, comment="Superseded.")
    assert stored(settings) == [] and not BriefFiles.objects.filter(pk=brief.pk).exists()
    for suffix in FILE_URLS:
        assert client.get(brief.get_absolute_url() + suffix).status_code == 404


def test_deleting_a_brief_deletes_its_files(brief, settings, django_capture_on_commit_callbacks):
    make_files(brief)
    with django_capture_on_commit_callbacks(execute=True):
        brief.delete()
    assert stored(settings) == []


def test_at_its_expiry_second_the_files_are_unreachable_and_the_worker_deletes_them(
    client, brief, settings, django_capture_on_commit_callbacks
):
    expires = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        brief.expires_at = expires
        brief.save()
    assert ("discard_expired_brief_files", [brief.pk]) in queued()
    run_tasks()  # the brief's own run; the deletion waits for its second
    assert queued() == [("discard_expired_brief_files", [brief.pk])]
    assert len(stored(settings)) == 2
    url = brief.get_absolute_url()
    with time_machine.travel(expires - datetime.timedelta(seconds=1)):
        assert client.get(url + "pdf/").status_code == 200
        assert run_tasks() == []
    with time_machine.travel(expires + datetime.timedelta(milliseconds=1)):
        for suffix in FILE_URLS:
            assert client.get(url + suffix).status_code == 404, suffix  # at once: the views start from live()
        assert run_tasks() == ["discard_expired_brief_files"]
    assert stored(settings) == [] and not BriefFiles.objects.filter(pk=brief.pk).exists()


def test_an_expiry_moved_later_keeps_the_files_at_the_old_second(brief, settings, django_capture_on_commit_callbacks):
    first = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        brief.expires_at = first
        brief.save()
        brief.expires_at = first + datetime.timedelta(days=1)
        brief.save()
    run_tasks()
    with time_machine.travel(first + datetime.timedelta(seconds=1)):
        assert run_tasks() == ["discard_expired_brief_files"]
    assert len(stored(settings)) == 2  # still live: kept


# The command


def run_command(*args):
    out = io.StringIO()
    call_command("make_brief_files", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_what_is_missing_then_nothing(brief, settings):
    others = [BriefFactory() for _ in range(2)]
    BriefFactory(status=Brief.Status.DRAFT, published_at=None)
    out = run_command("--only", "citations")
    assert "3 briefs checked" in out and "3 citations made" in out
    assert BriefFiles.objects.exclude(pdf="").count() == 0
    out = run_command()
    assert "0 citations, 3 PDFs, 3 social cards made" in out
    assert "0 citations, 0 PDFs, 0 social cards made" in run_command()
    BriefFiles.objects.filter(pk=others[1].pk).delete()
    out = run_command("--brief", others[1].slug, "--only", "citations")
    assert "1 briefs checked" in out and "1 citations made" in out
    Brief.objects.filter(pk=others[0].pk).update(status=Brief.Status.WITHDRAWN)  # no signal: a bulk write
    out = run_command()
    assert "the files of 1 briefs no longer published deleted" in out
    assert not BriefFiles.objects.filter(pk=others[0].pk).exists()
    assert not [name for name in stored(settings) if f"/{others[0].pk}/" in name]


def test_the_command_remakes_what_an_upgrade_changed(brief, monkeypatch):
    run_command("--only", "citations")
    monkeypatch.setattr(citations, "FORMAT_VERSION", citations.FORMAT_VERSION + 1)
    assert "1 citations made" in run_command("--only", "citations")


def test_load_demo_queues_the_worker_for_what_is_missing(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    waiting = queued()
    assert ("make_missing_brief_files", []) in waiting
    live = set(Brief.objects.live().values_list("pk", flat=True))
    assert live <= {args[0] for name, args in waiting if name == "make_brief_files"}


def test_an_import_that_publishes_queues_the_worker(taxonomy, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        import_briefs(RED_SEA, "--publish")
    assert ("make_brief_files", [Brief.objects.live().get().pk]) in queued()


def test_the_enqueue_helpers_skip_a_task_already_waiting(brief, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_make(brief.pk)
        tasks.enqueue_make(brief.pk)
        tasks.enqueue_make(brief.pk + 1000)
    assert queued() == [("make_brief_files", [brief.pk]), ("make_brief_files", [brief.pk + 1000])]
