"""On PostgreSQL, a text search configuration for excerpts that reads words without their accents.

Matching already ignores accents (the vector holds the folded words too), but ``ts_headline`` parses
the excerpt's text with the 'english' configuration, where "Wiśniewski" is not the lexeme of the
query "Wisniewski": the brief was found and the name left unmarked. This configuration is English
with the ``unaccent`` dictionary before the stemmer for words with letters outside ASCII, so the
excerpt marks the name as written, as SQLite's FTS5 (diacritics removed) does. ``unaccent`` ships
with PostgreSQL's contrib modules (as pg_trgm does) and may be created by the database's owner.
"""

from django.db import migrations

CONFIG = "dossier_english_unaccent"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_small_document_rows")]

    operations = [migrations.RunPython(create, drop)]
