"""The shipped command policies (commands/rules.DEFAULT_POLICIES), copied once so administrators can edit them."""

from django.db import migrations

DEFAULTS = [
    # level, amount, unit, min rank, headcount, on site, max distance, source
    ("urgent", 30, "minutes", 2, 2, True, 500, "LEGAL.md: 吹哨报到 (Pinggu, Beijing) — departments on site within 30 minutes"),
    ("major", 2, "hours", 1, 2, True, 500, "platform default: on site within 2 hours, a deputy section chief or above"),
    ("general", 1, "working_days", 0, 1, False, 500, "platform default: check in within 1 working day, online is enough"),
]


def load(apps, schema_editor):
    CommandPolicy = apps.get_model("commands", "CommandPolicy")
    for level, amount, unit, rank, headcount, on_site, distance, source in DEFAULTS:
        CommandPolicy.objects.get_or_create(level=level, category=None, defaults={
            "checkin_amount": amount, "checkin_unit": unit, "min_rank": rank, "headcount": headcount,
            "on_site": on_site, "max_distance_m": distance, "source": source})


class Migration(migrations.Migration):
    dependencies = [("commands", "0001_commands_checkin")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
