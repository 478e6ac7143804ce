"""Purge requests to the caches in front of the site (settings.CACHE_PURGE_URLS).

Each URL gets ``PURGE /`` with the header ``xkey-purge: <tags>`` (varnish-modules' xkey; see
deploy/varnish/default.vcl), in several requests when the tags do not fit one header. Only the worker
sends them (serving/tasks.py, which also retries a URL that failed and repeats each purge a moment
later): a web worker never waits for a cache in front.
"""

import http.client
from urllib.parse import urlsplit

from django.conf import settings

from .shared import header_name

PURGE_HEADER = "xkey-purge"
# Well under Varnish's http_req_hdr_len (8 KB): a larger set of tags goes in several requests.
MAX_HEADER_LENGTH = 4000


def send(tags, urls):
    """Ask each of ``urls`` to drop the pages tagged with any of ``tags``. Returns ``{url: reason}``
    for the URLs that failed (after its first failed request a URL is sent nothing more: it is tried
    again whole, purges being idempotent); never raises."""
    values = header_values(tags)
    failed = {}
    for url in urls:
        for value in values:
            if (reason := _purge(url, value)) is not None:
                failed[url] = reason
                break
    return failed


def header_values(tags):
    """``tags`` as ``xkey-purge`` values of at most MAX_HEADER_LENGTH characters each."""
    values, value = [], ""
    for name in sorted(header_name(tag) for tag in tags):
        if value and len(value) + 1 + len(name) > MAX_HEADER_LENGTH:
            values.append(value)
            value = ""
        value = f"{value} {name}" if value else name
    return [*values, value] if value else values


def _purge(url, value):
    """One request; ``None`` when the cache took it, else why not (one line)."""
    try:
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname, parts.port, timeout=settings.CACHE_PURGE_TIMEOUT)
        try:
            connection.request("PURGE", parts.path or "/", headers={PURGE_HEADER: value})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
    except Exception as error:  # noqa: BLE001  (OSError, a bad URL...: a purge never breaks anything)
        return " ".join((str(error) or type(error).__name__).split())
    if response.status >= 400:
        return " ".join(f"answered {response.status} {response.reason}".split())
    return None
