"""Top respondents list organisations only (a private person named as respondent is never on a wall screen): count again."""

from django.db import migrations


def build(apps, schema_editor):
    from fengqiao.dashboard import tallies

    tallies.rebuild(registry=apps)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0004_rebuild_by_level")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
