"""`manage.py import_briefs`: what an editor importing old exports sees and gets."""

import datetime
import io
import re
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import html as lxml_html

from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
from issues.models import Issue
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory
from tests.import_helpers import (
    EXPORTS,
    MEMO_ISSUES,
    NBSP,
    NO_ANALYSIS,
    NO_RELATED,
    RED_SEA,
    SEEDS,
    counts,
    run,
    taxonomy,  # noqa: F401 (a fixture)
)

# Every test runs with the taxonomy the exports name, as an editor would have set it up.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


# --- what gets created -------------------------------------------------------------------------


def test_import_creates_a_complete_draft():
    output = run(RED_SEA)
    brief = Brief.objects.get()
    assert f"created      {RED_SEA}  http://localhost:8000/admin/briefs/brief/{brief.pk}/change/" in output
    assert "1 file(s): 1 created, 0 updated, 0 unchanged" in output
    assert brief.status == Brief.Status.DRAFT and not Brief.objects.live().exists()
    assert brief.type.name == "Analysis" and brief.type.slug == "analysis"
    assert brief.slug == "houthi-strikes-push-red-sea-shipping-toward-the-cape"
    assert brief.summary == (
        "A Houthi anti-ship missile struck the bulk carrier Marisol Dawn in the southern Red Sea on March 8, "
        "according to the ship’s operator. The crew of 21 was evacuated by a passing tanker, "
        "and no injuries were reported."
    )
    assert brief.developments.count("<p>") == 2
    assert brief.body.startswith("<h2>Why Insurers Are Pricing in the Risk</h2>\n<p>War-risk premiums")
    assert "<h2>What Washington Can Do Next</h2>" in brief.body
    quotes = list(brief.quotes.select_related("expert"))
    assert [(q.expert.name, q.expert_title) for q in quotes] == [
        ("Dana Whitfield", "Senior Fellow at the Center on Maritime Security"),
        ("Omar Haddad", "Research Analyst"),
        ("Lena Park", "Director of the Sanctions Program"),
    ]
    assert quotes[1].text.count("\n\n") == 2  # three paragraphs
    new_expert = quotes[0].expert
    assert (new_expert.slug, new_expert.title) == ("dana-whitfield", "Senior Fellow at the Center on Maritime Security")
    assert sorted(brief.issues.values_list("name", flat=True)) == [
        "Houthis",
        "Maritime Security",
        "Sanctions and Illicit Finance",
        "Yemen",
        "Yemen Humanitarian Crisis",
    ]
    links = [(link.target_brief_id, link.title, link.byline) for link in brief.related_links.all()]
    assert links == [
        (None, "Sanctions Target Houthi Procurement Network", "FDD Flash Brief"),
        (None, "Sea Lanes Under Fire: A Short History of Shipping Attacks", "by Dana Whitfield and Omar Haddad"),
        (None, "Who Pays for the Cape Route?", "Maritime Economics Review"),
    ]


def test_typography_survives_into_stored_text():
    run(RED_SEA)
    brief = Brief.objects.get()
    assert f"roughly{NBSP}ten days" in brief.developments
    assert "“until the security picture changes,”" in brief.developments
    assert f"0.7{NBSP}percent of a ship’s hull value" in brief.body
    assert "Egypt’s canal revenue" in brief.quotes.get(expert__name="Omar Haddad").text
    assert "&nbsp;" not in brief.developments + brief.body


def test_existing_expert_is_matched_by_name_and_keeps_current_title():
    expert = ExpertFactory(name="Lena Park", title="Vice President for Research")
    run(RED_SEA)
    quote = ExpertQuote.objects.get(expert__name="Lena Park")
    assert quote.expert == expert
    assert quote.expert_title == "Director of the Sanctions Program"  # the title printed with this quote
    expert.refresh_from_db()
    assert expert.title == "Vice President for Research"


def test_publish_uses_the_header_date_in_the_site_time_zone():
    run(RED_SEA, "--publish")
    brief = Brief.objects.live().get()
    local = timezone.localtime(brief.published_at)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2025, 3, 10), 9, 0)
    assert brief.get_absolute_url() == "/briefs/2025/03/10/houthi-strikes-push-red-sea-shipping-toward-the-cape/"


