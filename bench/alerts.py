"""How long a publish to N email subscribers takes: ``make bench-alerts`` (ALERTS_BENCH_READERS=10000).

Builds a throw-away site (SQLite; a new PostgreSQL database when DATABASE_URL is PostgreSQL) with N
confirmed readers following one issue and a brief just published on it, starts an SMTP sink
(aiosmtpd) on 127.0.0.1, runs ``manage.py alerts_worker --batch`` (real worker, real SMTP) until
nothing is left to do, and prints emails, SMTP sessions and the time taken.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.alerts_world import World  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402


class CountingInbox:
    def __init__(self):
        self.messages = 0
        self.sessions = set()
        self.recipients = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.sessions.add(id(session))
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def main():
    readers = int(os.environ.get("ALERTS_BENCH_READERS", 10000))
    sink = SmtpSink()
    sink.inbox = CountingInbox()
    sink.start()
    with tempfile.TemporaryDirectory() as tmp:
        world = World(tmp, smtp_port=sink.port)
        try:
            ok = run(world, readers, sink.inbox)
        finally:
            world.close()
            sink.stop()
    sys.exit(0 if ok else 1)


def run(world, readers, inbox):
    started = time.monotonic()
    world.build(readers)
    print(f"database: {world.database_url.split(':')[0]}")
    print(f"set-up ({readers:,} readers, migrate): {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    worker = world.worker("--batch", "--interval", "0")
    _, err = worker.communicate()
    elapsed = time.monotonic() - started
    print(f"emails received: {inbox.messages:,} to {len(inbox.recipients):,} distinct readers")
    print(f"SMTP sessions: {len(inbox.sessions)} (one per send run of ALERTS_BATCH emails)")
    print(f"deliveries: {world.statuses()}")
    print(
        f"worker time (start to all sent, incl. announcing): {elapsed:.1f} s, {inbox.messages / elapsed:.0f} emails/s"
    )
    if inbox.messages != readers or worker.returncode:
        print(err.decode()[-2000:])
        return False
    return True


if __name__ == "__main__":
    main()
