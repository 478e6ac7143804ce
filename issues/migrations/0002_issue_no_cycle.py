"""The database refuses an issue made its own ancestor, at any depth (a CHECK constraint only sees one row,
so it covers "its own parent" alone; a trigger walks up the tree). Issue.validate_parent says the same
to editors as a form error; this guards raw SQL, ``QuerySet.update`` and anything else that skips it.

PostgreSQL and SQLite each get a trigger in their own dialect; other databases keep the model checks.
"""

from django.db import migrations

MESSAGE = "issue_no_cycle: an issue cannot sit under itself or one of its own sub-issues"

# Walks up from the new parent; UNION (not UNION ALL) stops on a cycle already in the data.
ANCESTOR_HAS_NEW_ID = """
    WITH RECURSIVE up(id) AS (
        SELECT NEW.parent_id
        UNION
        SELECT issue.parent_id FROM issues_issue AS issue JOIN up ON issue.id = up.id
        WHERE issue.parent_id IS NOT NULL
    )
    SELECT 1 FROM up WHERE up.id = NEW.id
"""

POSTGRESQL = f"""
CREATE FUNCTION issues_issue_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        -- Two transactions each moving one issue under the other would both pass unseen: take turns.
        PERFORM pg_advisory_xact_lock(hashtext('issues_issue_tree'));
        IF EXISTS ({ANCESTOR_HAS_NEW_ID}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER issues_issue_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON issues_issue
    FOR EACH ROW EXECUTE FUNCTION issues_issue_no_cycle();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS issues_issue_no_cycle ON issues_issue;
DROP FUNCTION IF EXISTS issues_issue_no_cycle();
"""

# SQLite writes one transaction at a time, so no lock is needed.
SQLITE = [
    f"""
CREATE TRIGGER issues_issue_no_cycle_{event.split()[0].lower()} BEFORE {event} ON issues_issue
WHEN NEW.parent_id IS NOT NULL AND EXISTS ({ANCESTOR_HAS_NEW_ID})
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
    for event in ("INSERT", "UPDATE OF parent_id")
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS issues_issue_no_cycle_insert", "DROP TRIGGER IF EXISTS issues_issue_no_cycle_update"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("issues", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
