"""The brief as a PDF: WeasyPrint typesets the brief's own page with the print stylesheet.

A PDF is made once per version of what it shows, by the worker (briefs/brieffiles.py), and kept in
the default storage: its name carries a hash of the HTML it was made from (``fingerprint``), so a
correction, an edit an editor published or a renamed author makes a new one. No web request runs
WeasyPrint.
"""

import hashlib
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.template.loader import render_to_string

from core.templatetags.dossier import absolute

PDF_DIR = "briefs/pdf"
NONCE = re.compile(r' nonce="[^"]*"')


def local_file(url):
    """The file behind one of our static or media URLs, or None. WeasyPrint fetches nothing else:
    a PDF made on the server never reaches out to the network (no SSRF through an image URL)."""
    path = unquote(urlsplit(url).path)
    if path.startswith(settings.STATIC_URL):
        return static_file(path.removeprefix(settings.STATIC_URL))
    if path.startswith(settings.MEDIA_URL):
        name = path.removeprefix(settings.MEDIA_URL)
        return default_storage.path(name) if default_storage.exists(name) else None
    return None


def static_file(name):
    """The file behind a static ``name`` as ``{% static %}`` wrote it, or None.

    Locally that is the source name, which the finders know. Under the manifest storage
    (production) it is a hashed name (``css/site.<hash>.css``) the finders do not know: the
    hashed copy ``collectstatic`` wrote to STATIC_ROOT is the file.
    """
    found = finders.find(name)
    if found:
        return found
    try:
        collected = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):  # a remote storage; a path out of STATIC_ROOT
        return None
    return str(collected) if collected.is_file() else None


def local_fetcher():
    """A WeasyPrint URL fetcher that serves our static and media files and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            found = local_file(url)
            if found is None:
                raise ValueError(f"not one of our static or media files: {url}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            with open(found, "rb") as handle:
                return URLFetcherResponse(url, body=handle.read(), headers={"Content-Type": content_type})

    return LocalFetcher()


def print_request(brief):
    """An anonymous GET of the brief's page, for rendering it where there is no web request (the
    worker): the site's context processors (its name) need one."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = brief.get_absolute_url()
    request.user = AnonymousUser()
    return request


def brief_html(brief, request=None):
    """The brief's page as printed: the public template in PDF mode (no share links, citations or
    suggestions, which change by the day rather than with the brief)."""
    return render_to_string(
        "briefs/brief_detail.html",
        {"brief": brief, "object": brief, "suggestions": [], "pdf": True},
        request=request or print_request(brief),
    )


def fingerprint(html):
    """A digest of what the PDF shows: the HTML it is typeset from (without the request's CSP nonce)."""
    return hashlib.sha256(NONCE.sub("", html).encode()).hexdigest()[:20]


def pdf_name(brief, digest):
    return f"{PDF_DIR}/{brief.pk}/{brief.slug}-{digest}.pdf"


def make_pdf(brief, html):
    """PDF bytes for ``brief`` from ``html``, with its metadata: title, authors, subject (its issues)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=absolute(brief.get_absolute_url()), url_fetcher=local_fetcher()).render()
    issues = sorted(issue.name for issue in brief.issues.all())
    metadata = document.metadata
    metadata.title = brief.title
    metadata.authors = [author.name for author in brief.authors.all()] or [settings.SITE_NAME]
    metadata.description = "; ".join(issues) or brief.type.name
    metadata.keywords = issues
    metadata.generator = settings.SITE_NAME
    metadata.created = brief.published_at.isoformat(timespec="seconds")
    metadata.modified = brief.public_updated_at.isoformat(timespec="seconds")
    return document.write_pdf()
