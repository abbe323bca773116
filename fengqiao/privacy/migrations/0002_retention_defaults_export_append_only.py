"""The shipped retention rules (privacy/policy.py) as editable rows, and the export record refusing UPDATE in the
database (an audit record: LEGAL.md). Deletes are left to PROTECT (a test database must still be flushable)."""

from django.db import migrations

SQL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS privacy_exportrecord_no_update BEFORE UPDATE ON privacy_exportrecord
           BEGIN SELECT RAISE(ABORT, 'the export record is append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION privacy_exportrecord_refuse_update() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'the export record is append-only'; END; $$ LANGUAGE plpgsql;""",
        "DROP TRIGGER IF EXISTS privacy_exportrecord_no_update ON privacy_exportrecord;",
        """CREATE TRIGGER privacy_exportrecord_no_update BEFORE UPDATE ON privacy_exportrecord
           FOR EACH ROW EXECUTE FUNCTION privacy_exportrecord_refuse_update();""",
    ],
}
SQL_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS privacy_exportrecord_no_update;"],
    "postgresql": ["DROP TRIGGER IF EXISTS privacy_exportrecord_no_update ON privacy_exportrecord;",
                   "DROP FUNCTION IF EXISTS privacy_exportrecord_refuse_update();"],
}


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def defaults(apps, schema_editor):
    from fengqiao.privacy.policy import RETENTION_DEFAULTS

    Rule = apps.get_model("privacy", "RetentionRule")
    for (kind, service_type), months in RETENTION_DEFAULTS.items():
        Rule.objects.get_or_create(kind=kind, service_type=service_type,
                                   defaults={"months": months, "note": "default (privacy/policy.py)"})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_privacy")]

    operations = [
        migrations.RunPython(defaults, migrations.RunPython.noop),
        migrations.RunPython(_run(SQL), _run(SQL_DROP)),
    ]
