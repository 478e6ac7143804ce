"""Feeds opened in a browser are styled: an ``<?xml-stylesheet?>`` instruction points at an XSLT
stylesheet in our static files (static/feeds/feed.xsl) that turns the feed into a page saying what a
feed is and how to follow it. Feed readers ignore the instruction, so the feeds stay valid RSS and Atom.

Django's RSS writer emits ``Feed.stylesheets`` itself; its Atom writer does not, hence the mixin.

Both are served as ``application/xml`` (``FEED_CONTENT_TYPE``), not ``application/rss+xml`` or
``application/atom+xml``: Chromium (and Firefox) download a document of those types instead of
showing it, so the stylesheet never runs, while ``application/xml`` is shown and styled. Feed
readers go by the document (``<rss>``, ``<feed>``), not the type; the pages' autodiscovery links
keep naming the feed types, as readers look for those.
"""

from django.conf import settings
from django.templatetags.static import static
from django.utils.csp import CSP
from django.utils.feedgenerator import Stylesheet
from django.utils.xmlutils import SimplerXMLGenerator

XSL_PATH = "feeds/feed.xsl"
FEED_CONTENT_TYPE = "application/xml; charset=utf-8"


def feed_stylesheets():
    """The stylesheets for a feed, resolved per request (static URLs carry a hash in production)."""
    return [Stylesheet(static(XSL_PATH), mimetype="text/xsl")]


# Chromium 156 still applies the stylesheet, but tops the page with its own notice that XSLT is
# deprecated: an element with inline style attributes and an inline onclick on its close button.
# The site's policy blocks both, which left the notice unstyled over the middle of the page and
# impossible to close. Feeds allow exactly those attribute values, by hash (no other inline style
# or script); if a later Chromium changes them, the notice is unstyled again, nothing more.
CHROMIUM_XSLT_NOTICE_STYLE_HASHES = [
    "'sha256-k7We2NkL52dzxJ7Onuayib0w0pIae+gF2hnqjj9zNCY='",  # the notice
    "'sha256-/3RHWtS7UXAcmJ7lSnklScB2fo7FSVHjVnJfEDpBmZs='",  # its links
    "'sha256-wigbdYYtFNuCCF2AjANk4urC670LJtVGgGmNcceTXJY='",  # "Never show this warning"
    "'sha256-Vc6YdsPwJmyOyOWY3K0+DEFqLyvNxfsrADVC0UvQkxI='",  # its checkbox
    "'sha256-V2GycOVmq9EBDz8q16MG+o/Q8CCO+BnfgeyYK/ij3Tc='",  # the close button
]
CHROMIUM_XSLT_NOTICE_SCRIPT_HASHES = ["'sha256-TXA+6usvAyONGFuiE99/kgV7JxYXAtQaottQ4sJDSIw='"]  # close


def feed_csp():
    """The site's Content-Security-Policy plus Chromium's XSLT notice (above)."""
    return {
        **settings.SECURE_CSP,
        "style-src-attr": [CSP.UNSAFE_HASHES, *CHROMIUM_XSLT_NOTICE_STYLE_HASHES],
        "script-src-attr": [CSP.UNSAFE_HASHES, *CHROMIUM_XSLT_NOTICE_SCRIPT_HASHES],
    }


class ShownInBrowsersMixin:
    """A feed writer whose output browsers show (and style) rather than download."""

    content_type = FEED_CONTENT_TYPE


class StyledAtomMixin:
    """Atom1Feed.write with the stylesheet instructions RSS already gets, before the root element."""

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")
