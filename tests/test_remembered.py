"""What uncached pages derive from many rows is worked out once per change and remembered (#14,
briefs/pagecache: remember()): listing counts, a brief's suggestions, the home page's lead story,
the archive's facet counts, the issue index's counts, the next scheduled change. With the page
cache off (every page rendered), each is fresh after the edit that changes it and at the second a
scheduled brief is due, and a later render reads it back instead of working it out again.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from briefs import workflow
from briefs.models import Brief
from tests.factories import BriefFactory, BriefTypeFactory, EditorFactory, ExpertFactory, IssueFactory
from tests.test_pictures import jpeg

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def briefs_in(issue, count, **kwargs):
    return [BriefFactory(title=f"{issue.name} brief {n}", issues=[issue], **kwargs) for n in range(count)]


def test_a_listing_count_follows_publication_withdrawal_and_the_clock(client):
    iran = IssueFactory(name="Iran")
    with time_machine.travel(NOON, tick=False):
        briefs_in(iran, 20, published_at=NOON - datetime.timedelta(hours=1))
        scheduled = BriefFactory(title="Due at one", issues=[iran], published_at=NOON + datetime.timedelta(hours=1))
        assert "Page 1 of" not in page(client, iran.get_absolute_url())  # 20 briefs: one page
        extra = BriefFactory(title="One more", issues=[iran], published_at=NOON - datetime.timedelta(minutes=1))
        html = page(client, iran.get_absolute_url())
        assert "Page 1 of 2" in html and "One more" in html  # the newest: first on page 1
        workflow.withdraw(brief=extra, user=EditorFactory())
        html = page(client, iran.get_absolute_url())
        assert "Page 1 of" not in html and "One more" not in html
        retitled = Brief.objects.get(title="Iran brief 3")
        retitled.title = "Iran brief three"
        retitled.save()  # not a listing change: the page's keys stay, the brief is read again
        assert "Iran brief three" in page(client, iran.get_absolute_url())
    with time_machine.travel(scheduled.published_at, tick=False):  # its second: no edit moved anything
        html = page(client, iran.get_absolute_url())
        assert "Page 1 of 2" in html and "Due at one" in html


def test_an_expert_s_counts_follow_authorship(client):
    bowman = ExpertFactory(name="Bradley Bowman")
    for n in range(10):
        BriefFactory(title=f"Written {n}", authors=[bowman])
    assert "Page 1 of" not in page(client, bowman.get_absolute_url())
    late = BriefFactory(title="Eleventh")
    late.authors.add(bowman)
    assert "Page 1 of 2" in page(client, bowman.get_absolute_url())
    late.authors.remove(bowman)
    assert "Page 1 of" not in page(client, bowman.get_absolute_url())


def test_a_type_count_follows_a_brief_moving_type(client):
    flash, analysis = BriefTypeFactory(name="Flash Brief"), BriefTypeFactory(name="Analysis")
    for n in range(20):
        BriefFactory(title=f"Flash {n}", type=flash)
    mover = BriefFactory(title="The mover", type=analysis)
    assert "Page 1 of" not in page(client, flash.get_absolute_url())
    mover.type = flash
    mover.save()
    assert "Page 1 of 2" in page(client, flash.get_absolute_url())


def test_suggestions_follow_new_withdrawn_and_due_briefs(client):
    iran, syria = IssueFactory(name="Iran"), IssueFactory(name="Syria")
    with time_machine.travel(NOON, tick=False):
        brief = BriefFactory(title="The brief read", issues=[iran, syria])
        BriefFactory(title="Only Iran", issues=[iran], published_at=NOON - datetime.timedelta(days=2))
        assert "Only Iran" in page(client, brief.get_absolute_url())
        both = BriefFactory(title="Both issues", issues=[iran, syria], published_at=NOON - datetime.timedelta(days=3))
        assert "Both issues" in page(client, brief.get_absolute_url())  # shares more: first
        workflow.withdraw(brief=both, user=EditorFactory())
        assert "Both issues" not in page(client, brief.get_absolute_url())
        due = BriefFactory(title="Due later", issues=[iran, syria], published_at=NOON + datetime.timedelta(minutes=5))
        assert "Due later" not in page(client, brief.get_absolute_url())
    with time_machine.travel(due.published_at, tick=False):
        assert "Due later" in page(client, brief.get_absolute_url())
    with time_machine.travel(due.published_at, tick=False):
        due.title = "Due, retitled"
        due.save()
        assert "Due, retitled" in page(client, brief.get_absolute_url())  # read again, not remembered


def test_the_home_lead_follows_pictures_and_publication(client):
    analysis = BriefTypeFactory(name="Analysis", slug="analysis")
    BriefFactory(title="An older analysis", type=analysis, published_at=timezone.now() - datetime.timedelta(days=2))
    plain = BriefFactory(title="The newest brief", published_at=timezone.now() - datetime.timedelta(hours=1))

    def lead():
        html = page(client, "/")
        start = html.index('class="lead-story')
        return html[start : html.index("</article>", start)]

    assert "An older analysis" in lead()
    plain.lead_image = jpeg()
    plain.lead_image_alt = "A tanker"
    plain.save()
    assert "The newest brief" in lead()
    plain.lead_image = ""
    plain.save()
    assert "An older analysis" in lead()
    newer = BriefFactory(
        title="A newer analysis", type=analysis, published_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert "A newer analysis" in lead()
    workflow.withdraw(brief=newer, user=EditorFactory())
    assert "An older analysis" in lead()


def test_the_home_featured_issues_follow_their_edits(client):
    iran = IssueFactory(name="Iran", featured=True, description="<p>Tehran's reach.</p>")
    syria = IssueFactory(name="Syria")

    def featured():
        html = page(client, "/")
        return html[html.index('id="featured"') :] if 'id="featured"' in html else ""

    assert "Iran" in featured() and "Syria" not in featured()
    syria.featured = True  # an issue the part did not show
    syria.save()
    assert "Syria" in featured()
    iran.name = "Iran and its proxies"
    iran.save()
    assert "Iran and its proxies" in featured()
    iran.featured = False
    iran.save()
    syria.delete()
    assert featured() == ""


def test_the_archive_facets_follow_edits(client):
    iran = IssueFactory(name="Iran")
    bowman = ExpertFactory(name="Bradley Bowman")
    BriefFactory(title="First", issues=[iran], authors=[bowman])
    html = page(client, "/briefs/")
    assert 'facet-label">Bradley Bowman</span> <span class="facet-count">1</span>' in html
    BriefFactory(title="Second", issues=[iran], authors=[bowman])
    bowman.name = "Bradley R. Bowman"
    bowman.save()
    html = page(client, "/briefs/")
    assert Brief.objects.live().count() == 2
    for label in ("Iran", "Bradley R. Bowman"):  # renamed, and counting both briefs
        assert f'facet-label">{label}</span> <span class="facet-count">2</span>' in html, label


def test_the_issue_index_counts_follow_publication_issues_moves_and_the_clock(client):
    iran = IssueFactory(name="Iran")
    proxies = IssueFactory(name="Iran-backed Terrorism", parent=iran)
    syria = IssueFactory(name="Syria")

    def count(issue):
        html = page(client, "/issues/")
        start = html.index(f">{issue.name}</a>")
        return html[start : html.index("</span>", start)].rsplit(">", 1)[-1]

    with time_machine.travel(NOON, tick=False):
        brief = BriefFactory(title="Proxies", issues=[proxies])
        assert (count(iran), count(proxies), count(syria)) == ("1 brief", "1 brief", "no briefs yet")
        due = BriefFactory(title="Due", issues=[iran], published_at=NOON + datetime.timedelta(minutes=5))
        assert count(iran) == "1 brief"
        brief.issues.add(syria)  # a brief's issues
        assert count(syria) == "1 brief"
        proxies.parent = syria  # the taxonomy
        proxies.save()
        assert (count(iran), count(syria)) == ("no briefs yet", "1 brief")
        workflow.withdraw(brief=brief, user=EditorFactory())
        assert (count(proxies), count(syria)) == ("no briefs yet", "no briefs yet")
    with time_machine.travel(due.published_at, tick=False):  # its second: no edit moved anything
        assert count(iran) == "1 brief"


def test_feeds_follow_publication_in_their_scope_and_the_clock(client):
    import feedparser

    parent = IssueFactory(name="Iran")
    child = IssueFactory(name="Iran Global Threat Network", parent=parent)
    issue_feed = parent.get_absolute_url() + "feed/"

    def fetch(url, etag=None):
        response = client.get(url, **({"HTTP_IF_NONE_MATCH": etag} if etag else {}))
        titles = [entry.title for entry in feedparser.parse(response.content).entries]
        return response.status_code, response.get("ETag"), titles

    with time_machine.travel(NOON, tick=False):
        BriefFactory(title="On Iran", issues=[parent], published_at=NOON - datetime.timedelta(hours=2))
        due = BriefFactory(title="Due soon", issues=[child], published_at=NOON + datetime.timedelta(seconds=20))
        assert fetch(issue_feed)[2] == ["On Iran"]
        BriefFactory(title="On the network", issues=[child], published_at=NOON - datetime.timedelta(hours=1))
        assert fetch(issue_feed)[2] == ["On the network", "On Iran"]
        etags = {url: fetch(url)[1] for url in (issue_feed, "/feed/atom/")}
        assert fetch(issue_feed, etags[issue_feed])[0] == 304
    # At its second (no edit moved anything), a reader revalidating their copy gets the new feed.
    with time_machine.travel(due.published_at, tick=False):
        for url, etag in etags.items():
            status, _, titles = fetch(url, etag)
            assert status == 200, url
            assert titles[0] == "Due soon", url


def test_fragments_are_kept_with_their_own_tags_and_never_when_an_edit_overlapped_the_render():
    # briefs/pagecache/fragments.py keeps a page's missing fragments in one write (keep_many).
    from serving import bump, fragments

    rendered = []

    def render(missing, *, edit=None):
        rendered.extend(missing)
        if edit:
            bump({edit})  # an editor saves while the fragments are being rendered
        return {name: (f"<p>{name}</p>", {f"brief:{name}"}) for name in missing}

    assert {name: f.value for name, f in fragments.kept(["a", "b"], render).items()} == {
        "a": "<p>a</p>",
        "b": "<p>b</p>",
    }
    fragments.kept(["a", "b"], render)
    assert rendered == ["a", "b"]  # kept
    bump({"brief:a"})
    fragments.kept(["a", "b"], render)
    assert rendered == ["a", "b", "a"]  # only what the edit showed in
    bump({"brief:b"})
    fragments.kept(["a", "b"], lambda missing: render(missing, edit="brief:other"))
    fragments.kept(["a", "b"], render)
    assert rendered == ["a", "b", "a", "b", "b"]  # rendered while an edit happened: not kept
