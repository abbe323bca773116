"""Seed the editable deadline policy with the shipped defaults (fengqiao.sla.policy.DEFAULT_POLICIES)."""

from django.db import migrations


def seed(apps, schema_editor):
    from fengqiao.sla.policy import DEFAULT_POLICIES

    DeadlinePolicy = apps.get_model("sla", "DeadlinePolicy")
    for grade, steps in DEFAULT_POLICIES.items():
        for step, p in steps.items():
            DeadlinePolicy.objects.get_or_create(
                grade=grade,
                step=step,
                defaults={
                    "amount": p.amount,
                    "unit": p.unit,
                    "remind_before_minutes": p.remind_before_minutes,
                    "escalate_after_minutes": p.escalate_after_minutes,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
