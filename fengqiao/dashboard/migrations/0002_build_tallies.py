"""Count the cases already in the database into the new counter tables."""

from django.db import migrations


def build(apps, schema_editor):
    from fengqiao.dashboard import tallies

    tallies.rebuild(registry=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_tallies"),
        ("cases", "0013_resolved_on_time"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
