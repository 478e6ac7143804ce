"""Every page type is valid HTML for the Nu HTML Checker, and meets accessibility basics."""

import io
import json
import re
import subprocess

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from experts.models import Expert
from tests.conftest import require_tool, vnu_jar
from tests.factories import BriefFactory, IssueFactory
from tests.site_data import build_site, public_urls

pytestmark = [pytest.mark.django_db, pytest.mark.vnu]


def rendered_pages(client):
    site = build_site(3)
    urls = [*public_urls(site), *picture_pages(site), "/about/", "/contact/", "/privacy/"]
    pages = {url: client.get(url).content.decode() for url in urls}
    pages["expert, explicit pages"] = client.get(f"{site.expert.get_absolute_url()}?page=1&quoted=1").content.decode()
    # Search (#12): results with excerpts and facets, a "did you mean", the filtered archive.
    for url in ["/search/?q=brief+quote", "/search/?q=brjef", f"/briefs/?issue={site.parent.slug}"]:
        pages[url] = client.get(url).content.decode()
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    pages["404"] = not_found.content.decode()
    pages["500"] = render_to_string("500.html")
    return pages


def picture_pages(site):
    """A brief with a lead picture and an issue with its own (#13): <picture>, srcset, captions."""
    from tests.test_pictures import jpeg

    brief = BriefFactory(
        title="Tankers", slug="tankers", issues=[site.issue], lead_image=jpeg(), lead_image_alt="A tanker",
        lead_image_caption="In the Strait.", lead_image_credit="Reuters",
    )  # fmt: skip
    IssueFactory(name="Gaza", slug="gaza", featured=True, image=jpeg(), image_alt="Rubble")
    return [brief.get_absolute_url(), "/issues/gaza/"]


def nu_errors(pages, tmp_path):
    """The Nu HTML Checker's errors over ``pages`` ({label: html}), each as "label:line: message"."""
    jar = vnu_jar()
    require_tool(jar, "the Nu HTML Checker needs java and node_modules/vnu-jar")
    files = {}
    for index, (url, html) in enumerate(pages.items()):
        path = tmp_path / f"page{index}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    # One java start for all pages: the checker takes a while to boot.
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]


def test_every_page_type_passes_the_nu_html_checker(client, tmp_path):
    pages = rendered_pages(client)
    assert len(pages) == 20
    assert nu_errors(pages, tmp_path) == []


def test_the_demo_site_passes_the_nu_html_checker(client, tmp_path, settings):
    """Every page of the demo content (what ``make run`` shows): real rich text, citations,
    long quotes, corrections and every expert, issue and type, not only the test fixtures."""
    require_tool(vnu_jar(), "the Nu HTML Checker needs java and node_modules/vnu-jar")
    settings.DEBUG = True  # load_demo refuses to run on a production site
    call_command("load_demo", stdout=io.StringIO())
    call_command("make_brief_files", "--only", "citations", stdout=io.StringIO())  # the worker's part (#21)
    settings.DEBUG = False

    def locs(url):
        xml = client.get(url).content.decode()
        return [loc.removeprefix(settings.SITE_URL) for loc in re.findall(r"<loc>([^<]+)</loc>", xml)]

    urls = [url for sitemap in locs("/sitemap.xml") for url in locs(sitemap)]
    urls += ["/", "/briefs/", "/briefs/?page=2", "/issues/", "/experts/"]
    urls += [f"{expert.get_absolute_url()}?quoted=2" for expert in Expert.objects.active()[:3]]
    pages = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:  # ?quoted=2 of an expert quoted less: a 404, checked elsewhere
            pages[url] = response.content.decode()
    assert len(pages) >= 60
    assert nu_errors(pages, tmp_path) == []


def heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def test_pages_have_landmarks_one_h1_ordered_headings_and_alt_text(client):
    for url, html in rendered_pages(client).items():
        assert html.count("<main") == 1 and "<header" in html, url
        assert 'class="skip-link" href="#main"' in html, url
        levels = heading_levels(html)
        assert levels.count(1) == 1 and levels[0] == 1, url
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{url}: h{before} followed by h{after}"
        for img in re.findall(r"<img[^>]*>", html):
            assert " alt=" in img, (url, img)
