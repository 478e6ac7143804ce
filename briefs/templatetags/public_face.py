"""Template helpers for what a brief page offers its readers: reading time, share links, initials."""

import math
from urllib.parse import quote, urlencode

from django import template
from django.urls import reverse
from django.utils.html import strip_tags

from core.templatetags.dossier import absolute

register = template.Library()

# Words a reader gets through in a minute of careful reading (policy prose, not a novel).
WORDS_PER_MINUTE = 220


def brief_words(brief):
    """Words a reader reads: developments, the quotes (prefetched) and the body."""
    text = " ".join(
        [
            strip_tags(brief.developments or ""),
            *(quote.text for quote in brief.quotes.all()),
            strip_tags(brief.body or ""),
        ]
    )
    return len(text.split())


@register.filter
def reading_minutes(brief):
    """Whole minutes to read ``brief``, at least one."""
    return max(1, math.ceil(brief_words(brief) / WORDS_PER_MINUTE))


@register.simple_tag
def share_links(brief):
    """Plain share URLs (no third-party script, nothing sent until the reader follows one)."""
    url = absolute(brief.get_absolute_url())
    title = brief.title
    return [
        ("Email", "mailto:?" + urlencode({"subject": title, "body": f"{title}\n{url}"}, quote_via=_quote)),
        ("X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": f"{title} {url}"})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
    ]


def _quote(value, safe="", encoding=None, errors=None):
    # mailto: wants %20 for spaces, not "+" (mail programs show a "+" literally).
    return quote(value, safe=safe, encoding=encoding, errors=errors)


@register.filter
def initials(name):
    """ "Bradley Bowman" -> "BB": the badge shown for an expert without a photo."""
    parts = [part for part in str(name).replace("-", " ").split() if part[:1].isalpha()]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


@register.simple_tag
def brief_card_url(brief):
    """The absolute URL of the brief's social card; ``v`` names its version so networks refetch it
    after a change. Computed from the brief alone: rendering a page never draws a card."""
    from ..cards import fingerprint

    return absolute(f"{brief.get_absolute_url()}card.png?v={fingerprint(brief)}")


@register.simple_tag
def site_card_url():
    return absolute(reverse("briefs:site_card"))
