"""Feeds opened in a browser are styled: an ``<?xml-stylesheet?>`` instruction points at an XSLT
stylesheet in our static files (static/feeds/feed.xsl) that turns the feed into a page saying what a
feed is and how to follow it. Feed readers ignore the instruction, so the feeds stay valid RSS and Atom.

Django's RSS writer emits ``Feed.stylesheets`` itself; its Atom writer does not, hence the mixin.
"""

from django.templatetags.static import static
from django.utils.feedgenerator import Stylesheet
from django.utils.xmlutils import SimplerXMLGenerator

XSL_PATH = "feeds/feed.xsl"


def feed_stylesheets():
    """The stylesheets for a feed, resolved per request (static URLs carry a hash in production)."""
    return [Stylesheet(static(XSL_PATH), mimetype="text/xsl")]


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
