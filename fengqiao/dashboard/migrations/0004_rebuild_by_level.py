"""Every region now keeps its own totals (a case counts in its place and in each region above it): count again."""

from django.db import migrations


def build(apps, schema_editor):
    from fengqiao.dashboard import tallies

    tallies.rebuild(registry=apps)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0003_region_day_keys")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
