"""What a reader gets beyond the text (#13): follow blocks, styled feeds, the institute's pages, the
footer, reading time, the "Corrected" notice and share links."""

import datetime
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from briefs.models import Correction
from pages.models import Page
from tests.factories import BriefFactory, ExpertQuoteFactory, SuperUserFactory
from tests.site_data import text

pytestmark = pytest.mark.django_db


def test_issue_expert_and_type_pages_have_a_follow_block_with_both_feeds(client, site):
    for owner in (site.issue, site.expert, site.brief_type):
        html = text(client.get(owner.get_absolute_url()))
        block = html[html.index('class="panel follow"') :]
        block = block[: block.index("</section>")]
        assert f"Follow {owner.name}" in block
        assert f'href="{owner.get_absolute_url()}feed/"' in block
        assert f'href="{owner.get_absolute_url()}feed/atom/"' in block
        assert "email alerts: subscriptions/includes/follow_email.html" not in html  # a template comment
        assert client.get(f"{owner.get_absolute_url()}feed/").status_code == 200


def test_issue_page_puts_sub_issues_and_experts_before_the_briefs(client, site):
    html = text(client.get(site.parent.get_absolute_url()))
    assert html.index('id="subissues"') < html.index('id="experts"') < html.index('id="briefs"')


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/issues/iran/feed/", "/issues/iran/feed/atom/"])
def test_feeds_point_browsers_at_the_xslt_and_stay_valid_for_readers(client, site, path):
    response = client.get(path)
    body = response.content
    assert (
        b'<?xml-stylesheet href="/static/feeds/feed.xsl" media="screen" type="text/xsl"?>'
        in body.split(b"<rss")[0].split(b"<feed")[0]
    )
    parsed = feedparser.parse(body)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert [entry.title for entry in parsed.entries][:1] == ["Brief 0"]

    # What a browser shows: the stylesheet applied to the feed (lxml's libxslt, as a browser's would).
    xslt = etree.XSLT(etree.parse(finders.find("feeds/feed.xsl")))
    page = str(xslt(etree.fromstring(body)))
    assert "This is a feed" in page and "feed reader" in page
    assert f"http://localhost:8000{path}" in page  # the address to paste into a reader
    assert "Brief 0" in page and 'href="http://localhost:8000/briefs/' in page
    xsl = client.get("/static/feeds/feed.xsl")
    # Browsers refuse a stylesheet of the wrong type under nosniff: it must say it is XSLT.
    assert xsl.status_code == 200 and xsl["Content-Type"].startswith("text/xsl")


def test_about_contact_and_privacy_are_pages_editors_edit(client, admin_client):
    for slug in ("about", "contact", "privacy"):
        response = client.get(f"/{slug}/")
        assert response.status_code == 200
        assert f'href="/{slug}/"' in text(response)  # linked from every page's footer
    page = Page.objects.get(slug="about")
    change = reverse("admin:pages_page_change", args=[page.pk])
    form = {
        "slug": "about",
        "title": "About the institute",
        "summary": "Who we are.",
        "body": "<p>New text<script>x</script></p>",
    }
    assert admin_client.post(change, form).status_code == 302
    html = text(client.get("/about/"))
    assert "<h1>About the institute</h1>" in html and "<p>New text</p>" in html and "<script>x" not in html
    assert client.get("/no-such-page/").status_code == 404


def test_editors_can_change_but_not_delete_the_pages(client):
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    assert {p.codename for p in editors.permissions.filter(content_type__app_label="pages")} == {
        "change_page",
        "view_page",
    }
    admin = SuperUserFactory()
    client.force_login(admin)
    page = Page.objects.get(slug="privacy")
    assert client.get(reverse("admin:pages_page_delete", args=[page.pk])).status_code == 403


def test_footer_links_about_contact_privacy_and_feeds(client, site):
    html = text(client.get("/"))
    footer = html[html.index('<footer class="site-footer">') :]
    for href in ("/about/", "/contact/", "/privacy/", "/feed/", "/feed/atom/", "/issues/", "/experts/"):
        assert f'href="{href}"' in footer


