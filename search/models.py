"""The search index (one row per brief) and the search log.

The index lives in this app's own table, keyed by brief, so briefs need no search columns:

- On PostgreSQL ``vector`` holds the weighted ``tsvector`` (title A; summary, expert names and quote
  text B; developments and body C) with a GIN index, and ``title`` a trigram index for "did you mean";
  ``issue_ids`` and ``expert_ids`` what the facets count.
- On SQLite the text columns and the folded words are the content of an FTS5 table
  (``search_fts``, porter stemming, diacritics folded) kept in step by triggers; both are made by
  this app's migrations (0001, 0005), which create each database's objects only on that database.
  ``vector`` and the id arrays stay empty there.

The index says nothing about visibility: every search joins ``Brief.objects.live()`` at query time,
so a brief joins the results the second it goes live and leaves them the second it expires.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from core.textcheck import validate_xml_safe

# Written from briefs' own (validated) fields and from normalised queries, never from a form; the
# validator is there all the same, as on every text field of the project.
XML_SAFE = [validate_xml_safe]


class IdsField(ArrayField):
    """Integers as a PostgreSQL array. SQLite has no arrays: there the column is left empty (NULL),
    and written without PostgreSQL's cast."""

    def get_placeholder_sql(self, value, compiler, connection):
        if connection.vendor == "postgresql":
            return super().get_placeholder_sql(value, compiler, connection)
        if hasattr(value, "as_sql"):
            return compiler.compile(value)
        return "%s", (value,)


class BriefDocument(models.Model):
    """What search reads of one brief, as plain text (the rich text stripped of its HTML)."""

    brief = models.OneToOneField(
        "briefs.Brief", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField(blank=True, validators=XML_SAFE)
    summary = models.TextField(blank=True, validators=XML_SAFE)
    people = models.TextField(blank=True, validators=XML_SAFE, help_text="Authors' and quoted experts' names.")
    quotes = models.TextField(blank=True, validators=XML_SAFE)
    body = models.TextField(
        blank=True, validators=XML_SAFE, help_text="Latest developments and the body, as plain text."
    )
    # Words of the above written without their accents ("Wisniewski" for "Wiśniewski", "Lukasz" for
    # "Łukasz"), in PostgreSQL's vector and SQLite's FTS5 table (whose tokenizer folds "ś" but not "ł").
    folded = models.TextField(blank=True, validators=XML_SAFE)
    vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only (empty on SQLite), written with the vector: what the issue and expert facets
    # count, read with the matching row rather than looked up per match (search/facets.py).
    issue_ids = IdsField(models.IntegerField(), null=True, editable=False, help_text="The brief's own issues (tags).")
    expert_ids = IdsField(
        models.IntegerField(), null=True, editable=False, help_text="Its authors and quoted experts, once each."
    )

    class Meta:
        # Created on PostgreSQL only (see the migration); declared here so Django knows of them.
        indexes = [
            GinIndex(fields=["vector"], name="search_doc_vector_gin"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="search_doc_title_trgm"),
        ]

    def __str__(self):
        return self.title


class SearchLog(models.Model):
    """How often a (normalised) query was searched on one day, and how often it found nothing.

    Nothing about the reader is kept: no address, no user agent, no time finer than the day.
    """

    day = models.DateField()
    query = models.CharField(max_length=200, validators=XML_SAFE)
    count = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0, help_text="How many of these searches found nothing.")

    class Meta:
        ordering = ["-day", "-count"]
        verbose_name = "search"
        verbose_name_plural = "searches"
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="searchlog_day_query")]
        indexes = [models.Index(fields=["day"], name="searchlog_day")]

    def __str__(self):
        return f"{self.query} ({self.day}: {self.count})"
