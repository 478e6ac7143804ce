"""RSS 2.0 and Atom 1.0 writers with what Django's own lack: full content, several authors, a logo.

Items carry two extra keys (from ``BriefFeed.item_extra_kwargs``): ``content`` (sanitised HTML
with absolute links) and ``authors`` (``(name, profile URL)`` pairs). The feed carries
``image_url`` (from ``BriefFeed.feed_extra_kwargs``), ``None`` when the site has no logo.
"""

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date

from core.textcheck import xml_safe

from .feedstyle import ShownInBrowsersMixin, StyledAtomMixin

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def _cleaned(value):
    """``value`` with every string in it (in lists, tuples and dicts too) made XML-safe."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_cleaned(item) for item in value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


class XmlSafeFeed:
    """Writes only characters XML 1.0 allows, whatever is stored.

    The model fields refuse the others now, but rows saved before that (or with ``update()``) may
    hold them: Django's XML writer raises on a C0 control (a 500 for every feed listing the brief)
    and writes U+FFFE/U+FFFF into a feed no reader can parse. Cleaning every string of the feed and
    of its items just before writing covers titles, summaries, content, names and categories alike.
    """

    def write(self, outfile, encoding):
        self.feed = _cleaned(self.feed)
        self.items = [_cleaned(item) for item in self.items]
        super().write(outfile, encoding)


class BriefRssFeed(XmlSafeFeed, ShownInBrowsersMixin, Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded`` for the full text, one ``dc:creator`` per author and
    ``atom:updated`` (RSS has no element for an entry's update time; readers know Atom's).

    RSS's own ``<author>`` must be an e-mail address, which experts' profiles do not publish.
    """

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("image_url"):
            # RSS requires the image's title and link to match the channel's.
            handler.startElement("image", {})
            handler.addQuickElement("url", self.feed["image_url"])
            handler.addQuickElement("title", self.feed["title"])
            handler.addQuickElement("link", self.feed["link"])
            handler.endElement("image")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        for name, _url in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class BriefAtomFeed(XmlSafeFeed, ShownInBrowsersMixin, StyledAtomMixin, Atom1Feed):
    """Atom 1.0 with ``<content type="html">``, one ``<author>`` per author and a ``<logo>``."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("image_url"):
            handler.addQuickElement("logo", self.feed["image_url"])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})
