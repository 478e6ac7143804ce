"""What a page's head and URL say about it: one canonical URL per page whatever the query string,
titles naming the pages shown, JSON-LD dates that follow corrections, and the site's icon."""

import datetime
import json
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from briefs.models import Brief
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, ExpertQuoteFactory
from tests.site_data import public_urls, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["2", "last", "002", "+2", "%EF%BC%92", "2&utm_source=newsletter"])
def test_one_canonical_url_whatever_spelling_of_the_page_number(client, value):
    brief_type = BriefTypeFactory()
    for i in range(25):
        BriefFactory(type=brief_type, published_at=timezone.now() - datetime.timedelta(hours=i + 1))
    html = text(client.get(f"/briefs/?page={value}"))
    assert '<link rel="canonical" href="http://localhost:8000/briefs/?page=2">' in html
    assert '<meta property="og:url" content="http://localhost:8000/briefs/?page=2">' in html


def test_expert_quotes_list_takes_last_and_names_its_page_in_title_and_canonical(client):
    expert = ExpertFactory(name="Busy Person", slug="busy")
    now = timezone.now()
    for i in range(12):
        BriefFactory(title=f"Authored {i:02d}", authors=[expert], published_at=now - datetime.timedelta(hours=i + 1))
        quoting = BriefFactory(title=f"Quoting {i:02d}", published_at=now - datetime.timedelta(hours=i + 1, minutes=30))
        ExpertQuoteFactory(brief=quoting, expert=expert)
    html = text(client.get("/experts/busy/?quoted=last&page=last"))
    assert "Quoting 11" in html and "Quoting 00" not in html
    assert "Authored 11" in html and "Authored 00" not in html
    assert '<link rel="canonical" href="http://localhost:8000/experts/busy/?page=2&amp;quoted=2">' in html
    assert "<title>Busy Person, page 2, quotes page 2 | Dossier</title>" in html
    assert "<title>Busy Person | Dossier</title>" in text(client.get("/experts/busy/?quoted=1"))


def test_brief_json_ld_and_meta_modified_time_follow_a_correction(client, site):
    corrected_at = timezone.now() - datetime.timedelta(minutes=5)
    Brief.objects.filter(pk=site.brief.pk).update(corrected_at=corrected_at)
    html = text(client.get(site.brief.get_absolute_url()))
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    modified = datetime.datetime.fromisoformat(data["dateModified"])
    assert abs(modified - corrected_at) < datetime.timedelta(milliseconds=1)
    stamp = timezone.localtime(corrected_at).isoformat(timespec="seconds")
    assert f'<meta property="article:modified_time" content="{stamp}">' in html


def test_pages_without_lists_ignore_page_parameters_in_their_canonical_url(client, site):
    for url in ["/", site.brief.get_absolute_url(), "/issues/", "/experts/"]:
        html = text(client.get(f"{url}?page=3&quoted=2"))
        assert f'<link rel="canonical" href="http://localhost:8000{url}">' in html, url


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, site):
    pages = [text(client.get(url)) for url in [*public_urls(site), "/no-such-page/"]]
    for html in [*pages, render_to_string("500.html")]:
        assert '<link rel="icon" type="image/png" href="/static/img/logo.png">' in html
    assert client.get("/static/img/logo.png").status_code == 200


def alternate_feeds(html):
    return set(re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" [^>]*href="([^"]+)"', html))


def with_atom(*urls):
    return {url for base in urls for url in (base + "feed/", base + "feed/atom/")}


@pytest.mark.parametrize(
    "page, own_feeds",
    [
        ("home", lambda s: set()),
        ("type", lambda s: with_atom(s.brief_type.get_absolute_url())),
        ("issue", lambda s: with_atom(s.issue.get_absolute_url())),
        ("expert", lambda s: with_atom(s.expert.get_absolute_url())),
        # a brief: its type's, its issues' and its authors' feeds
        (
            "brief",
            lambda s: with_atom(
                s.brief.type.get_absolute_url(),
                *(issue.get_absolute_url() for issue in s.brief.issues.all()),
                s.expert.get_absolute_url(),
            ),
        ),
    ],
)
def test_pages_advertise_the_site_feeds_and_their_own(client, site, page, own_feeds):
    url = {
        "home": "/",
        "type": site.brief_type.get_absolute_url(),
        "issue": site.issue.get_absolute_url(),
        "expert": site.expert.get_absolute_url(),
        "brief": site.brief.get_absolute_url(),
    }[page]
    feeds = alternate_feeds(text(client.get(url)))
    assert feeds == with_atom("/") | own_feeds(site)
    for feed in feeds:  # every advertised feed answers
        assert client.get(feed).status_code == 200, feed