def test_brief_shows_reading_time_from_its_words(client):
    brief = BriefFactory(developments="<p>" + "word " * 500 + "</p>", body="<p>" + "more " * 300 + "</p>")
    ExpertQuoteFactory(brief=brief, text="quote " * 300)
    assert "5 min read" in text(client.get(brief.get_absolute_url()))  # 1,100 words at 220 a minute
    short = BriefFactory(developments="<p>Short.</p>", body="")
    assert "1 min read" in text(client.get(short.get_absolute_url()))


def test_a_corrected_brief_says_so_at_the_top_and_links_to_the_note(client):
    brief = BriefFactory()
    assert "Corrected" not in text(client.get(brief.get_absolute_url()))
    at = timezone.now() - datetime.timedelta(minutes=5)
    Correction.objects.create(brief=brief, text="We misnamed the minister.", at=at)
    brief.corrected_at = at
    brief.save()
    html = text(client.get(brief.get_absolute_url()))
    notice = html.index('class="corrected-notice"')
    assert notice < html.index('class="brief-section') and notice < html.index("We misnamed the minister.")
    stamp = timezone.localtime(at).isoformat(timespec="seconds")
    assert f'<a href="#corrections-heading">Corrected <time datetime="{stamp}">' in html
    assert 'id="corrections-heading"' in html


def test_share_links_are_plain_urls_with_the_brief_and_no_third_party_script(client):
    brief = BriefFactory(title="Sanctions & shipping")
    html = text(client.get(brief.get_absolute_url()))
    url = "http://localhost:8000" + brief.get_absolute_url()
    share = html[html.index('class="share"') :]
    share = share[: share.index("</div>")]
    hrefs = {}
    for part in share.split('href="')[1:]:
        href = part[: part.index('"')].replace("&amp;", "&")
        hrefs[urlsplit(href).scheme + ":" + (urlsplit(href).hostname or "")] = href
    assert set(hrefs) == {"mailto:", "https:x.com", "https:bsky.app", "https:www.linkedin.com"}
    assert parse_qs(urlsplit(hrefs["https:x.com"]).query) == {"text": ["Sanctions & shipping"], "url": [url]}
    assert parse_qs(urlsplit(hrefs["https:www.linkedin.com"]).query) == {"url": [url]}
    assert parse_qs(urlsplit(hrefs["https:bsky.app"]).query) == {"text": [f"Sanctions & shipping {url}"]}
    assert "%20" in hrefs["mailto:"] and "+" not in hrefs["mailto:"]
    assert f'data-copy="{url}"' in share  # the copy-link button
    assert '<script src="http' not in html and "<iframe" not in html


def test_make_run_on_another_port_points_site_url_and_name_at_the_demo(tmp_path):
    """`make run PORT=N`: what the shell gives the server (Make's own command line, run with `env`)."""
    import os
    import subprocess

    from tests.conftest import ROOT

    plan = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True)
    (serve,) = [line for line in plan.stdout.splitlines() if "runserver" in line]
    assert serve.endswith("runserver 127.0.0.1:8123")
    environment = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "SITE_NAME")}
    shown = subprocess.run(
        ["bash", "-c", serve.split(" .venv/bin/python")[0] + " env"], capture_output=True, text=True, env=environment
    ).stdout.splitlines()
    assert "SITE_URL=http://127.0.0.1:8123" in shown
    assert "SITE_NAME=Northgate Institute" in shown
    assert "DEBUG=1" in shown


def test_the_privacy_page_says_what_email_alerts_keep(client):
    """The page made by the migrations tells readers what signing up for alerts stores (#15)."""
    body = client.get("/privacy/").content.decode()
    assert "Email alerts" in body and "unconfirmed sign-ups are deleted after 7 days" in body
    assert "no tracking pixels" in body
