"""Signing up, confirming, changing and leaving: keyword-only functions the views and tests call.

Double opt-in: a sign-up stores the address unconfirmed and sends one confirmation email; nothing
else is sent until its signed link is used. Confirmation emails are limited per address and per
client per hour (``SignupThrottle``, in the database so every process sees the same counts).
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import emails
from .models import SignupThrottle, Subscriber


class Throttled(Exception):
    """Too many confirmation emails from this client this hour."""


def normalise_email(email):
    return email.strip().lower()


def _hashed(kind, value):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


def allow(key, limit, *, now):
    """Count one more event under ``key`` this clock hour; False once ``limit`` is reached."""
    window = now.replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            SignupThrottle.objects.get_or_create(key=key, window=window)
    except IntegrityError:  # created by a concurrent request: fine, it exists now
        pass
    return bool(SignupThrottle.objects.filter(key=key, window=window, count__lt=limit).update(count=F("count") + 1))


def _set_topics(subscriber, *, frequency, everything, issues, experts, types):
    subscriber.frequency = frequency
    subscriber.everything = everything
    subscriber.save()
    subscriber.issues.set(issues)
    subscriber.experts.set(experts)
    subscriber.types.set(types)


def sign_up(*, email, client, frequency, everything=False, issues=(), experts=(), types=(), now=None):
    """Record a sign-up and queue its confirmation email. Returns the Subscriber (or None when this
    address has had its confirmation emails for the hour: the reader sees the same page either way).

    An address that is already confirmed is not changed: it gets an email with its manage link, so
    nobody can change someone else's alerts by typing their address.
    """
    from . import tasks

    now = now or timezone.now()
    email = normalise_email(email)
    limits = settings.ALERTS
    if not allow(_hashed("client", client), limits["CONFIRMATIONS_PER_CLIENT"], now=now):
        raise Throttled
    if not allow(_hashed("address", email), limits["CONFIRMATIONS_PER_ADDRESS"], now=now):
        return None
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"created_at": now}
        )
        if subscriber.confirmed_at is None:
            # The seven days run from the latest confirmation email.
            subscriber.created_at = now
            _set_topics(
                subscriber, frequency=frequency, everything=everything, issues=issues, experts=experts, types=types
            )
    tasks.send_signup_email.enqueue(subscriber.pk)
    return subscriber


def send_signup_email(subscriber_id):
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return "gone"
    if subscriber.confirmed_at:
        emails.already_subscribed(subscriber=subscriber).send()
        return "already"
    emails.confirmation(subscriber=subscriber).send()
    return "confirmation"


def confirm(*, subscriber, now=None):
    """Confirm a sign-up. Using the link again changes nothing. Returns True the first time."""
    updated = Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=now or timezone.now()
    )
    subscriber.refresh_from_db(fields=["confirmed_at"])
    return bool(updated)


def change(*, subscriber, frequency, everything=False, issues=(), experts=(), types=()):
    with transaction.atomic():
        _set_topics(subscriber, frequency=frequency, everything=everything, issues=issues, experts=experts, types=types)


def leave(*, subscriber):
    """Unsubscribe and delete: the address and what it followed go; sends stay as anonymous counts."""
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def export(*, subscriber):
    """Everything stored about a subscriber, as a JSON-ready dict ("download my data")."""
    return {
        "email": subscriber.email,
        "frequency": subscriber.frequency,
        "every_brief": subscriber.everything,
        "issues": sorted(subscriber.issues.values_list("name", flat=True)),
        "experts": sorted(subscriber.experts.values_list("name", flat=True)),
        "types": sorted(subscriber.types.values_list("name", flat=True)),
        "signed_up_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "emails_sent": [
            {
                "brief": d["announcement__brief__title"],
                "kind": d["announcement__kind"],
                "sent_at": d["sent_at"].isoformat(),
            }
            for d in subscriber.deliveries.filter(status="sent")
            .order_by("sent_at")
            .values("announcement__brief__title", "announcement__kind", "sent_at")
        ],
    }


def export_json(*, subscriber):
    return json.dumps(export(subscriber=subscriber), indent=2, ensure_ascii=False)


def delete_expired(*, now):
    """Unconfirmed sign-ups older than the confirmation link's life are deleted; old throttle counts too."""
    days = datetime.timedelta(days=settings.ALERTS["CONFIRM_DAYS"])
    Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=now - days).delete()
    SignupThrottle.objects.filter(window__lt=now - datetime.timedelta(days=1)).delete()
