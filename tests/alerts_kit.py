"""Helpers for the email alert tests: a real SMTP server (aiosmtpd) on a free 127.0.0.1 port,
subscribers made through the real sign-up functions, and the worker's sweep run in-process."""

from subscriptions import signup, tokens
from subscriptions.models import Subscriber
from tests.smtp_sink import SmtpSink  # noqa: F401 (the tests import it from here)


def parts(message):
    """(plain text, html) of a multipart/alternative alert."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def subscribe(email_address, *, confirmed=True, frequency="immediate", client="192.0.2.1", **topics):
    subscriber = signup.sign_up(email=email_address, client=client, frequency=frequency, **topics)
    if confirmed:
        signup.confirm(subscriber=subscriber)
    return Subscriber.objects.get(pk=subscriber.pk)


def manage_token(subscriber):
    return tokens.make(subscriber, tokens.MANAGE)


def sweep():
    from subscriptions.tasks import sweep as task

    return task.call()
