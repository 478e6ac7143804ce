"""Purges sent to the caches in front of the site when tags move (settings.CACHE_PURGE_URLS).

Each URL gets ``PURGE`` with the header ``xkey-purge: <tags>`` (varnish-modules' xkey; see
deploy/varnish/default.vcl). ``bump()`` calls ``send()`` once the edit is committed, so what the
cache fetches next is the new content. A cache that is down or slow costs the edit at most
``CACHE_PURGE_TIMEOUT`` seconds per URL and one log line: the edit itself always succeeds.

The same purge is sent again ``CACHE_PURGE_REPEAT_SECONDS`` later (from a thread): a page the app
checked as current just before the edit committed may reach the cache just after the first purge,
and would otherwise stay there until its ``s-maxage`` runs out.
"""

import http.client
import logging
import threading
from urllib.parse import urlsplit

from django.conf import settings

from .shared import header_name

logger = logging.getLogger(__name__)
PURGE_HEADER = "xkey-purge"
# Well under Varnish's http_req_hdr_len (8 KB): a larger set of tags goes in several requests.
MAX_HEADER_LENGTH = 4000


def send(tags):
    """Ask every configured cache to drop the pages tagged with any of ``tags``; never raises."""
    urls = list(getattr(settings, "CACHE_PURGE_URLS", ()))
    if not urls or not tags:
        return
    values = list(_header_values(sorted(header_name(tag) for tag in tags)))
    _send_all(urls, values)
    delay = settings.CACHE_PURGE_REPEAT_SECONDS
    if delay > 0:
        # Not a daemon: a shell or an import that exits at once still sends it.
        threading.Timer(delay, _send_all, args=(urls, values)).start()


def _send_all(urls, values):
    for value in values:
        for url in urls:
            _purge(url, value)


def _header_values(names):
    value = ""
    for name in names:
        if value and len(value) + 1 + len(name) > MAX_HEADER_LENGTH:
            yield value
            value = ""
        value = f"{value} {name}" if value else name
    if value:
        yield value


def _purge(url, value):
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
        if response.status >= 400:
            logger.warning("cache purge at %s answered %s %s", url, response.status, response.reason)
    except Exception as error:  # a purge never breaks an edit (OSError, a bad URL, ...)
        logger.warning("cache purge at %s failed: %s", url, str(error) or type(error).__name__)
