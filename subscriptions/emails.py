"""The alert emails: an HTML part (inline styles only, no images, no tracking) and a plain-text part.

Each brief is rendered into a small dict once per send run (``brief_entry``); only the reader's
own links differ from one email to the next.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import tokens

SENTENCE_END = re.compile(r"(?<=[.!?…”’\"])\s+(?=[“‘\"A-Z0-9])")


def absolute(path):
    return settings.SITE_URL + path


def first_sentence(text, limit=300):
    """The quote's first sentence (its first paragraph when no sentence ends), at most ``limit`` characters."""
    text = " ".join((text or "").split("\n\n", 1)[0].split())
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def brief_entry(brief):
    """What an email shows of a brief; needs ``type`` and ``quotes__expert`` loaded (see sending)."""
    return {
        "title": brief.title,
        "summary": brief.summary,
        "url": absolute(brief.get_absolute_url()),
        "date": brief.published_at,
        "type": brief.type.name,
        "quotes": [{"name": q.expert.name, "text": first_sentence(q.text)} for q in brief.quotes.all()],
    }


def links(subscriber):
    token = tokens.make(subscriber, tokens.MANAGE)
    return {
        "manage_url": absolute(reverse("subscriptions:manage", args=[token])),
        "unsubscribe_url": absolute(reverse("subscriptions:unsubscribe", args=[token])),
    }


def _message(*, subscriber, subject, template, context, list_headers=True):
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    headers = {"Auto-Submitted": "auto-generated"}
    if list_headers:
        # RFC 8058: mail clients show "Unsubscribe" and POST "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"subscriptions/email/{template}.txt", context),
        to=[subscriber.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"subscriptions/email/{template}.html", context), "text/html")
    return message


def alert(*, subscriber, entries, kind="published", correction=None):
    """One brief (at once), several (a digest), or a correction to one."""
    if correction is not None:
        subject = f"Correction: {entries[0]['title']}"
    elif len(entries) == 1 and subscriber.frequency == "immediate":
        subject = entries[0]["title"]
    else:
        period = {"daily": "Daily", "weekly": "Weekly"}.get(subscriber.frequency, "New")
        noun = "brief" if len(entries) == 1 else "briefs"
        subject = f"{period} digest: {len(entries)} new {noun}"
    subject = " ".join(subject.split())  # a title never carries a line break into a header
    context = {"entries": entries, "correction": correction, "subject": subject, **links(subscriber)}
    return _message(
        subscriber=subscriber, subject=f"{settings.SITE_NAME}: {subject}", template="alert", context=context
    )


def confirmation(*, subscriber):
    token = tokens.make(subscriber, tokens.CONFIRM)
    context = {
        "confirm_url": absolute(reverse("subscriptions:confirm", args=[token])),
        "days": settings.ALERTS["CONFIRM_DAYS"],
        "subscriber": subscriber,
    }
    return _message(
        subscriber=subscriber,
        subject=f"{settings.SITE_NAME}: confirm your email alerts",
        template="confirm",
        context=context,
        list_headers=False,
    )


def already_subscribed(*, subscriber):
    """Sent instead of a confirmation when the address is already confirmed: a way in, not a change."""
    return _message(
        subscriber=subscriber,
        subject=f"{settings.SITE_NAME}: your email alerts",
        template="already",
        context=links(subscriber),
    )
