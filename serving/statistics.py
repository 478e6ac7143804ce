"""Table statistics for SQLite's query planner.

Without them SQLite guesses, and for a listing such as "the newest briefs among these ten" it walks
every live brief by date instead of reading the ten by their keys (2 ms instead of 0.1 at 10,000
briefs, and growing). PostgreSQL keeps its own statistics (autovacuum); SQLite's are written by
``ANALYZE``: after migrations and after bulk loads (the demo content, an import, the benchmark's
briefs). ``analysis_limit`` bounds the work: statistics from a sample of each index.
"""

from django.db import connections


def refresh(using="default"):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def after_migrate(sender, using="default", **kwargs):
    refresh(using)
