"""Feeds and the sitemap are well-formed XML and answer 200 whatever is stored.

Content saved before the model fields refused XML-illegal characters (or written with
``QuerySet.update()``, raw SQL, a data migration) is cleaned on output: before, U+0001 in a title made
every feed listing the brief answer 500 and U+FFFE gave a 200 no reader could parse.
"""

import feedparser
import pytest
from lxml import etree

from briefs.models import Brief, BriefType, ExpertQuote
from experts.models import Expert
from issues.models import Issue
from tests.feedkit import FORMATS, KINDS

pytestmark = pytest.mark.django_db

# Every character XML 1.0 forbids that a database can hold (PostgreSQL and SQLite store no lone
# surrogates), and a bidi override: legal XML, it must survive as it is.
STORED = {
    "U+0001": "\x01",
    "U+0008": "\x08",
    "U+000B": "\x0b",
    "U+001F": "\x1f",
    "U+FFFE": "\ufffe",
    "U+FFFF": "\uffff",
    "U+202E": "\u202e",
}
# Each place stored text reaches the feeds: (model, field, which object).
PLACES = {
    "brief-title": (Brief, "title", "brief"),
    "brief-summary": (Brief, "summary", "brief"),
    "brief-developments": (Brief, "developments", "brief"),
    "brief-body": (Brief, "body", "brief"),
    "quote-text": (ExpertQuote, "text", "quote"),
    "quote-title": (ExpertQuote, "expert_title", "quote"),
    "expert-name": (Expert, "name", "expert"),
    "issue-name": (Issue, "name", "issue"),
    "type-name": (BriefType, "name", "type"),
}


def well_formed(content):
    """Parse strictly (no recovery): a single illegal character raises XMLSyntaxError."""
    return etree.fromstring(content)


def _store(world, char, places=PLACES):
    """Write ``char`` into each place with ``update()``, as rows saved before the checks hold it."""
    brief = world.brief(title="Militias resume attacks", summary="Two attacks.")
    brief.developments, brief.body = "<p>Drones shot down.</p>", "<h2>Deterrence</h2><p>It works.</p>"
    brief.save()
    objects = {
        "brief": brief,
        "quote": brief.quotes.first(),
        "expert": world.expert,
        "issue": world.sub_sub_issue,
        "type": world.brief_type,
    }
    for place in places:
        model, field, which = PLACES[place]
        obj = model.objects.get(pk=objects[which].pk)
        value = getattr(obj, field)
        value = value[:-4] + char + value[-4:] if not value.endswith(">") else value.replace("</p>", f"{char}</p>", 1)
        model.objects.filter(pk=obj.pk).update(**{field: value})
    return brief


@pytest.mark.parametrize("char", STORED.values(), ids=STORED.keys())
def test_every_feed_is_well_formed_whatever_is_stored(client, world, char):
    """The character in every place at once (title, summary, rich text, quote, names): each of the
    eight feeds answers 200, parses strictly and reads without a feedparser complaint."""
    _store(world, char)
    texts = []
    for kind in KINDS:
        for fmt, version in FORMATS.items():
            url = world.url(kind, fmt)
            response = client.get(url)
            assert response.status_code == 200, url
            root = well_formed(response.content)
            parsed = feedparser.parse(response.content)
            assert not parsed.bozo, (url, parsed.get("bozo_exception"))
            assert parsed.version == version
            assert len(parsed.entries) == 1, url
            texts.append(etree.tostring(root, encoding="unicode"))
    if char == "\u202e":
        # Legal XML is not touched: only what XML cannot carry is dropped.
        assert all(char in text for text in texts)
    else:
        assert not any(char in text for text in texts)


@pytest.mark.parametrize("place", PLACES)
def test_each_place_alone_is_cleaned(client, world, place):
    """U+0001 in one place at a time (before: a 500 from every feed listing the brief)."""
    _store(world, "\x01", places=[place])
    for kind in KINDS:
        for fmt in FORMATS:
            response = client.get(world.url(kind, fmt))
            assert response.status_code == 200
            well_formed(response.content)


def test_the_cleaned_feed_keeps_the_rest_of_the_text(client, world):
    brief = world.brief(title="Militias resume attacks", summary="Two attacks.")
    Brief.objects.filter(pk=brief.pk).update(title="Militias\x01 resume\ufffe attacks\x1f")
    entry = feedparser.parse(client.get(world.url("site")).content).entries[0]
    assert entry.title == "Militias resume attacks"


@pytest.mark.parametrize("char", STORED.values(), ids=STORED.keys())
def test_sitemap_and_pages_answer_whatever_is_stored(client, world, char):
    brief = _store(world, char)
    assert client.get("/sitemap.xml").status_code == 200
    response = client.get("/sitemap-briefs.xml")
    assert response.status_code == 200
    urls = well_formed(response.content).findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
    assert any(brief.slug in url.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for url in urls)
    brief.refresh_from_db()
    for url in (
        "/",
        "/briefs/",
        brief.get_absolute_url(),
        world.expert.get_absolute_url(),
        world.sub_sub_issue.get_absolute_url(),
        world.brief_type.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url
