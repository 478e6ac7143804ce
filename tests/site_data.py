"""Sample content for the public-site tests: one call builds a small, complete site."""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from briefs.models import Correction
from tests.factories import (
    BriefFactory,
    BriefTypeFactory,
    ExpertFactory,
    ExpertQuoteFactory,
    IssueFactory,
    RelatedLinkFactory,
)

ONE_PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@dataclass
class Site:
    parent: object
    issue: object
    brief_type: object
    expert: object
    brief: object
    briefs: list = field(default_factory=list)


def build_site(count=1):
    """``count`` live briefs tagged with a sub-issue, written by and quoting one expert; the first
    (newest) one carries ``count`` quotes, related links and issues, so its page is as full as a list."""
    parent = IssueFactory(name="Iran", slug="iran", featured=True)
    issue = IssueFactory(name="Iran Global Threat Network", slug="iran-global-threat-network", parent=parent)
    brief_type = BriefTypeFactory(name="Flash Brief")
    expert = ExpertFactory(
        name="Bradley Bowman",
        slug="bradley-bowman",
        title="Senior Director",
        photo=SimpleUploadedFile("bowman.gif", ONE_PIXEL_GIF, content_type="image/gif"),
    )
    expert.issues.set([issue])
    for i in range(count - 1):  # the expert index and the issue's experts list hold `count` experts
        ExpertFactory(name=f"Colleague {i}", slug=f"colleague-{i}", program=f"Program {i % 3}").issues.set([issue])
    now = timezone.now()
    briefs = [
        BriefFactory(
            title=f"Brief {i}",
            slug=f"brief-{i}",
            type=brief_type,
            issues=[issue],
            authors=[expert],
            published_at=now - datetime.timedelta(hours=i + 1),
        )
        for i in range(count)
    ]
    brief = briefs[0]
    extra_issues = [IssueFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(count - 1)]
    brief.issues.add(*extra_issues)
    for i in range(count):
        ExpertQuoteFactory(brief=brief, expert=expert, text=f"Quote number {i}.")
    for i in range(count):  # internal, external and citation (no URL) items in turn
        if i % 3 == 1:
            RelatedLinkFactory(brief=brief, target_brief=briefs[i], url="", title="", byline="")
        elif i % 3 == 2:
            RelatedLinkFactory(brief=brief, title=f"Printed report {i}", url="", byline="Foreign Affairs")
        else:
            RelatedLinkFactory(brief=brief, title=f"Outside report {i}", url=f"https://example.org/{i}")
    for i in range(count):
        Correction.objects.create(brief=brief, text=f"Correction number {i}.")
    for other in briefs[1:]:
        ExpertQuoteFactory(brief=other, expert=expert, text=f"Quoted in {other.title}.")
    return Site(parent=parent, issue=issue, brief_type=brief_type, expert=expert, brief=brief, briefs=briefs)


def public_urls(site):
    """Every public page type of the URL contract (search and feeds excepted: their own issues)."""
    return [
        "/",
        "/briefs/",
        site.brief_type.get_absolute_url(),
        site.brief.get_absolute_url(),
        "/issues/",
        site.issue.get_absolute_url(),
        site.parent.get_absolute_url(),
        "/experts/",
        site.expert.get_absolute_url(),
    ]


def text(response):
    return response.content.decode()
