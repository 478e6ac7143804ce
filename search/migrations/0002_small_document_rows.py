"""On PostgreSQL, keep the search documents' rows small: their text and vector move to the TOAST
table whenever a row is over 2 kB (PostgreSQL's threshold), down to 128 bytes rather than 2 kB.

A match reads the matching documents' rows only for their brief ids (the GIN index finds them; the
vector is read only for the page's ranking and the text for its excerpts), so small rows make it
touch a few pages rather than one per match: at 100,000 generated briefs the table's rows took 391
MB, now 15 MB. Rows written from now on are stored so; existing ones once the table is rewritten
(``VACUUM FULL search_briefdocument``). SQLite has no TOAST: nothing to do there.
"""

from django.db import migrations


def small_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_briefdocument SET (toast_tuple_target = 128)")


def default_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_briefdocument RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(small_rows, default_rows)]
