"""The timeline becomes a hash chain per case (fengqiao.audit): each line stores the digest of its canonical
content and its chain hash; existing lines are chained in order here, so an existing database verifies clean.
Then the database refuses UPDATE and DELETE of timeline lines (triggers on SQLite and PostgreSQL;
fengqiao.audit.guard: only the recorded redaction path may rewrite `reason` and `data`)."""

from django.db import migrations, models

TABLE = "cases_caseevent"
BATCH = 2000


def drop_triggers(apps, schema_editor):
    from fengqiao.audit.guard import uninstall

    uninstall(schema_editor.connection, TABLE)


def chain_existing(apps, schema_editor):
    from fengqiao.audit.chain import GENESIS
    from fengqiao.audit.keys import signing_key
    from fengqiao.audit.timeline import content_of, sealed

    CaseEvent = apps.get_model("cases", "CaseEvent")
    key = signing_key()
    batch, case_id, previous = [], None, GENESIS
    rows = CaseEvent.objects.using(schema_editor.connection.alias).order_by("case_id", "seq")
    for event in rows.iterator(chunk_size=BATCH):
        if event.case_id != case_id:
            case_id, previous = event.case_id, GENESIS
        event.digest, event.chain = sealed(content_of(event), previous, key)
        previous = event.chain
        batch.append(event)
        if len(batch) >= BATCH:
            CaseEvent.objects.using(schema_editor.connection.alias).bulk_update(batch, ["digest", "chain"])
            batch = []
    if batch:
        CaseEvent.objects.using(schema_editor.connection.alias).bulk_update(batch, ["digest", "chain"])


def install_triggers(apps, schema_editor):
    from fengqiao.audit.guard import AUDIT_TABLES, install

    install(schema_editor.connection, TABLE, AUDIT_TABLES[TABLE])


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_bookings_sessions_agreements")]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.AddField(
            model_name="caseevent",
            name="digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="chain",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
