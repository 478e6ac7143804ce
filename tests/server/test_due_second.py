"""The publishing clock to the second, under load, on the real server (issue #9, finding 2).

A brief scheduled for T and a brief expiring at T, while 8 client threads keep every public page
busy across T: by T+2 s every page and feed shows the new state, and no page showed the scheduled
brief before T. Before the fix, a render that spanned T was kept for the full five minutes.
"""

import threading
import time

from tests.server.harness import manage

PAGES = [
    "/",
    "/briefs/",
    "/types/flash-brief/",
    "/issues/iran/",
    "/issues/iran-global-threat-network/",
    "/experts/bradley-bowman/",
    "/feed/",
    "/feed/atom/",
    "/issues/iran/feed/",
    "/experts/bradley-bowman/feed/",
    "/types/flash-brief/feed/atom/",
    "/sitemap-briefs.xml",  # the file the new brief joins (the index names files, not briefs)
]
LEAD = 15  # seconds from scheduling to T: a shell process starts in two, or ten on a busy machine

SCHEDULE = """
import datetime
from django.utils import timezone
from briefs.models import Brief
from tests.factories import BriefFactory
due = datetime.datetime.fromtimestamp({due}, tz=datetime.UTC)
base = Brief.objects.get(slug="brief-0")
common = dict(type=base.type, issues=list(base.issues.all()), authors=list(base.authors.all()))
coming = BriefFactory(title="Goes live at T, round {round}", slug="goes-live-{round}", published_at=due, **common)
going = BriefFactory(
    title="Expires at T, round {round}", slug="expires-{round}", expires_at=due,
    published_at=timezone.now() - datetime.timedelta(minutes=30), **common,
)
print(coming.get_absolute_url(), going.get_absolute_url(), base.get_absolute_url())
"""


def shows(body, title, slug):
    return title in body or f"/{slug}/" in body


def one_round(server, round_):
    """Schedule a brief for T and expire another at T, with load across T; what was seen."""
    due = int(time.time()) + LEAD
    coming_url, going_url, base_url = manage(server.env, code=SCHEDULE.format(due=due, round=round_)).split()
    coming = (f"Goes live at T, round {round_}", f"goes-live-{round_}")
    going = (f"Expires at T, round {round_}", f"expires-{round_}")
    pages = [*PAGES, base_url]
    assert time.time() < due - 1, "scheduling took too long for the test to mean anything"
    early, errors, stop = [], [], threading.Event()

    def load(offset):
        i = offset
        while not stop.is_set():
            url = pages[i % len(pages)]
            i += 1
            response = server.get(url)
            if response.status != 200:
                errors.append((url, response.status))
            elif time.time() < due and shows(response.body, *coming):
                early.append(url)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(max(0, due + 2 - time.time()))
        stale = [url for url in pages if not shows(server.get(url).body, *coming)]
        stale += [url for url in pages if shows(server.get(url).body, *going)]
        detail = (server.get(coming_url).status, server.get(going_url).status)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    return errors, early, stale, detail


def test_scheduled_and_expiring_briefs_change_every_page_at_their_second(start_server, database_url):
    server = start_server(database_url)
    for round_ in (1, 2, 3):
        errors, early, stale, detail = one_round(server, round_)
        assert errors == [], f"round {round_}: errors under load: {errors[:5]}"
        assert early == [], f"round {round_}: the scheduled brief showed before its second on {set(early)}"
        assert stale == [], f"round {round_}: at T+2 s these still showed the old state: {stale}"
        assert detail == (200, 404), f"round {round_}: brief pages at T+2 s: scheduled, expired = {detail}"
