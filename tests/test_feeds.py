"""RSS and Atom feeds, read the way feed readers read them (feedparser): what they carry."""

import datetime
import shutil
import subprocess

import feedparser
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from briefs.feeds import FEED_LENGTH
from briefs.models import Brief
from tests.conftest import require_tool
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory
from tests.feedkit import (
    ATOM_NS,
    ATOM_SCHEMA,
    FORMATS,
    KINDS,
    NOW,
    SITE_URL,
    entry_links,
    fetch,
    public_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(feed_site_url):
    """Every feed test reads links against the one SITE_URL (tests/conftest.py)."""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_parses_cleanly_with_its_version_and_feed_level_data(client, world, kind, fmt):
    brief = world.brief()
    response, parsed = fetch(client, world.url(kind, fmt))

    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == FORMATS[fmt]
    # application/xml, not application/rss+xml or atom+xml: browsers download those instead of
    # showing the styled page (tests/e2e/test_feeds_browser.py); readers still parse it as a feed.
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    with_headers = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert with_headers.bozo is False, with_headers.get("bozo_exception")
    assert with_headers.version == FORMATS[fmt]
    followed = {"site": "latest briefs", "issue": "Iran", "expert": "Bradley Bowman", "type": "Analysis"}[kind]
    assert followed in parsed.feed.title
    assert followed in (parsed.feed.get("subtitle") or parsed.feed.get("description") or "")
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [SITE_URL + world.url(kind, fmt)]
    assert parsed.feed.language == "en-us"
    logo = parsed.feed.image.href if fmt == "rss" else parsed.feed.logo
    assert logo == SITE_URL + "/static/img/logo.png"
    assert client.get("/static/img/logo.png").status_code == 200
    page = {
        "site": "/",
        "issue": "/issues/iran/",
        "expert": world.expert.get_absolute_url(),
        "type": "/types/analysis/",
    }
    assert parsed.feed.link == SITE_URL + page[kind]
    assert entry_links(parsed) == [public_url(brief)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_entries_are_exactly_the_live_briefs_newest_first(client, world, kind, fmt):
    now = timezone.now()
    hours = datetime.timedelta(hours=1)
    live = [world.brief(published_at=now - n * hours) for n in (3, 1, 2)]
    live.append(world.brief(published_at=now - 5 * hours, expires_at=now + hours))  # expires later: still live
    hidden = [
        world.brief(status=Brief.Status.DRAFT, published_at=None),
        world.brief(status=Brief.Status.IN_REVIEW, published_at=None),
        world.brief(status=Brief.Status.DRAFT, published_at=now - hours),  # a date alone does not publish
        world.brief(published_at=now + hours),  # scheduled
        world.brief(published_at=now - 3 * hours, expires_at=now - hours),  # expired
        world.brief(status=Brief.Status.WITHDRAWN, published_at=now - hours),
    ]

    _, parsed = fetch(client, world.url(kind, fmt))

    expected = sorted(live, key=lambda brief: brief.published_at, reverse=True)
    assert entry_links(parsed) == [public_url(brief) for brief in expected]
    titles = {entry.title for entry in parsed.entries}
    assert not titles & {brief.title for brief in hidden}


@pytest.mark.parametrize("kind", KINDS)
def test_feeds_carry_the_twenty_newest(client, world, kind):
    now = timezone.now()
    briefs = [world.brief(quoted=False, published_at=now - datetime.timedelta(minutes=n)) for n in range(1, 26)]
    _, parsed = fetch(client, world.url(kind))
    assert entry_links(parsed) == [public_url(brief) for brief in briefs[:FEED_LENGTH]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_scheduled_brief_appears_once_its_time_passes(client, world, fmt):
    with time_machine.travel(NOW, tick=False):
        scheduled = world.brief(published_at=NOW + datetime.timedelta(minutes=30))
        _, parsed = fetch(client, world.url("site", fmt))
        assert public_url(scheduled) not in entry_links(parsed)
    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        _, parsed = fetch(client, world.url("site", fmt))
        assert entry_links(parsed) == [public_url(scheduled)]


def test_issue_feed_includes_sub_issues_once_and_nothing_above_or_beside(client, world):
    other = IssueFactory(name="China")
    on_issue = world.brief(issues=[world.issue], published_at=timezone.now() - datetime.timedelta(hours=1))
    on_sub = world.brief(issues=[world.sub_issue], published_at=timezone.now() - datetime.timedelta(hours=2))
    on_both = world.brief(
        issues=[world.issue, world.sub_sub_issue], published_at=timezone.now() - datetime.timedelta(hours=3)
    )
    elsewhere = world.brief(issues=[other])

    _, parsed = fetch(client, world.url("issue"))
    assert entry_links(parsed) == [public_url(on_issue), public_url(on_sub), public_url(on_both)]

    _, sub_feed = fetch(client, reverse("issues:feed", kwargs={"slug": world.sub_issue.slug}))
    assert entry_links(sub_feed) == [public_url(on_sub), public_url(on_both)]
    _, other_feed = fetch(client, reverse("issues:feed_atom", kwargs={"slug": other.slug}))
    assert entry_links(other_feed) == [public_url(elsewhere)]


def test_expert_feed_has_briefs_they_wrote_or_are_quoted_in_once_each(client, world):
    hour = datetime.timedelta(hours=1)
    now = timezone.now()
    written = world.brief(quoted=False, published_at=now - hour)
    quoted_only = world.brief(quoted=True, authors=[], published_at=now - 2 * hour)
    both = world.brief(quoted=True, published_at=now - 3 * hour)
    ExpertQuoteFactory(brief=both, expert=world.expert)  # quoted twice and author: still one entry
    someone_else = world.brief(quoted=False, authors=[ExpertFactory()])

    _, parsed = fetch(client, world.url("expert", "atom"))
    assert entry_links(parsed) == [public_url(written), public_url(quoted_only), public_url(both)]
    assert public_url(someone_else) not in entry_links(parsed)


def test_type_feed_has_only_its_type(client, world):
    mine = world.brief()
    BriefFactory(type=BriefTypeFactory(name="Flash Brief"))
    _, parsed = fetch(client, world.url("type"))
    assert entry_links(parsed) == [public_url(mine)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_entry_id_survives_a_new_title_slug_and_date(client, world, fmt):
    brief = world.brief()
    _, before = fetch(client, world.url("site", fmt))
    brief.title, brief.slug = "A wholly new title", "a-wholly-new-slug"
    brief.published_at -= datetime.timedelta(days=3)
    brief.save()
    _, after = fetch(client, world.url("site", fmt))

    assert after.entries[0].title == "A wholly new title"
    assert after.entries[0].link != before.entries[0].link
    assert after.entries[0].id == before.entries[0].id
    assert before.entries[0].id.startswith("tag:localhost,")
    assert before.entries[0].id.endswith(f":brief:{brief.pk}")


def test_rss_guid_is_not_a_permalink(client, world):
    world.brief()
    response = client.get(world.url("site"))
    guid = etree.fromstring(response.content).find("channel/item/guid")
    assert guid.get("isPermaLink") == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_entry_carries_summary_full_content_authors_categories_and_dates(client, world, fmt):
    co_author = ExpertFactory(name="Ann Writer")
    brief = world.brief(
        title="Iran & Israel: <what> next",
        summary="Tehran fired <missiles> & drones.",
        authors=[world.expert, co_author],
        issues=[world.issue, world.sub_issue],
        body='<h2>Background</h2><p>See <a href="/briefs/">all briefs</a> and <a href="#note">a note</a>.</p>',
        quoted=False,
    )
    ExpertQuoteFactory(brief=brief, expert=world.expert, text="Strike <script>x</script> back.\n\nOr not.")

    _, parsed = fetch(client, world.url("site", fmt))
    entry = parsed.entries[0]

    assert entry.title == "Iran & Israel: <what> next"
    assert entry.summary == "Tehran fired &lt;missiles&gt; &amp; drones."  # shown as text, not markup
    assert sorted(author.name for author in entry.authors) == ["Ann Writer", "Bradley Bowman"]
    assert sorted(tag.term for tag in entry.tags) == ["Iran", "Iran Global Threat Network"]
    assert entry.published_parsed == brief.published_at.utctimetuple()
    assert entry.updated_parsed == brief.published_at.utctimetuple()  # no correction: updated = published

    content = entry.content[0].value
    assert content.index("Latest Developments") < content.index("Expert Analysis") < content.index("Background")
    assert "Something happened." in content
    assert "<p>Strike &lt;script&gt;x&lt;/script&gt; back.</p><p>Or not.</p>" in content
    assert f'<a href="{SITE_URL}{world.expert.get_absolute_url()}"' in content
    assert "Bradley Bowman</a>, Senior Director" in content
    assert f'<a href="{SITE_URL}/briefs/"' in content
    assert f'<a href="{public_url(brief)}#note"' in content
    assert "<script" not in content


def test_public_updated_at_follows_a_correction_and_falls_back_to_publication():
    brief = BriefFactory.build(published_at=NOW)
    assert brief.public_updated_at == NOW
    brief.corrected_at = NOW + datetime.timedelta(days=2)
    assert brief.public_updated_at == NOW + datetime.timedelta(days=2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_last_build_date_is_the_newest_entry_update(client, world, fmt):
    now = timezone.now().replace(microsecond=0)
    world.brief(published_at=now - datetime.timedelta(days=2))
    newest = world.brief(published_at=now - datetime.timedelta(hours=5))
    _, parsed = fetch(client, world.url("site", fmt))
    assert parsed.feed.updated_parsed == newest.published_at.utctimetuple()


@pytest.mark.parametrize("kind", KINDS)
def test_atom_feeds_validate_against_the_rfc_4287_schema(client, world, kind, tmp_path):
    require_tool(shutil.which("jing"), "Debian's jing (RELAX NG validator) is not installed")
    world.brief(authors=[world.expert, ExpertFactory()], issues=[world.issue, world.sub_issue])
    world.brief(authors=[], summary="", developments="", body="")  # the barest brief
    document = tmp_path / "feed.xml"
    document.write_bytes(client.get(world.url(kind, "atom")).content)

    result = subprocess.run(["jing", "-c", str(ATOM_SCHEMA), str(document)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

    # RFC 4287's two Schematron rules, which RELAX NG cannot express.
    root = etree.parse(str(document)).getroot()
    entries = root.findall("atom:entry", ATOM_NS)
    assert len(entries) == 2
    feed_has_author = root.find("atom:author", ATOM_NS) is not None
    for entry in entries:
        assert feed_has_author or entry.find("atom:author", ATOM_NS) is not None
        assert entry.find("atom:link[@rel='alternate']", ATOM_NS) is not None


def test_the_schema_check_rejects_an_invalid_atom_document(tmp_path):
    """Guards the test above: the schema really constrains (an entry without id and updated fails)."""
    require_tool(shutil.which("jing"), "Debian's jing (RELAX NG validator) is not installed")
    document = tmp_path / "bad.xml"
    document.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>'
        "<updated>2026-01-01T00:00:00Z</updated><entry><title>e</title></entry></feed>"
    )
    result = subprocess.run(["jing", "-c", str(ATOM_SCHEMA), str(document)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "updated" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "/issues/no-such-issue/feed/",
        "/issues/no-such-issue/feed/atom/",
        "/experts/no-such-expert/feed/",
        "/experts/no-such-expert/feed/atom/",
        "/types/no-such-type/feed/",
        "/types/no-such-type/feed/atom/",
        "/feed/rss/",
    ],
)
def test_unknown_feed_is_404(client, url):
    assert client.get(url).status_code == 404


def test_empty_feeds_are_valid(client, world):
    for fmt in FORMATS:
        _, parsed = fetch(client, world.url("issue", fmt))
        assert parsed.bozo is False
        assert parsed.entries == []
