"""What the feed tests share: the things a reader can follow, their feed URLs, a fetch helper."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import feedparser
from django.urls import reverse

from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory

SITE_URL = "http://localhost:8000"
ATOM_SCHEMA = Path(__file__).parent / "data" / "atom.rnc"
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
KINDS = ["site", "issue", "expert", "type"]
FORMATS = {"rss": "rss20", "atom": "atom10"}
NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)


@dataclass
class World:
    """One issue (with a sub-issue and a sub-sub-issue), one expert and one type, and their feeds."""

    issue: object
    sub_issue: object
    sub_sub_issue: object
    expert: object
    brief_type: object

    def url(self, kind, fmt="rss"):
        suffix = "_atom" if fmt == "atom" else ""
        if kind == "site":
            return reverse(f"briefs:feed{suffix}")
        if kind == "type":
            return reverse(f"briefs:type_feed{suffix}", kwargs={"slug": self.brief_type.slug})
        obj = {"issue": self.issue, "expert": self.expert}[kind]
        return reverse(f"{kind}s:feed{suffix}", kwargs={"slug": obj.slug})

    def brief(self, *, quoted=True, **kwargs):
        """A brief inside every feed's scope: sub-sub-issue, authored by the expert, of the type."""
        kwargs.setdefault("issues", [self.sub_sub_issue])
        kwargs.setdefault("authors", [self.expert])
        brief = BriefFactory(type=self.brief_type, **kwargs)
        if quoted:
            ExpertQuoteFactory(brief=brief, expert=self.expert, text="Deterrence works.\n\nWhen credible.")
        return brief


def make_world():
    """Create the objects the feeds follow (needs the database)."""
    issue = IssueFactory(name="Iran")
    sub_issue = IssueFactory(name="Iran Global Threat Network", parent=issue)
    sub_sub_issue = IssueFactory(name="Houthis", parent=sub_issue)
    return World(
        issue=issue,
        sub_issue=sub_issue,
        sub_sub_issue=sub_sub_issue,
        expert=ExpertFactory(name="Bradley Bowman", title="Senior Director"),
        brief_type=BriefTypeFactory(name="Analysis"),
    )


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response, feedparser.parse(response.content)


def entry_links(parsed):
    return [entry.link for entry in parsed.entries]


def public_url(brief):
    return SITE_URL + brief.get_absolute_url()
