"""Purges are sent by the worker, never by a web process (issue #21): an edit saved through the admin
on gunicorn queues one purge; nothing reaches the cache in front while no worker runs; once
``manage.py alerts_worker`` starts, the purge arrives, and its repeat a moment later."""

import time

from tests.purge_sink import PurgeSink
from tests.server.conftest import EDITOR_PASSWORD, seeded_env
from tests.server.harness import AdminSession, Gunicorn, TaskWorker, manage, task_statuses

NEW_NAME = "Bradley R. Bowman"


def test_an_edit_through_the_site_is_purged_by_the_worker_not_by_gunicorn(tmp_path, static_root, database_url):
    sink = PurgeSink()
    env = seeded_env(tmp_path, database_url, static_root)
    env |= {"CACHE_PURGE_URLS": sink.url, "CACHE_PURGE_REPEAT_SECONDS": "1"}
    app = Gunicorn(env=env, tmp=tmp_path)
    worker = TaskWorker(env, tmp_path)
    try:
        app.start()
        expert_id = manage(
            env, code="from experts.models import Expert; print(Expert.objects.get(slug='bradley-bowman').pk)"
        ).strip()
        editor = AdminSession(app.port).login("editor", EDITOR_PASSWORD)
        saved = editor.submit_form(f"/admin/experts/expert/{expert_id}/change/", {"name": NEW_NAME})
        assert saved.status == 302, saved.body[:2000]
        assert task_statuses(database_url) == {"READY": 1}  # one purge for the save, queued on commit
        time.sleep(3)  # well past the repeat delay: a web process that sent purges would have sent both
        assert sink.received == [], "a purge reached the cache with no worker running"

        worker.start()
        assert sink.wait_for(1, 30), f"the worker sent no purge:\n{worker.log()[-3000:]}"
        method, path, tags = sink.received[0]
        assert (method, path) == ("PURGE", "/") and f"expert:{expert_id}" in tags.split()
        assert sink.wait_for(2, 30), "the purge was not sent again"
        assert sink.received == [sink.received[0]] * 2
        time.sleep(1.5)
        assert len(sink.received) == 2 and task_statuses(database_url) == {"SUCCESSFUL": 2}
        assert NEW_NAME in app.get("/experts/bradley-bowman/").body
    finally:
        worker.stop()
        app.stop()
        sink.stop()
