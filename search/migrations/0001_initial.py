"""The search index and the search log.

Each database gets its own objects, created only on that database:

- PostgreSQL: the pg_trgm extension, a GIN index on the weighted vector and a trigram GIN index on
  titles (the model declares both; ``SeparateDatabaseAndState`` keeps SQLite from creating them).
- SQLite: an FTS5 table over the document's text columns (external content: no second copy of the
  text), porter stemming, unicode61 with diacritics removed, and triggers that keep it in step with
  ``search_briefdocument`` inside the same transaction.

Then every existing brief is indexed, and Editors may read the search log.

A later migration that makes Django rebuild ``search_briefdocument`` on SQLite (some column
changes do) drops the triggers with the table: it must create them again (``create_fts``).
"""

import core.textcheck
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

INDEXES = [
    django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_doc_vector_gin"),
    django.contrib.postgres.indexes.GinIndex(
        fields=["title"], name="search_doc_title_trgm", opclasses=["gin_trgm_ops"]
    ),
]

FTS_COLUMNS = "title, summary, people, quotes, body"


def fts_statements():
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS.split(", "))
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS.split(", "))
    return [
        f"CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS}, content='search_briefdocument', "
        "content_rowid='brief_id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER search_fts_insert AFTER INSERT ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.brief_id, {new}); END",
        f"CREATE TRIGGER search_fts_delete AFTER DELETE ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.brief_id, {old}); END",
        f"CREATE TRIGGER search_fts_update AFTER UPDATE ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.brief_id, {old}); "
        f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.brief_id, {new}); END",
    ]


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in fts_statements():
            schema_editor.execute(statement)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


def create_trigram_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def add_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("search", "BriefDocument")
        for index in INDEXES:
            schema_editor.add_index(model, index)


def remove_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("search", "BriefDocument")
        for index in INDEXES:
            schema_editor.remove_index(model, index)


def index_existing_briefs(apps, schema_editor):
    from search.index import rebuild

    rebuild(brief_model=apps.get_model("briefs", "Brief"), document_model=apps.get_model("search", "BriefDocument"))


def editors_read_the_log(apps, schema_editor):
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="search", codename="view_searchlog")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(permission)




class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("briefs", "0003_workflow_groups"),
        ("briefs", "0007_publishing_help_text"),
        ("experts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BriefDocument",
            fields=[
                (
                    "brief",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="briefs.brief",
                    ),
                ),
                ("title", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe])),
                ("summary", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe])),
                ("people", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe], help_text="Authors' and quoted experts' names.")),
                ("quotes", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe])),
                ("body", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe], help_text="Latest developments and the body, as plain text.")),
                ("folded", models.TextField(blank=True, validators=[core.textcheck.validate_xml_safe])),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="SearchLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("query", models.CharField(max_length=200, validators=[core.textcheck.validate_xml_safe])),
                ("count", models.PositiveIntegerField(default=0)),
                (
                    "zero_results",
                    models.PositiveIntegerField(default=0, help_text="How many of these searches found nothing."),
                ),
            ],
            options={
                "verbose_name": "search",
                "verbose_name_plural": "searches",
                "ordering": ["-day", "-count"],
                "indexes": [models.Index(fields=["day"], name="searchlog_day")],
                "constraints": [models.UniqueConstraint(fields=("day", "query"), name="searchlog_day_query")],
            },
        ),
        migrations.RunPython(create_trigram_extension, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="briefdocument", index=index) for index in INDEXES],
            database_operations=[migrations.RunPython(add_postgres_indexes, remove_postgres_indexes)],
        ),
        migrations.RunPython(create_fts, drop_fts),
        migrations.RunPython(index_existing_briefs, migrations.RunPython.noop),
        migrations.RunPython(editors_read_the_log, migrations.RunPython.noop),
    ]