def test_issue_option_creates_the_issues():
    run(NO_RELATED, *MEMO_ISSUES)
    brief = Brief.objects.get()
    assert sorted(brief.issues.values_list("name", flat=True)) == ["Arms Control", "Nonproliferation"]
    assert Issue.objects.get(name="Arms Control").slug == "arms-control"
    assert brief.related_links.count() == 0
    assert brief.type.name == "Policy Memo"


def test_no_expert_analysis():
    run(NO_ANALYSIS)
    brief = Brief.objects.get()
    assert brief.quotes.count() == 0
    assert brief.body.startswith("<h2>How the Network Operated</h2>")


def test_related_title_matching_a_brief_becomes_an_internal_link():
    target = BriefFactory(title="SANCTIONS target Houthi procurement network")  # case differs
    run(RED_SEA)
    first = Brief.objects.get(type__name="Analysis").related_links.first()
    assert first.target_brief == target
    assert (first.title, first.byline) == ("", "")


def test_folder_import_links_briefs_imported_in_the_same_run():
    output = run(EXPORTS, *MEMO_ISSUES)
    lines = output.splitlines()
    assert [line.split()[1] for line in lines[:3]] == [str(p) for p in sorted(EXPORTS.glob("*.txt"))]
    assert "3 file(s): 3 created, 0 updated, 0 unchanged" in output
    red_sea = Brief.objects.get(type__name="Analysis")
    procurement = Brief.objects.get(title="Sanctions Target Houthi Procurement Network")
    assert red_sea.related_links.first().target_brief == procurement


def test_slug_collision_with_another_brief_appends_the_date():
    BriefFactory(title="Old namesake", slug="houthi-strikes-push-red-sea-shipping-toward-the-cape")
    run(RED_SEA)
    imported = Brief.objects.get(type__name="Analysis")
    assert imported.slug == "houthi-strikes-push-red-sea-shipping-toward-the-cape-2025-03-10"


# --- re-import, update, dry run ---------------------------------------------------------------


def test_reimport_changes_nothing():
    run(EXPORTS, *MEMO_ISSUES)
    before = counts()
    stamps = dict(Brief.objects.values_list("pk", "updated_at"))
    output = run(EXPORTS, *MEMO_ISSUES)
    assert "3 file(s): 0 created, 0 updated, 3 unchanged" in output
    assert counts() == before
    assert dict(Brief.objects.values_list("pk", "updated_at")) == stamps


def test_reimport_of_a_changed_file_updates_the_same_brief(tmp_path):
    export = tmp_path / "red-sea.txt"
    shutil.copy(RED_SEA, export)
    run(export)
    brief = Brief.objects.get()
    text = export.read_text(encoding="utf-8")
    text = text.replace("The crew of 21 was evacuated", "The crew of 23 was evacuated")
    text = text.replace("Omar Haddad, Research Analyst", "Omar Haddad, Senior Research Analyst")
    export.write_text(text, encoding="utf-8")
    output = run(export)
    assert f"updated      {export}" in output
    assert Brief.objects.get().pk == brief.pk
    updated = Brief.objects.get()
    assert "The crew of 23 was evacuated" in updated.developments and "crew of 23" in updated.summary
    assert updated.quotes.get(expert__name="Omar Haddad").expert_title == "Senior Research Analyst"
    assert ExpertQuote.objects.count() == 3 and RelatedLink.objects.count() == 3


@pytest.mark.parametrize("status", ["published", "in_review"])
def test_a_changed_export_does_not_change_a_brief_readers_or_reviewers_see(tmp_path, status):
    export = tmp_path / "red-sea.txt"
    shutil.copy(RED_SEA, export)
    run(export, "--publish")
    Brief.objects.update(status=status)
    before = Brief.objects.values().get()
    export.write_text(export.read_text(encoding="utf-8").replace("crew of 21", "crew of 23"), encoding="utf-8")
    with pytest.raises(
        CommandError, match=rf"red-sea\.txt:\d+: .* is {status.replace('_', ' ')} and this export differs"
    ):
        run(export)
    assert Brief.objects.values().get() == before


