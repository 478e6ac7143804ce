"""``manage.py alerts_worker``: django-tasks-db's ``db_worker`` that first makes sure a sweep is queued.

The sweep re-enqueues itself after every run; a worker killed in the middle of one (SIGKILL, a
power cut) leaves it "running" forever in the task table and the chain would stop, so every worker
start queues one. Takes every ``db_worker`` option.
"""

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from subscriptions import tasks


class Command(DbWorker):
    help = "Run the background worker for email alerts (db_worker, plus the alerts' sweep)."

    def handle(self, *args, **options):
        tasks.schedule(at=timezone.now())
        return super().handle(*args, **options)
