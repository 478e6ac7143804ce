"""The issue and expert facets' ids, stored with each search document (PostgreSQL; empty on SQLite).

Counting the facets looked up each matching brief's issue links, authors and quotes: three index
probes per match, about 25 ms at 10,000 matches. Read with the matching document's row, they cost a
few. ``STORAGE PLAIN`` keeps the small arrays in the row itself: the table's ``toast_tuple_target``
(migration 0002) would otherwise move them out of line, one more read per match.
"""

from django.db import migrations, models

import search.models
from search.index import EXPERT_IDS, ISSUE_IDS


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_briefdocument ALTER COLUMN issue_ids SET STORAGE PLAIN, "
            "ALTER COLUMN expert_ids SET STORAGE PLAIN"
        )
        # Every row at once: 10 s at 100,000 briefs, at the site's statement timeout
        # (settings: DATABASE_STATEMENT_TIMEOUT), lifted for this migration's transaction only.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        schema_editor.execute(f"UPDATE search_briefdocument SET issue_ids = {ISSUE_IDS}, expert_ids = {EXPERT_IDS}")


def ids_field(name, help_text):
    field = search.models.IdsField(base_field=models.IntegerField(), editable=False, help_text=help_text, null=True)
    return migrations.AddField(model_name="briefdocument", name=name, field=field)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_unaccented_excerpts")]

    operations = [
        ids_field("expert_ids", "Its authors and quoted experts, once each."),
        ids_field("issue_ids", "The brief's own issues (tags)."),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
