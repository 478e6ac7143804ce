"""Every public page of the URL contract (search and feeds excepted), as a reader meets it."""

import datetime
import json
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from briefs.models import Brief
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
)
from tests.site_data import ONE_PIXEL_GIF, public_urls, text

pytestmark = pytest.mark.django_db


def test_every_public_page_answers_with_one_h1_and_a_strict_csp(client, site):
    for url in public_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        html = text(response)
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html and '<main id="main"' in html, url
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        # No inline styles or executable inline scripts: only JSON-LD data blocks carry a nonce, and
        # scripts are our own static files (the brief's copy buttons), empty elements with a src.
        assert "style=" not in html and "<style" not in html, url
        for tag in re.findall(r"<script[^>]*>(?:(?!</script>).)*</script>", html, re.S):
            if " src=" in tag:
                assert re.fullmatch(r'<script src="/static/[\w/.-]+\.js" defer></script>', tag), (url, tag)
            else:
                assert 'type="application/ld+json"' in tag and "nonce=" in tag, (url, tag)


def test_head_has_title_description_canonical_social_tags_and_feeds(client, site):
    html = text(client.get(site.brief.get_absolute_url()))
    url = "http://localhost:8000" + site.brief.get_absolute_url()
    assert "<title>Brief 0 | Dossier</title>" in html
    assert '<meta name="description" content="A short summary for cards and feeds.">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html  # with the brief's card (#13)
    for href in ("/feed/", "/feed/atom/", "/types/flash-brief/feed/", "/types/flash-brief/feed/atom/"):
        assert f'href="{href}"' in html


def test_brief_json_ld_is_a_news_article_with_authors_and_dates(client, site):
    html = text(client.get(site.brief.get_absolute_url()))
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Brief 0"
    assert [author["name"] for author in data["author"]] == ["Bradley Bowman"]
    published = datetime.datetime.fromisoformat(data["datePublished"])
    assert abs(published - site.brief.published_at) < datetime.timedelta(milliseconds=1)
    assert data["dateModified"] == data["datePublished"]  # no correction yet
    assert data["author"][0]["url"] == "http://localhost:8000/experts/bradley-bowman/"
    assert data["publisher"]["logo"]["url"] == "http://localhost:8000/static/img/logo.png"
    assert client.get("/static/img/logo.png").status_code == 200


def test_json_ld_cannot_close_its_script_element(client):
    brief = BriefFactory(title="Tricky </script><script>alert(1)</script>")
    html = text(client.get(brief.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["headline"] == brief.title


def test_expert_page_has_person_json_ld_and_its_feeds(client, site):
    html = text(client.get(site.expert.get_absolute_url()))
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Person" and data["name"] == "Bradley Bowman" and data["jobTitle"] == "Senior Director"
    assert 'href="/experts/bradley-bowman/feed/"' in html and 'href="/experts/bradley-bowman/feed/atom/"' in html


def test_issue_and_type_pages_link_their_feeds(client, site):
    html = text(client.get(site.issue.get_absolute_url()))
    assert f'href="{site.issue.get_absolute_url()}feed/atom/"' in html
    html = text(client.get(site.brief_type.get_absolute_url()))
    assert 'href="/types/flash-brief/feed/"' in html


def test_brief_page_keeps_the_old_sites_order(client):
    expert = ExpertFactory(name="Bradley Bowman", title="Senior Director")
    issue = IssueFactory(name="Iran")
    brief = BriefFactory(
        title="Iran strikes Israel",
        summary="The summary line.",
        developments="<p>Developments text.</p>",
        body="<h2>Further Section</h2><p>Body text.</p>",
        authors=[expert],
        issues=[issue],
        published_at=timezone.make_aware(datetime.datetime(2024, 4, 24, 9)),
    )
    ExpertQuoteFactory(brief=brief, expert=expert, text="The quote text.")
    RelatedLinkFactory(brief=brief, title="Outside report", url="https://example.org/r", byline="by A and B")
    html = text(client.get("/briefs/2024/04/24/" + brief.slug + "/"))
    html = html[html.index("<main") :]
    order = [
        "April 24, 2024</time> | <a",
        "Iran strikes Israel</h1>",
        "The summary line.",
        "By <a",
        "Latest Developments",
        "Developments text.",
        "Expert Analysis",
        "The quote text.",
        "Further Section",
        "Related Reading",
        "Outside report",
        'href="/issues/iran/">Iran</a>',
    ]
    positions = [html.index(part) for part in order]
    assert positions == sorted(positions)


def test_quote_is_attributed_with_the_title_stored_on_the_quote(client):
    expert = ExpertFactory(name="Jane Doe", slug="jane-doe", title="President")
    quote = ExpertQuoteFactory(expert=expert, expert_title="Research Fellow", text="A measured view.")
    html = text(client.get(quote.brief.get_absolute_url()))
    assert '<figcaption><a href="/experts/jane-doe/">Jane Doe</a>, Research Fellow</figcaption>' in html
    assert "President" not in html
    assert "<blockquote><p>A measured view.</p></blockquote>" in html


def test_related_reading_shows_live_briefs_external_links_and_citations(client):
    brief = BriefFactory()
    live_target = BriefFactory(title="A live neighbour")
    gone = BriefFactory(title="A withdrawn neighbour", status=Brief.Status.WITHDRAWN)
    RelatedLinkFactory(brief=brief, target_brief=live_target, url="", title="", byline="")
    RelatedLinkFactory(brief=brief, target_brief=gone, url="", title="", byline="")
    RelatedLinkFactory(brief=brief, title="Outside report", url="https://example.org/r", byline="by A and B")
    RelatedLinkFactory(brief=brief, title="Print only", url="", byline="Foreign Affairs")
    html = text(client.get(brief.get_absolute_url()))
    assert f'<a href="{live_target.get_absolute_url()}">A live neighbour</a>' in html
    assert "A withdrawn neighbour" not in html
    assert '“<a href="https://example.org/r" rel="noopener">Outside report</a>,”\u00a0by A and B' in html.replace(
        "&nbsp;", "\u00a0"
    )
    assert "<cite>“Print only,”</cite> Foreign Affairs" in html


def test_related_reading_is_topped_up_with_suggestions_sharing_the_most_issues(client):
    iran, israel, china = IssueFactory(name="Iran"), IssueFactory(name="Israel"), IssueFactory(name="China")
    now = timezone.now()
    brief = BriefFactory(title="The brief", issues=[iran, israel])
    picked = BriefFactory(title="Hand picked", issues=[iran, israel])
    RelatedLinkFactory(brief=brief, target_brief=picked, url="", title="", byline="")
    both_old = BriefFactory(
        title="Shares both, older", issues=[iran, israel], published_at=now - datetime.timedelta(days=9)
    )
    one_new = BriefFactory(title="Shares one, newest", issues=[iran], published_at=now - datetime.timedelta(minutes=5))
    one_old = BriefFactory(title="Shares one, oldest", issues=[israel], published_at=now - datetime.timedelta(days=30))
    BriefFactory(title="Shares one, oldest of all", issues=[israel], published_at=now - datetime.timedelta(days=60))
    BriefFactory(title="Unrelated", issues=[china])
    BriefFactory(title="Draft on Iran", issues=[iran], status=Brief.Status.DRAFT)
    html = text(client.get(brief.get_absolute_url()))
    suggested = re.findall(r'<li data-suggested="true">\s*<a href="[^"]+">([^<]+)</a>', html)
    # 1 hand-picked + 3 suggestions = 4; the hand-picked one and the brief itself are not repeated.
    assert suggested == [both_old.title, one_new.title, one_old.title]
    assert "Suggested on the same issues" in html
    assert html.count("Hand picked") == 1


def test_no_suggestions_when_four_items_are_hand_picked(client):
    issue = IssueFactory()
    brief = BriefFactory(issues=[issue])
    BriefFactory(title="Would be suggested", issues=[issue])
    for i in range(4):
        RelatedLinkFactory(brief=brief, title=f"Picked {i}")
    html = text(client.get(brief.get_absolute_url()))
    assert "Would be suggested" not in html and "data-suggested" not in html


def test_wrong_date_in_the_url_redirects_permanently_to_the_canonical_url(client):
    brief = BriefFactory(slug="the-brief", published_at=timezone.make_aware(datetime.datetime(2024, 4, 24, 9)))
    for wrong in ("/briefs/2023/01/02/the-brief/", "/briefs/2024/4/24/the-brief/"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response.headers["Location"] == "/briefs/2024/04/24/the-brief/"
    assert client.get(brief.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/briefs/2024/04/24/no-such-brief/",
        "/types/no-such-type/",
        "/issues/no-such-issue/",
        "/experts/no-such-expert/",
        "/no-such-page/",
    ],
)
def test_unknown_things_are_a_branded_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = text(response)
    assert "<h1>Page not found</h1>" in html and '<meta name="robots" content="noindex">' in html


def test_unpublished_brief_is_404_at_its_address(client):
    brief = BriefFactory(status=Brief.Status.DRAFT)
    assert client.get(f"/briefs/2024/01/01/{brief.slug}/").status_code == 404


@pytest.mark.parametrize(
    "param",
    ["page=abc", "page=0", "page=99", "page=-1", "page=2.5", "page=99999999999999999999999", "page=%00", "page=1e3"],
)
def test_bad_page_numbers_are_404(client, site, param):
    for path in [
        "/briefs/",
        site.brief_type.get_absolute_url(),
        site.issue.get_absolute_url(),
        site.expert.get_absolute_url(),
    ]:
        assert client.get(f"{path}?{param}").status_code == 404, path
    assert client.get(f"{site.expert.get_absolute_url()}?{param.replace('page', 'quoted')}").status_code == 404


def test_briefs_list_is_newest_first_and_paginated(client):
    brief_type = BriefTypeFactory()
    now = timezone.now()
    for i in range(25):
        BriefFactory(title=f"Numbered {i:02d}", type=brief_type, published_at=now - datetime.timedelta(hours=i + 1))
    first = text(client.get("/briefs/"))
    assert first.index("Numbered 00") < first.index("Numbered 19")
    assert "Numbered 20" not in first
    assert 'rel="next" href="?page=2"' in first
    second = text(client.get("/briefs/?page=2"))
    assert "Numbered 24" in second and "Numbered 00" not in second
    assert 'rel="prev" href="?"' in second
    assert '<link rel="canonical" href="http://localhost:8000/briefs/?page=2">' in second
    assert "<title>All briefs, page 2 | Dossier</title>" in second


def test_type_page_lists_only_its_type(client):
    flash, analysis = BriefTypeFactory(name="Flash Brief"), BriefTypeFactory(name="Analysis")
    BriefFactory(title="A flash one", type=flash)
    BriefFactory(title="An analysis", type=analysis)
    html = text(client.get("/types/analysis/"))
    assert "An analysis" in html and "A flash one" not in html


def test_home_shows_latest_briefs_flash_briefs_and_featured_issues(client):
    flash, analysis = BriefTypeFactory(name="Flash Brief"), BriefTypeFactory(name="Analysis")
    BriefFactory(title="A flash one", type=flash)
    BriefFactory(title="An analysis", type=analysis)
    IssueFactory(name="Featured one", featured=True)
    IssueFactory(name="Not featured")
    html = text(client.get("/"))
    flash_panel = html[html.index('id="flash"') :]
    assert "A flash one" in flash_panel and "An analysis" not in flash_panel
    assert html.index("An analysis") < html.index('id="flash"')
    assert "Featured one" in html and "Not featured" not in html
    assert 'href="/types/flash-brief/">All Flash Briefs' in html


def test_issue_index_is_a_tree_with_live_counts_of_the_issue_and_its_descendants(client):
    iran = IssueFactory(name="Iran")
    network = IssueFactory(name="Iran Global Threat Network", parent=iran)
    IssueFactory(name="Empty")
    BriefFactory(issues=[iran, network])  # counted once under Iran
    BriefFactory(issues=[network])
    BriefFactory(issues=[network], status=Brief.Status.DRAFT)
    html = text(client.get("/issues/"))
    compact = re.sub(r"\s+", " ", html)
    assert re.search(r'<li> <a class="issue-name" href="/issues/iran/">Iran</a> <span class="count">2 briefs</span> '
                     r'<ul class="issue-tree"> <li> '
                     r'<a class="issue-name" href="/issues/iran-global-threat-network/">Iran Global Threat Network</a> '
                     r'<span class="count">2 briefs</span>', compact)  # fmt: skip
    # An issue with nothing live is muted (#13), its count in words.
    empty = '<li class="is-empty"> <a class="issue-name" href="/issues/empty/">Empty</a>'
    assert f'{empty} <span class="count">no briefs yet</span>' in compact


def test_issue_page_lists_briefs_of_the_issue_and_its_descendants_with_experts(client):
    iran = IssueFactory(name="Iran", description="<p>About Iran.</p>")
    network = IssueFactory(name="Iran Global Threat Network", parent=iran)
    china = IssueFactory(name="China")
    now = timezone.now()
    BriefFactory(title="On the network", issues=[network], published_at=now - datetime.timedelta(hours=1))
    BriefFactory(title="On Iran", issues=[iran], published_at=now - datetime.timedelta(hours=2))
    BriefFactory(title="On China", issues=[china])
    ExpertFactory(name="Network Expert").issues.set([network])
    ExpertFactory(name="Retired Expert", is_active=False).issues.set([iran])
    html = text(client.get("/issues/iran/"))
    assert "About Iran." in html
    assert html.index("On the network") < html.index("On Iran")
    assert "On China" not in html
    assert 'href="/issues/iran-global-threat-network/">Iran Global Threat Network</a>' in html
    assert "Network Expert" in html and "Retired Expert" not in html
    child = text(client.get("/issues/iran-global-threat-network/"))
    assert "On Iran" not in child and 'href="/issues/iran/">Iran</a>' in child


def test_expert_index_groups_active_experts_by_program(client):
    ExpertFactory(name="Alice A", program="Center on Economic and Financial Power")
    ExpertFactory(name="Bob B", program="Center on Military and Political Power")
    ExpertFactory(name="Carol C", program="")
    ExpertFactory(name="Gone G", is_active=False)
    html = text(client.get("/experts/"))
    assert html.index("Center on Economic") < html.index("Alice A") < html.index("Center on Military")
    assert html.index("Bob B") < html.index("Other experts") < html.index("Carol C")
    assert "Gone G" not in html


def test_inactive_expert_keeps_a_profile(client):
    expert = ExpertFactory(is_active=False)
    assert client.get(expert.get_absolute_url()).status_code == 200


def test_expert_profile_shows_photo_bio_issues_authored_and_quoted_briefs(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    expert = ExpertFactory(name="Jane Doe", slug="jane-doe", bio="<p>Jane studies sanctions.</p>")
    expert.photo = SimpleUploadedFile("jane.gif", ONE_PIXEL_GIF, content_type="image/gif")
    expert.save()
    expert.issues.set([IssueFactory(name="Sanctions")])
    BriefFactory(title="Written by Jane", authors=[expert])
    quoting = BriefFactory(title="Quoting Jane")
    ExpertQuoteFactory(brief=quoting, expert=expert, text="Sanctions bite slowly but surely.")
    html = text(client.get("/experts/jane-doe/"))
    assert 'alt="Portrait of Jane Doe"' in html
    assert "Jane studies sanctions." in html and ">Sanctions</a>" in html
    briefs, quoted = html.split('id="quoted"')
    assert "Written by Jane" in briefs and "Quoting Jane" not in briefs
    assert f'<a href="{quoting.get_absolute_url()}#analysis">Sanctions bite slowly but surely.</a>' in quoted
    assert '<meta property="og:image" content="http://localhost:8000/media/renditions/experts/' in html


def test_expert_profile_paginates_its_two_lists_independently(client):
    expert = ExpertFactory(slug="busy")
    now = timezone.now()
    for i in range(12):
        BriefFactory(title=f"Authored {i:02d}", authors=[expert], published_at=now - datetime.timedelta(hours=i + 1))
        quoting = BriefFactory(title=f"Quoting {i:02d}", published_at=now - datetime.timedelta(hours=i + 1, minutes=30))
        ExpertQuoteFactory(brief=quoting, expert=expert)
    html = text(client.get("/experts/busy/?quoted=2"))
    assert "Authored 00" in html and "Authored 10" not in html
    assert "Quoting 10" in html and "Quoting 00" not in html
    assert 'href="?quoted=2&amp;page=2#briefs"' in html
    html = text(client.get("/experts/busy/?page=2"))
    assert "Authored 10" in html and "Quoting 00" in html
    assert 'href="?page=2&amp;quoted=2#quoted"' in html


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    body = text(response)
    assert "Disallow: /admin/" in body and "Sitemap: http://localhost:8000/sitemap.xml" in body


def test_500_page_renders_without_context_or_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html and 'href="/static/css/site.css"' in html
    assert '<a class="site-name" href="/">Dossier</a>' in html  # branded like every other page


def test_issue_with_a_unicode_slug_has_a_page_and_links(client):
    issue = IssueFactory(name="Türkiye", slug="türkiye")
    brief = BriefFactory(issues=[issue])
    assert client.get(issue.get_absolute_url()).status_code == 200
    assert issue.get_absolute_url() in text(client.get(brief.get_absolute_url()))
    assert client.get("/issues/").status_code == 200


def test_main_menu_marks_the_current_section(client, site):
    assert '<a href="/issues/" aria-current="page">Issues</a>' in text(client.get("/issues/"))
    assert '<a href="/briefs/" aria-current="true">Briefs</a>' in text(client.get(site.brief.get_absolute_url()))
    assert "aria-current" not in text(client.get("/"))


def test_json_ld_carries_the_nonce_of_the_csp_header(client, site):
    response = client.get(site.brief.get_absolute_url())
    nonce = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">', text(response)).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


def test_brief_template_renders_a_preview_with_a_banner_and_noindex(rf, site):
    from django.template.response import TemplateResponse

    from briefs.related import brief_page_queryset

    brief = brief_page_queryset().get(pk=site.brief.pk)
    request = rf.get("/preview/some-token/")
    context = {"brief": brief, "object": brief, "preview": True, "preview_label": "pending changes"}
    html = TemplateResponse(request, "briefs/brief_detail.html", context).render().content.decode()
    assert "Preview — not published." in html and '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html
    assert "Related Reading" in html and "Outside report 0" in html  # read from the brief's prefetch cache
