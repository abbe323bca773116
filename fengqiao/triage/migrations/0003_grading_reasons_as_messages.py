"""The shipped grading rules' reasons become English message ids, shown in each reader's language.

Only a reason still as migration 0002 first wrote it (the Chinese sentence) is replaced: a reason an
administrator changed is theirs and stays as written. Cases keep the reasons they were given (plain text is shown
as it is)."""

from django.db import migrations


def to_messages(apps, schema_editor):
    from fengqiao.triage.defaults import CHINESE_REASONS, DEFAULT_SIGNALS

    GradingRule = apps.get_model("triage", "GradingRule")
    for s in DEFAULT_SIGNALS:
        GradingRule.objects.filter(code=s.code, reason=CHINESE_REASONS[s.code]).update(reason=s.reason)


def to_chinese(apps, schema_editor):
    from fengqiao.triage.defaults import CHINESE_REASONS, DEFAULT_SIGNALS

    GradingRule = apps.get_model("triage", "GradingRule")
    for s in DEFAULT_SIGNALS:
        GradingRule.objects.filter(code=s.code, reason=s.reason).update(reason=CHINESE_REASONS[s.code])


def service_type_without_confidence(apps, schema_editor):
    """The service type was scored by keyword weights shown as a percentage; it is a rule now, with no number."""
    TriageSuggestion = apps.get_model("triage", "TriageSuggestion")
    for s in TriageSuggestion.objects.filter(part="service_type").iterator():
        s.confidence = None
        s.alternatives = [{**a, "confidence": None} for a in (s.alternatives or []) if isinstance(a, dict)]
        s.save(update_fields=["confidence", "alternatives"])


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_default_grading_rules")]
    operations = [
        migrations.RunPython(to_messages, to_chinese),
        migrations.RunPython(service_type_without_confidence, migrations.RunPython.noop),
    ]
