from django.conf import settings
from django.core.management.base import BaseCommand

from demo.load import load_demo
from serving import statistics


class Command(BaseCommand):
    help = (
        "Load the demo content (types, issues, experts, briefs in every workflow state). Idempotent: "
        "running it again changes nothing. With DEBUG on it also creates an admin/admin superuser."
    )

    def handle(self, *args, **options):
        report = load_demo(debug=settings.DEBUG)
        statistics.refresh()  # for SQLite's query planner (serving/statistics.py)
        for line in report.lines():
            self.stdout.write(line)