def test_an_import_shows_on_cached_public_pages_at_once(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    assert client.get("/").status_code == 200  # the home page is now cached, without the brief
    run(RED_SEA, "--publish")
    assert Brief.objects.live().get().title in client.get("/").content.decode()


def test_reimport_without_publish_keeps_a_published_brief_published():
    run(RED_SEA, "--publish")
    assert "unchanged" in run(RED_SEA)
    assert Brief.objects.live().count() == 1


def test_publishing_an_imported_draft_by_reimport():
    run(RED_SEA)
    assert "updated" in run(RED_SEA, "--publish")
    assert Brief.objects.live().count() == 1


def test_dry_run_writes_nothing_and_reports():
    before = counts()
    output = run(EXPORTS, *MEMO_ISSUES, "--dry-run")
    assert counts() == before
    assert output.count("would create") == 3 and "(new brief)" in output
    assert "3 file(s): 3 created, 0 updated, 0 unchanged (dry run: nothing written)" in output
    run(RED_SEA)
    assert "unchanged    " in run(RED_SEA, "--dry-run")


def test_progress_bar_on_a_terminal_for_many_files(tmp_path, capsys):
    original = RED_SEA.read_text(encoding="utf-8")
    for number in range(6):
        part = original.replace("Toward the Cape", f"Toward the Cape, Part {number}")
        (tmp_path / f"part-{number}.txt").write_text(part, encoding="utf-8")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("import_briefs", str(tmp_path), stdout=out)
    assert "6 file(s): 6 created" in out.getvalue()
    assert "/12 " in capsys.readouterr().err  # tqdm's counter: 6 files read, 6 saved
    call_command("import_briefs", str(RED_SEA), stdout=Terminal())
    assert "/" not in capsys.readouterr().err  # a single file: no bar


# --- the seed export and the public page -------------------------------------------------------


def seed_files():
    if not SEEDS.is_dir():
        pytest.skip(f"no seed exports at {SEEDS} (they live in ../shared/seeds next to the repository)")
    return sorted(SEEDS.glob("*.txt"))


def test_every_seed_export_imports_and_reimports_unchanged():
    files = seed_files()
    output = run(SEEDS)
    assert f"{len(files)} file(s): {len(files)} created" in output
    assert f"{len(files)} unchanged" in run(SEEDS)


def body_lines(path):
    """The export's lines from "Latest Developments" up to related reading / "Issues:"."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    start = lines.index("Latest Developments")
    related = re.compile(r"^“?[^“”]+,” ")
    end = next(i for i, line in enumerate(lines) if i > start and (related.match(line) or line.startswith("Issues:")))
    return lines[start:end]


def related_lines(path):
    """(title, byline) of each related-reading line: `“Title,” by A and B` (opening mark often lost)."""
    related = re.compile(r"^“?([^“”]+),” (.+)$")
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    return [match.groups() for line in lines if (match := related.match(line))]


def sentences(line):
    parts = re.split(r"(?<=[.!?])\s+(?=[“A-Z])|(?<=[.!?][”’])\s+(?=[“A-Z])", line)
    return [" ".join(part.strip("“”").split()) for part in parts if part.strip("“”")]


@pytest.mark.parametrize("source", ["seed", "own"])
def test_every_sentence_reaches_the_public_page_with_quotes_attributed(client, source):
    path = seed_files()[0] if source == "seed" else RED_SEA
    run(path, "--publish")
    brief = Brief.objects.live().get()
    response = client.get(brief.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert NBSP in page  # typography reaches the reader
    tree = lxml_html.fromstring(page)
    text = " ".join(tree.text_content().split())
    missing = [s for line in body_lines(path) for s in sentences(line) if s not in text]
    assert missing == []
    for quote in brief.quotes.select_related("expert"):
        links = tree.xpath(f'//a[@href="{quote.expert.get_absolute_url()}"]')
        assert quote.expert.name in [" ".join(a.text_content().split()) for a in links]
        assert f"{quote.expert.name}, {quote.expert_title}" in text
    reading = related_lines(path)
    assert reading, "the export has related reading"
    for title, byline in reading:
        assert " ".join(title.split()) in text and " ".join(byline.split()) in text
    issues = list(brief.issues.values_list("name", flat=True))
    assert issues and all(tree.xpath(f'//a[normalize-space()="{name}"]') for name in issues)


def test_drafts_stay_off_the_public_site(client):
    run(RED_SEA)
    brief = Brief.objects.get()
    assert client.get(f"/briefs/2025/03/10/{brief.slug}/").status_code == 404


def test_existing_type_is_reused():
    existing = BriefTypeFactory(name="Analysis")
    run(RED_SEA)
    assert BriefType.objects.get() == existing


def test_publish_leaves_a_withdrawn_brief_withdrawn():
    run(RED_SEA, "--publish")
    Brief.objects.update(status=Brief.Status.WITHDRAWN)
    assert "unchanged" in run(RED_SEA, "--publish")
    assert Brief.objects.get().status == Brief.Status.WITHDRAWN


def test_an_unused_issue_option_is_reported_and_not_created():
    output = run(RED_SEA, "--issue", "Arms Contrl")
    assert "--issue “Arms Contrl” matched no “Issues:” line; not created" in output
    assert not Issue.objects.filter(name="Arms Contrl").exists()


def test_plain_ascii_punctuation_and_markup_like_text_reimport_unchanged(tmp_path, client):
    export = tmp_path / "ascii.txt"
    export.write_text(
        'May 5, 2025 | Flash Brief\n\nAT&T\'s "Secure Line" Deal Draws Scrutiny\n\nLatest Developments\n\n'
        'Regulators said the <b>deal</b> between AT&T and the supplier was "under review." It\'s the second.\n',
        encoding="utf-8",
    )
    run(export, "--publish")
    assert "1 unchanged" in run(export)
    brief = Brief.objects.get()
    assert brief.title == 'AT&T\'s "Secure Line" Deal Draws Scrutiny'
    page = client.get(brief.get_absolute_url()).content.decode()
    assert "the &lt;b&gt;deal&lt;/b&gt; between AT&amp;T" in page  # text, never markup


def test_publishing_by_import_is_kept_in_the_history():
    from briefs.models import Transition

    run(RED_SEA, "--publish")
    brief = Brief.objects.get()
    step = Transition.objects.get(brief=brief)
    assert (step.from_state, step.to_state, step.user) == ("draft", "published", None)
    assert step.comment == f"Published by import from {RED_SEA.name}"
    run(RED_SEA, "--publish")  # unchanged: no second step
    assert Transition.objects.filter(brief=brief).count() == 1


def test_publishing_an_imported_draft_is_kept_in_the_history_by_the_given_editor():
    from django.contrib.auth.models import Group

    from briefs.models import Transition
    from tests.factories import UserFactory

    editor = UserFactory(username="ed")
    editor.groups.add(Group.objects.get(name="Editors"))
    run(RED_SEA)
    assert not Transition.objects.exists()
    run(RED_SEA, "--publish", "--user", "ed")
    step = Transition.objects.get()
    assert (step.from_state, step.to_state, step.user) == ("draft", "published", editor)


@pytest.mark.parametrize("username", ["nobody", "contributor"])
def test_user_who_cannot_publish_is_refused_before_anything_is_written(username):
    from django.contrib.auth.models import Group
    from django.core.management import CommandError

    from tests.factories import UserFactory

    UserFactory(username="contributor").groups.add(Group.objects.get(name="Contributors"))
    before = counts()
    with pytest.raises(CommandError, match=f"--user: .*{username}"):
        run(RED_SEA, "--publish", "--user", username)
    assert counts() == before


def test_markup_in_an_export_is_text_not_html(tmp_path):
    """Exports are plain text: a tag in them is shown as typed, never run."""
    export = tmp_path / "markup.txt"
    export.write_text(
        "April 24, 2024 | Flash Brief\n<b>Bold</b> claims\nLatest Developments\n"
        'He wrote <script>alert(1)</script> and <a href="javascript:alert(2)">this</a>.\n'
        "<img src=x onerror=alert(3)> Background\nIt <svg onload=alert(4)> began.\n",
        encoding="utf-8",
    )
    run(export)
    brief = Brief.objects.get()
    assert brief.title == "<b>Bold</b> claims"
    stored = brief.developments + brief.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stored
    for bad in ("<script", "<a ", "<img", "<svg"):
        assert bad not in stored
