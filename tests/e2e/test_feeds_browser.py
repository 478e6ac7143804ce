"""Feeds opened in a browser: Chromium shows them as a page (static/feeds/feed.xsl) saying what a
feed is, with the newest briefs, instead of downloading them or showing bare XML."""

import pytest
from django.conf import settings

from tests.site_data import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Chromium 156's own notice that XSLT is deprecated (briefs/feedstyle.py); later versions may not show one.
NOTICE = "xslt-warning-banner"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_opened_in_chromium_is_a_styled_page_about_following_it(watched_page, problems, kind):
    site = build_site(3)
    url = "/feed/" if kind == "rss" else f"{site.issue.get_absolute_url()}feed/atom/"
    page = watched_page()

    response = page.goto(url)  # raises "Download is starting" when the browser saves the feed instead

    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    heading = page.get_by_role("heading", level=1)
    followed = "latest briefs" if kind == "rss" else site.issue.name
    assert heading.inner_text() == f"{settings.SITE_NAME}: {followed}"
    explanation = page.locator(".feed-help")
    assert explanation.is_visible()
    assert "A feed brings every new brief to you, in a feed reader of your choice" in explanation.inner_text()
    assert page.locator(".feed-address").inner_text().endswith(url)
    titles = page.locator(".card-title").all_inner_texts()
    assert titles == [brief.title for brief in site.briefs]
    # The page wears the site's stylesheet: the cards are laid out, not browser-default text.
    assert page.locator(".card-title a").first.evaluate("a => getComputedStyle(a).fontFamily") != "Times New Roman"
    assert page.locator("link[rel=stylesheet]").evaluate("link => link.sheet.cssRules.length") > 0

    if page.locator(NOTICE).count():
        # Chromium's notice sits at the top of the page, styled as Chromium means it, and closes.
        assert page.locator(NOTICE).bounding_box()["y"] == 0
        assert page.locator(NOTICE).evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(217, 83, 79)"
        page.locator(f"{NOTICE} button[aria-label=Close]").click()
        assert page.locator(NOTICE).count() == 0
    assert problems == []
