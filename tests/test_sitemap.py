import datetime

import pytest
import time_machine
from django.utils import timezone
from lxml import etree

from briefs.models import Brief
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, IssueFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in tree.findall("s:url", NS)
    }


def test_sitemap_lists_live_briefs_with_lastmod_issues_experts_and_types(client, settings):
    settings.SITE_URL = "https://briefs.example.org"
    issue = IssueFactory(name="Iran")
    flash, empty_type = BriefTypeFactory(name="Flash Brief"), BriefTypeFactory(name="Empty Type")
    brief = BriefFactory(type=flash, issues=[issue])
    draft = BriefFactory(type=empty_type, status=Brief.Status.DRAFT)
    expert, former = ExpertFactory(slug="active-one"), ExpertFactory(slug="former-one", is_active=False)
    found = entries(client)
    base = "https://briefs.example.org"
    assert found[base + brief.get_absolute_url()] == timezone.localdate(brief.published_at).isoformat()
    assert base + issue.get_absolute_url() in found
    assert base + expert.get_absolute_url() in found
    assert base + flash.get_absolute_url() in found
    assert base + empty_type.get_absolute_url() not in found  # no live brief of that type
    assert base + former.get_absolute_url() not in found
    assert not any(draft.slug in loc for loc in found)


def test_sitemap_is_served_from_the_cache_until_the_live_briefs_change(client, django_assert_num_queries):
    BriefFactory(slug="first")
    first = client.get("/sitemap.xml")
    with django_assert_num_queries(0):  # the public page cache (briefs.pagecache)
        again = client.get("/sitemap.xml")
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/xml"
    assert "noindex" in again["X-Robots-Tag"]

    withdrawn = BriefFactory(slug="withdrawn-at-once")
    assert "/withdrawn-at-once/" in client.get("/sitemap.xml").content.decode()
    withdrawn.status = Brief.Status.WITHDRAWN
    withdrawn.save()
    assert "/withdrawn-at-once/" not in client.get("/sitemap.xml").content.decode()

    scheduled = BriefFactory(slug="scheduled-on-time", published_at=timezone.now() + datetime.timedelta(hours=1))
    assert "/scheduled-on-time/" not in client.get("/sitemap.xml").content.decode()
    # Its time comes: nothing is saved, yet the sitemap lists it on the next request.
    with time_machine.travel(scheduled.published_at, tick=False):
        assert "/scheduled-on-time/" in client.get("/sitemap.xml").content.decode()


def test_sitemap_bad_page_is_404(client):
    BriefFactory()
    assert client.get("/sitemap.xml?p=abc").status_code == 404
    assert client.get("/sitemap.xml?p=99").status_code == 404


def test_sitemap_lastmod_moves_with_a_correction_not_with_a_typo_fix(client):
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
