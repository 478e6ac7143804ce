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


def make(subscriber, purpose):
    return signing.dumps([subscriber.pk, subscriber.key], salt=purpose, compress=False)


def read(token, purpose):
    """The subscriber a token points to, or ``BadLink``."""
    max_age = datetime.timedelta(days=settings.ALERTS["CONFIRM_DAYS"]) if purpose == CONFIRM else None
    try:
        pk, key = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadLink("This link has expired.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink("This link is not valid: it may have been cut short when it was copied.") from error
    subscriber = Subscriber.objects.filter(pk=pk, key=key).first() if isinstance(pk, int) else None
    if subscriber is None:
        raise BadLink("This link no longer works: the alerts it was for have been removed.")
    return subscriber
