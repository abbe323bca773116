"""Anchors also seal other append-only logs (the grant record of the separation of duties); the grant record
refuses DELETE too (it refused UPDATE already: org/0004). Triggers re-installed: SQLite rebuilt the anchor table."""

from django.db import migrations, models

TABLES = ["audit_auditanchor", "org_grantrecord"]


def install_triggers(apps, schema_editor):
    from fengqiao.audit.guard import AUDIT_TABLES, install

    for table in TABLES:
        install(schema_editor.connection, table, AUDIT_TABLES[table])


def drop_triggers(apps, schema_editor):
    from fengqiao.audit.guard import uninstall

    for table in TABLES:
        uninstall(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_anchors"), ("org", "0004_grant_approval")]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.AddField(
            model_name="auditanchor",
            name="logs",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
