"""Audit anchors, and the append-only triggers on the anchors and on the counselling access log (which until now
refused UPDATE only: counselling/0002). fengqiao.audit.guard holds the SQL; it runs again after every migrate."""

from django.db import migrations, models

TABLES = ["audit_auditanchor", "counselling_accesslog"]


def install_triggers(apps, schema_editor):
    from fengqiao.audit.guard import AUDIT_TABLES, install

    for table in TABLES:
        install(schema_editor.connection, table, AUDIT_TABLES[table])


def drop_triggers(apps, schema_editor):
    from fengqiao.audit.guard import uninstall

    for table in TABLES:
        uninstall(schema_editor.connection, table)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("counselling", "0002_accesslog_no_update")]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True, verbose_name="day sealed")),
                ("sealed_at", models.DateTimeField(verbose_name="sealed at")),
                ("events_after", models.BigIntegerField(default=0)),
                ("events_upto", models.BigIntegerField(default=0)),
                ("heads", models.JSONField(blank=True, default=list)),
                ("accesslog_after", models.BigIntegerField(default=0)),
                ("accesslog_upto", models.BigIntegerField(default=0)),
                ("accesslog_digest", models.CharField(blank=True, max_length=64)),
                ("previous", models.CharField(blank=True, max_length=64)),
                ("seal", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "audit anchor",
                "verbose_name_plural": "audit anchors",
                "ordering": ["day"],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
