"""Seed the editable grading rules with the shipped defaults (fengqiao.triage.defaults.DEFAULT_SIGNALS)."""

from django.db import migrations


def seed(apps, schema_editor):
    from fengqiao.triage.defaults import DEFAULT_SIGNALS

    GradingRule = apps.get_model("triage", "GradingRule")
    for s in DEFAULT_SIGNALS:
        GradingRule.objects.get_or_create(
            code=s.code,
            defaults={
                "name": s.name,
                "kind": s.kind,
                "keywords": list(s.keywords),
                "threshold": s.threshold,
                "window_days": s.window_days,
                "grade": s.grade,
                "reason": s.reason,
                "priority": s.priority,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
