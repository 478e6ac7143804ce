"""Signed links in alert emails (django.core.signing): no accounts, no passwords.

A token carries the subscriber's id and key; the salt says what the link is for, so a manage
link cannot be used as a confirmation link and the other way round. Confirmation links expire
(with the unconfirmed sign-up they confirm); manage and unsubscribe links last as long as the key.
"""

import datetime

from django.conf import settings
from django.core import signing

from .models import Subscriber

CONFIRM = "subscriptions.confirm"
MANAGE = "subscriptions.manage"


class BadLink(Exception):
    """A tampered, expired or dead link: the view shows a page saying so (never a 500)."""


def _signer(purpose):
    # Confirmation links carry their time (they expire); manage links do not, so a reader's manage
    # and unsubscribe links are the same in every email (and shorter).
    return signing.TimestampSigner(salt=purpose) if purpose == CONFIRM else signing.Signer(salt=purpose)


def make(subscriber, purpose):
    return _signer(purpose).sign_object([subscriber.pk, subscriber.key])


def read(token, purpose):
    """The subscriber a token points to, or ``BadLink``."""
    signer = _signer(purpose)
    try:
        if purpose == CONFIRM:
            pk, key = signer.unsign_object(token, max_age=datetime.timedelta(days=settings.ALERTS["CONFIRM_DAYS"]))
        else:
            pk, key = signer.unsign_object(token)
    except signing.SignatureExpired as error:
        raise BadLink("This link has expired.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink("This link is not valid: it may have been cut short when it was copied.") from error
    subscriber = Subscriber.objects.filter(pk=pk, key=key).first() if isinstance(pk, int) else None
    if subscriber is None:
        raise BadLink("This link no longer works: the alerts it was for have been removed.")
    return subscriber
