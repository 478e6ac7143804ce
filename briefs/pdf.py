"""The brief as a PDF: WeasyPrint typesets the brief's own page with the print stylesheet.

A PDF is made once per version of what it shows and kept in the default storage (media, or S3 in
production): its name carries a hash of the HTML it was made from, so a correction, an edit an
editor published or a renamed author makes a new one, and every other request serves the stored file.
"""

import hashlib
import mimetypes
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from core.templatetags.dossier import absolute

PDF_DIR = "briefs/pdf"
NONCE = re.compile(r' nonce="[^"]*"')


def local_file(url):
    """The file behind one of our static or media URLs, or None. WeasyPrint fetches nothing else:
    a PDF made on the server never reaches out to the network (no SSRF through an image URL)."""
    path = unquote(urlsplit(url).path)
    if path.startswith(settings.STATIC_URL):
        return finders.find(path.removeprefix(settings.STATIC_URL))
    if path.startswith(settings.MEDIA_URL):
        name = path.removeprefix(settings.MEDIA_URL)
        return default_storage.path(name) if default_storage.exists(name) else None
    return None


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


def brief_html(brief, request):
    """The brief's page as printed: the public template in PDF mode (no share links, citations or
    suggestions, which change by the day rather than with the brief)."""
    return render_to_string(
        "briefs/brief_detail.html", {"brief": brief, "object": brief, "suggestions": [], "pdf": True}, request=request
    )


def pdf_name(brief, html):
    digest = hashlib.sha256(NONCE.sub("", html).encode()).hexdigest()[:20]
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


def brief_pdf(brief, request):
    """The stored PDF's name for the live version of ``brief``, made now if this version has none."""
    html = brief_html(brief, request)
    name = pdf_name(brief, html)
    if not default_storage.exists(name):
        content = make_pdf(brief, html)
        if not default_storage.exists(name):  # another request may have made it meanwhile
            default_storage.save(name, ContentFile(content))
        discard_older(name)
    return name


def discard_older(name):
    """Delete the other files in ``name``'s folder: older versions nobody is sent to any more."""
    folder, current = name.rsplit("/", 1)
    for other in default_storage.listdir(folder)[1]:
        if other != current:
            default_storage.delete(f"{folder}/{other}")
