import datetime

import pytest
import time_machine
from django.utils import timezone
from lxml import etree

from briefs import workflow
from briefs.models import Brief
from briefs.sitemaps import BriefSitemap
from tests.factories import BriefFactory, BriefTypeFactory, EditorFactory, ExpertFactory, IssueFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://localhost:8000"  # SITE_URL in tests


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    assert "noindex" in response["X-Robots-Tag"]
    return etree.fromstring(response.content)


def index(client):
    """The index's files, in order: {loc: lastmod}."""
    tree = xml(client, "/sitemap.xml")
    assert etree.QName(tree).localname == "sitemapindex"
    return {
        entry.findtext("s:loc", namespaces=NS): entry.findtext("s:lastmod", namespaces=NS)
        for entry in tree.findall("s:sitemap", NS)
    }


def entries(client, url="/sitemap-briefs.xml"):
    """A sitemap file's URLs, in order: {loc: lastmod}."""
    tree = xml(client, url)
    return {
        entry.findtext("s:loc", namespaces=NS): entry.findtext("s:lastmod", namespaces=NS)
        for entry in tree.findall("s:url", NS)
    }


def slugs(client, url):
    return [loc.rsplit("/", 2)[-2] for loc in entries(client, url)]


def every_entry(client):
    """The URLs of every file the index names."""
    found = {}
    for loc in index(client):
        found.update(entries(client, loc.removeprefix(BASE)))
    return found


def test_index_names_one_file_per_section_on_site_url(client, settings):
    settings.SITE_URL = "https://briefs.example.org"
    BriefFactory()
    found = index(client)  # asked of host "testserver": every address is on SITE_URL
    assert list(found) == [
        f"https://briefs.example.org/sitemap-{section}.xml" for section in ("briefs", "types", "issues", "experts")
    ]


def test_each_file_lists_what_it_should(client, settings):
    settings.SITE_URL = "https://briefs.example.org"
    issue = IssueFactory(name="Iran")
    flash, empty_type = BriefTypeFactory(name="Flash Brief"), BriefTypeFactory(name="Empty Type")
    brief = BriefFactory(type=flash, issues=[issue])
    draft = BriefFactory(type=empty_type, status=Brief.Status.DRAFT)
    expert, former = ExpertFactory(slug="active-one"), ExpertFactory(slug="former-one", is_active=False)
    base = "https://briefs.example.org"
    briefs = entries(client, "/sitemap-briefs.xml")
    assert briefs == {base + brief.get_absolute_url(): timezone.localdate(brief.published_at).isoformat()}
    # Not the other type: no live brief of it.
    assert list(entries(client, "/sitemap-types.xml")) == [base + flash.get_absolute_url()]
    assert list(entries(client, "/sitemap-issues.xml")) == [base + issue.get_absolute_url()]
    experts = entries(client, "/sitemap-experts.xml")
    assert list(experts) == [base + expert.get_absolute_url()]
    assert experts[base + expert.get_absolute_url()] == timezone.localdate(expert.updated_at).isoformat()
    everything = "".join(every_entry(client))
    assert draft.slug not in everything and empty_type.slug not in everything and former.slug not in everything


def test_index_lastmod_is_the_latest_public_update_of_each_section(client):
    now = timezone.now()
    older = BriefFactory(published_at=now - datetime.timedelta(days=30))
    latest = BriefFactory(published_at=now - datetime.timedelta(days=5))
    BriefFactory(published_at=now + datetime.timedelta(days=1))  # scheduled: not counted
    expert = ExpertFactory()
    found = index(client)
    assert datetime.datetime.fromisoformat(found[f"{BASE}/sitemap-briefs.xml"]) == latest.published_at
    assert datetime.datetime.fromisoformat(found[f"{BASE}/sitemap-experts.xml"]) == expert.updated_at
    assert found[f"{BASE}/sitemap-issues.xml"] is None  # issues and types have no lastmod
    assert found[f"{BASE}/sitemap-types.xml"] is None

    # A correction moves it at once, though it moves no listing (the cached index follows any edit).
    correction = workflow.add_correction(brief=older, user=EditorFactory(), text="An earlier version misdated it.")
    found = index(client)
    assert datetime.datetime.fromisoformat(found[f"{BASE}/sitemap-briefs.xml"]) == correction.at


def test_files_are_paginated_oldest_first_and_a_new_brief_joins_the_last(client, monkeypatch):
    monkeypatch.setattr(BriefSitemap, "limit", 2)
    now = timezone.now()
    for day in (5, 4, 3, 2, 1):
        BriefFactory(slug=f"day-{day}", published_at=now - datetime.timedelta(days=day))
    files = [f"{BASE}/sitemap-briefs.xml", f"{BASE}/sitemap-briefs.xml?p=2", f"{BASE}/sitemap-briefs.xml?p=3"]
    assert [loc for loc in index(client) if "briefs" in loc] == files
    assert slugs(client, "/sitemap-briefs.xml") == ["day-5", "day-4"]
    assert slugs(client, "/sitemap-briefs.xml?p=2") == ["day-3", "day-2"]
    assert slugs(client, "/sitemap-briefs.xml?p=3") == ["day-1"]

    BriefFactory(slug="today", published_at=now - datetime.timedelta(minutes=1))
    assert slugs(client, "/sitemap-briefs.xml") == ["day-5", "day-4"]  # earlier files keep their URLs
    assert slugs(client, "/sitemap-briefs.xml?p=3") == ["day-1", "today"]
    BriefFactory(slug="later", published_at=now - datetime.timedelta(seconds=1))
    assert [loc for loc in index(client) if "briefs" in loc] == [*files, f"{BASE}/sitemap-briefs.xml?p=4"]
    assert slugs(client, "/sitemap-briefs.xml?p=4") == ["later"]


