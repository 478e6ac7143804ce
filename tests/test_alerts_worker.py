"""The real worker (``manage.py alerts_worker``, a subprocess) against a real SMTP server: killed in
the middle of a send run and started again, it sends nobody an email twice."""

import asyncio
import collections
import signal
import time

import pytest

from tests.alerts_world import World
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.server
READERS = 120


class SlowInbox:
    """Accepts mail at about 50 a second, so the test can kill the worker mid-run."""

    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await self.inbox.handle_DATA(server, session, envelope)


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def done(statuses):
    return statuses.get("queued", 0) == 0 and statuses.get("sent", 0) + statuses.get("sending", 0) == READERS


def test_worker_killed_mid_run_and_restarted_sends_nothing_twice(tmp_path, request):
    sink = SmtpSink()
    inbox = sink.inbox
    sink.inbox = SlowInbox(inbox)
    sink.start()
    world = World(tmp_path, smtp_port=sink.port, batch=1000, claim_chunk=5)
    request.addfinalizer(world.close)
    world.build(READERS)
    worker = world.worker("--interval", "0.2")
    try:
        assert wait_for(lambda: len(inbox.messages) >= 20, 60), worker.stderr.read1().decode() if worker.poll() else ""
        worker.send_signal(signal.SIGKILL)  # no goodbye: a power cut in the middle of the run
        worker.wait(10)
        killed_at = len(inbox.messages)
        assert killed_at < READERS, "the run finished before the kill: slow the sink down"
        worker = world.worker("--interval", "0.2")
        # Done when nothing is queued and every row but the chunk in flight at the kill is sent.
        assert wait_for(lambda: done(world.statuses()), 90), world.statuses()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
        sink.stop()
    received = collections.Counter(r for rcpts, _ in inbox.messages for r in rcpts)
    assert max(received.values()) == 1, "someone got the brief twice"
    # Every reader recorded as sent got it; the chunk in flight at the kill (claimed, outcome unknown)
    # stays "sending" (marked failed after 5 minutes) and is never sent again.
    statuses = world.statuses()
    assert world.addresses("sent") <= set(received)
    assert statuses["sent"] + statuses.get("sending", 0) == READERS
    assert statuses.get("sending", 0) <= 5
    assert set(received) - world.addresses("sent") <= world.addresses("sending")
