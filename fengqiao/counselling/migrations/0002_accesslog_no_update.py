"""The access log refuses changes in the database too (LEGAL.md: audit records protected from change): a trigger
aborts any UPDATE of a row. Deletes are left to PROTECT and the model (a test database must still be flushable)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS counselling_accesslog_no_update BEFORE UPDATE ON counselling_accesslog
       BEGIN SELECT RAISE(ABORT, 'the counselling access log is append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS counselling_accesslog_no_update;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION counselling_accesslog_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the counselling access log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """DROP TRIGGER IF EXISTS counselling_accesslog_no_update ON counselling_accesslog;""",
    """CREATE TRIGGER counselling_accesslog_no_update BEFORE UPDATE ON counselling_accesslog
       FOR EACH ROW EXECUTE FUNCTION counselling_accesslog_refuse_update();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS counselling_accesslog_no_update ON counselling_accesslog;",
    "DROP FUNCTION IF EXISTS counselling_accesslog_refuse_update();",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("counselling", "0001_engagements")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})),
    ]
