"""Ship the default column mapping of a 12345 work-order export (fengqiao.imports.defaults.DEFAULT_MAPPING)."""

from django.db import migrations


def seed(apps, schema_editor):
    from fengqiao.imports.defaults import DEFAULT_MAPPING

    ImportMapping = apps.get_model("imports", "ImportMapping")
    fields = {k: v for k, v in DEFAULT_MAPPING.items() if k != "slug"}
    fields["columns"] = {str(k): list(v) for k, v in fields["columns"].items()}
    ImportMapping.objects.get_or_create(slug=DEFAULT_MAPPING["slug"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
