"""Run queued tasks in the test's own process as ``manage.py alerts_worker`` runs them: django-tasks-db's
``Worker`` claims the next ready task of the queue (highest priority, earliest ``run_after``) in an
exclusive transaction and runs it with ``run_task`` (which records its result). Only the loop's
``close_old_connections()`` and its sleeps are left out: they would end the test's transaction."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

WORKER_ID = "test-worker"


def run_ready_tasks(*, queue="default", backend="default"):
    """Run every task ready now, and those the tasks it runs queue for now; how many ran."""
    worker = Worker(
        queue_names=[queue], interval=0, batch=True, backend_name=backend, startup_delay=False,
        max_tasks=None, worker_id=WORKER_ID, excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=backend, queue_name=queue)
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(worker.worker_id)
        if result is None:
            return ran
        worker.run_task(result)
        ran += 1


def queued(task_path):
    """The tasks of ``task_path`` waiting to run (ready or not yet due), oldest first."""
    return list(DBTaskResult.objects.filter(task_path=task_path, status="READY").order_by("enqueued_at"))
