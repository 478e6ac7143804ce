"""The search log: how often each normalised query was searched per day, and how often it found nothing.

Recording is one upsert (in a savepoint inside a transaction), run once the response is sent; any
database error is logged and swallowed, so a search never fails or waits because of it. Nothing
about the reader is stored.
"""

import contextlib
import logging

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .models import SearchLog

logger = logging.getLogger(__name__)


def log_key(query):
    """The text kept for a query: lower case, single spaces (already cut to the maximum length)."""
    return " ".join(query.lower().split())[: SearchLog._meta.get_field("query").max_length]


def record_search(*, query, found):
    """Count one search for ``query`` today; ``found`` is the number of results. Never raises."""
    key = log_key(query)
    if not key:
        return
    table = SearchLog._meta.db_table
    empty = 0 if found else 1
    # Inside a transaction (tests, ATOMIC_REQUESTS) a savepoint keeps a failure from spoiling it;
    # otherwise the statement commits on its own.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, query, count, zero_results) VALUES (%s, %s, 1, %s) "
                f"ON CONFLICT (day, query) DO UPDATE SET count = {table}.count + 1, "
                f"zero_results = {table}.zero_results + %s",
                [timezone.localdate(), key, empty, empty],
            )
    except DatabaseError:
        logger.exception("Could not record a search in the search log (the search itself went on)")
