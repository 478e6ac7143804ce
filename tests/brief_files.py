"""What the worker does for a brief's files (#21: briefs/brieffiles.py, briefs/tasks.py), run here."""

from django.test import TestCase

from briefs import brieffiles


def make_files(*briefs, parts=brieffiles.PARTS):
    """Make the briefs' files now, as the worker does when a version goes live: its transactions
    commit, so what it does after a commit (deleting older files, moving the page's tags) is done."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        for brief in briefs:
            brieffiles.make(brief_id=brief.pk, parts=parts)


TASKS = "briefs.tasks."  # the alerts' sweeps, queued by publications too, are tests/test_alerts_*.py's


def queued():
    """The brief files' tasks waiting in django-tasks-db's table, due or not: [(task name, args)],
    in the worker's order."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY", task_path__startswith=TASKS)
    return [(result.task_path.rsplit(".", 1)[-1], result.args_kwargs["args"]) for result in waiting]


def run_tasks():
    """Run what the worker would now of the brief files' tasks: every one due, in-process, in the
    worker's order (tasks they enqueue run too). Returns their names."""
    from django_tasks_db.models import DBTaskResult

    ran = []
    while True:
        result = DBTaskResult.objects.ready().filter(task_path__startswith=TASKS).first()
        if result is None:
            return ran
        result.delete()
        with TestCase.captureOnCommitCallbacks(execute=True):
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        ran.append(result.task_path.rsplit(".", 1)[-1])
