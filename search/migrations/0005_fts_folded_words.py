"""SQLite: the FTS5 table indexes the document's ``folded`` words too, so "Lukasz" finds "Łukasz"
as it does on PostgreSQL. unicode61's ``remove_diacritics`` folds "ś" to "s" but leaves "ł", a
letter of its own in Unicode; ``search.index.fold`` writes it as "l" in ``folded``.

The external-content table and its triggers are made again with the new column, then filled from
the documents (FTS5's 'rebuild'). PostgreSQL's vector has held the folded words from the start.
"""

from django.db import migrations

BEFORE = "title, summary, people, quotes, body"
AFTER = "title, summary, people, quotes, body, folded"


def statements(columns):
    new = ", ".join(f"new.{c}" for c in columns.split(", "))
    old = ", ".join(f"old.{c}" for c in columns.split(", "))
    return [
        "DROP TRIGGER IF EXISTS search_fts_insert",
        "DROP TRIGGER IF EXISTS search_fts_delete",
        "DROP TRIGGER IF EXISTS search_fts_update",
        "DROP TABLE IF EXISTS search_fts",
        f"CREATE VIRTUAL TABLE search_fts USING fts5({columns}, content='search_briefdocument', "
        "content_rowid='brief_id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER search_fts_insert AFTER INSERT ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(rowid, {columns}) VALUES (new.brief_id, {new}); END",
        f"CREATE TRIGGER search_fts_delete AFTER DELETE ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.brief_id, {old}); END",
        f"CREATE TRIGGER search_fts_update AFTER UPDATE ON search_briefdocument BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.brief_id, {old}); "
        f"INSERT INTO search_fts(rowid, {columns}) VALUES (new.brief_id, {new}); END",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def remake(columns):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements(columns):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_facet_ids")]

    operations = [migrations.RunPython(remake(AFTER), remake(BEFORE))]
