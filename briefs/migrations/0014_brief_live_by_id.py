"""A narrow index for search's liveness join (Brief.Meta says why), on PostgreSQL only: SQLite keeps
a table's rows in its primary key's order (the rowid), so there the index would only cost writes."""

from django.db import migrations, models

INDEX = models.Index(fields=["id", "status", "published_at", "expires_at", "type"], name="brief_live_by_id")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("briefs", "Brief"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("briefs", "Brief"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("briefs", "0013_merge_13")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="brief", index=INDEX)],
            database_operations=[migrations.RunPython(add_index, remove_index)],
        )
    ]
