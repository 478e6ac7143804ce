"""What a cache in front of the site (Varnish, a CDN) is told about a cached public page.

- ``xkey``: the page's tags, space-separated (varnish-modules' xkey reads this header; a CDN's edge
  code copies it to its own: Fastly's ``Surrogate-Key``, Cloudflare's ``Cache-Tag``). An edit sends
  the same names to ``purge.py``, so the cache in front drops exactly what our own cache drops.
- ``Cache-Control: public, max-age=0, s-maxage=N``: a shared cache keeps the page at most until its
  due time (the next scheduled publication or expiry), rounded down to the second, so it never shows
  the old page once the new one is due; browsers revalidate every time (they get no purge).

Only pages our own cache keeps get these headers: anything else (errors, odd query strings, a page
rendered while an edit was saved) carries neither, and the cache in front must not keep it
(deploy/varnish/default.vcl keeps only responses with ``xkey``).
"""

import re
from urllib.parse import quote

from django.utils import timezone

TAG_HEADER = "xkey"
# Varnish refuses a response whose header is longer than http_resp_hdr_len (8 KB by default): a page
# showing more tags than fit is not kept in front (our own cache still keeps it).
MAX_HEADER_LENGTH = 6000
SAFE_TAG = re.compile(r"[A-Za-z0-9:._-]+")


def header_name(tag):
    """``tag`` as it is written in headers: tags are ASCII names already; anything else is
    percent-encoded the same way here and in purges."""
    return tag if SAFE_TAG.fullmatch(tag) else quote(tag, safe=":._-")


def tag(response, tags):
    """Name ``tags`` in ``response``'s ``xkey`` header, unless there are too many to fit."""
    value = " ".join(sorted(header_name(tag) for tag in tags))
    if len(value) <= MAX_HEADER_LENGTH:
        response.headers[TAG_HEADER] = value


def share(response, due):
    """Let shared caches keep a tagged ``response`` until the timestamp ``due`` (rounded down)."""
    if TAG_HEADER in response.headers:
        seconds = max(0, int(due - timezone.now().timestamp()))
        response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    return response
