"""Odd input on every public URL is a 200, a redirect, a 400, a 404 or a 405: never a 500.

Query strings and slugs from crawlers, broken links and scanners: not numbers, huge numbers, NUL
bytes, bad UTF-8, Unicode digits, very long values, and repeated parameters.
"""

import pytest

from tests.site_data import build_site, public_urls

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "",
    "0",
    "-1",
    "last",
    "LAST",
    "9" * 30,
    "1e3",
    "2.0",
    "%00",
    "%ff",
    "%EF%BC%92",  # a full-width digit 2, which int() accepts
    "%3Cscript%3E",
    "x" * 5000,
    "1&page=2&page=3",
]
ODD_SLUGS = ["%00", "%ff", "t%C3%BCrkiye", "x" * 3000, "-", "_", "%E2%80%AE"]
ALLOWED = {200, 301, 302, 304, 400, 404, 405}


def site_urls(site):
    pages = public_urls(site)
    feeds = [f"{url}feed/" for url in pages[2:] if "/briefs/20" not in url] + ["/feed/atom/"]
    sitemaps = ["/sitemap.xml", *(f"/sitemap-{section}.xml" for section in ("briefs", "types", "issues", "experts"))]
    return [*pages, *feeds, *sitemaps, "/robots.txt"]


def test_odd_query_strings_never_give_a_500(client):
    site = build_site(3)
    for url in site_urls(site):
        for name in ["page", "quoted", "p", "utm_source"]:
            for value in ODD_VALUES:
                status = client.get(f"{url}?{name}={value}").status_code
                assert status in ALLOWED, (url, name, value[:20], status)


def test_odd_slugs_and_dates_never_give_a_500(client):
    build_site(1)
    patterns = [
        "/briefs/2024/04/24/{}/",
        "/briefs/0000/00/00/{}/",
        "/briefs/99999999999999999999/12/31/{}/",
        "/types/{}/",
        "/types/{}/feed/",
        "/issues/{}/",
        "/issues/{}/feed/atom/",
        "/experts/{}/",
        "/experts/{}/feed/",
    ]
    for pattern in patterns:
        for slug in ODD_SLUGS:
            status = client.get(pattern.format(slug)).status_code
            assert status in ALLOWED, (pattern, slug[:20], status)


def test_odd_conditional_headers_and_methods_never_give_a_500(client):
    site = build_site(1)
    for url in site_urls(site):
        for headers in [
            {"HTTP_IF_MODIFIED_SINCE": "yesterday"},
            {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 10000 00:00:00 GMT"},
            {"HTTP_IF_NONE_MATCH": "not-quoted"},
        ]:
            assert client.get(url, **headers).status_code in ALLOWED, (url, headers)
        for method in [client.post, client.put, client.delete, client.head, client.options]:
            assert method(url).status_code in ALLOWED, (url, method.__name__)