def test_files_and_index_are_served_from_the_cache_until_what_they_list_changes(client, django_assert_num_queries):
    BriefFactory(slug="first")
    for url in ("/sitemap.xml", "/sitemap-briefs.xml"):
        first = client.get(url)
        with django_assert_num_queries(0):  # the public page cache (briefs.pagecache)
            again = client.get(url)
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"] == "application/xml"
        assert "noindex" in again["X-Robots-Tag"]
        # Its newest lastmod would not move when a brief leaves: no validator that could say "unchanged".
        assert not again.has_header("Last-Modified") and not first.has_header("Last-Modified")

    withdrawn = BriefFactory(slug="withdrawn-at-once")
    assert "/withdrawn-at-once/" in client.get("/sitemap-briefs.xml").content.decode()
    withdrawn.status = Brief.Status.WITHDRAWN
    withdrawn.save()
    assert "/withdrawn-at-once/" not in client.get("/sitemap-briefs.xml").content.decode()

    scheduled = BriefFactory(slug="scheduled-on-time", published_at=timezone.now() + datetime.timedelta(hours=1))
    assert "/scheduled-on-time/" not in client.get("/sitemap-briefs.xml").content.decode()
    # Its time comes: nothing is saved, yet the sitemap lists it on the next request.
    with time_machine.travel(scheduled.published_at, tick=False):
        assert "/scheduled-on-time/" in client.get("/sitemap-briefs.xml").content.decode()


def test_a_file_hit_reads_a_few_versions_not_one_per_brief(client, monkeypatch):
    """A file names up to 2,000 briefs; a hit checks the site-wide tags it follows, not each brief's
    (which made a hit five times dearer than a page's), and a slug change still shows at once."""
    from serving import versions

    briefs = [BriefFactory(slug=f"listed-{n}") for n in range(30)]
    client.get("/sitemap-briefs.xml")
    store = versions.store()
    read = []
    original = store.get

    def counted(tags):
        read.append(len(tags))
        return original(tags)

    monkeypatch.setattr(store, "get", counted)
    client.get("/sitemap-briefs.xml")
    assert read and max(read) <= 8
    monkeypatch.undo()
    briefs[0].slug = "renamed"  # only the brief's own tag (and every page's ``any``) moves
    briefs[0].save()
    assert "/renamed/" in client.get("/sitemap-briefs.xml").content.decode()


def test_a_scheduled_brief_opens_a_new_file_at_its_second(client, monkeypatch):
    monkeypatch.setattr(BriefSitemap, "limit", 1)
    BriefFactory()
    scheduled = BriefFactory(slug="scheduled-on-time", published_at=timezone.now() + datetime.timedelta(hours=1))
    assert f"{BASE}/sitemap-briefs.xml?p=2" not in index(client)
    assert client.get("/sitemap-briefs.xml?p=2").status_code == 404
    with time_machine.travel(scheduled.published_at, tick=False):
        assert f"{BASE}/sitemap-briefs.xml?p=2" in index(client)
        assert slugs(client, "/sitemap-briefs.xml?p=2") == ["scheduled-on-time"]


@pytest.mark.parametrize("page", ["abc", "99", "0", "-1", "1.5", ""])
def test_a_bad_page_is_404(client, page):
    BriefFactory()
    assert client.get(f"/sitemap-briefs.xml?p={page}").status_code == 404


@pytest.mark.parametrize("url", ["/sitemap-drafts.xml", "/sitemap-.xml", "/sitemap-briefs.xml/", "/sitemap-Briefs.xml"])
def test_an_unknown_section_is_404(client, url):
    BriefFactory()
    assert client.get(url).status_code == 404


def test_lastmod_moves_with_a_correction_not_with_a_typo_fix(client):
    now = timezone.now()
    typo_fixed = BriefFactory(slug="typo-fixed", published_at=now - datetime.timedelta(days=30))
    corrected = BriefFactory(slug="corrected", published_at=now - datetime.timedelta(days=30))
    typo_fixed.title = "Fixed a typo"
    typo_fixed.save()  # updated_at is now; nothing readers were told about changed
    corrected.corrected_at = now - datetime.timedelta(days=2)
    corrected.save()
    found = {loc.rsplit("/", 2)[-2]: lastmod for loc, lastmod in entries(client).items()}
    assert found["typo-fixed"] == timezone.localdate(typo_fixed.published_at).isoformat()
    assert found["corrected"] == timezone.localdate(corrected.corrected_at).isoformat()
