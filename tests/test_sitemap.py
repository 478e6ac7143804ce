import datetime

import pytest
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


def test_sitemap_is_served_from_the_cache(client, django_assert_num_queries):
    BriefFactory()
    first = client.get("/sitemap.xml").content
    BriefFactory(title="Published after the first crawl", slug="after-the-crawl")
    with django_assert_num_queries(0):
        assert client.get("/sitemap.xml").content == first


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
