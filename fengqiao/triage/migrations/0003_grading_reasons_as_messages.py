"""The shipped grading rules' reasons become English message ids, shown in each reader's language.

Only a reason still as migration 0002 first wrote it (the Chinese sentence) is replaced: a reason an
administrator changed is theirs and stays as written. Cases keep the reasons they were given (plain text is shown
as it is)."""

from django.db import migrations

# The Chinese sentences migration 0002 first wrote (frozen here: this migration recognises them).
CHINESE_REASONS: dict[str, str] = {
    "self_harm": "文本出现轻生、自伤信号：“{keyword}”",
    "violence": "文本出现暴力威胁信号：“{keyword}”",
    "gathering": "文本出现聚集、集体上访信号：“{keyword}”",
    "road_block": "文本出现堵路信号：“{keyword}”",
    "banner": "文本出现拉横幅、举牌信号：“{keyword}”",
    "wage_many": "欠薪涉及{people}人（{threshold}人以上）",
    "collective_red": "涉及{people}人，达到{threshold}人以上",
    "money_red": "涉及金额{amount}，达到{threshold}以上",
    "danger": "文本出现紧急危险信号：“{keyword}”",
    "wage_festival": "春节前{days}天的欠薪诉求（节前{window}天内）：“{keyword}”",
    "minors": "涉及未成年人：“{keyword}”",
    "elderly": "涉及老年人：“{keyword}”",
    "disabled": "涉及残疾人：“{keyword}”",
    "repeat": "同一电话{days}天内已提出{count}件诉求（重复来访）",
    "collective": "涉及{people}人，属群体性诉求（{threshold}人以上）",
    "money": "涉及金额{amount}，达到{threshold}以上",
    "urgency": "诉求人表示情况紧急：“{keyword}”",
}


def to_messages(apps, schema_editor):
    from fengqiao.triage.defaults import DEFAULT_SIGNALS

    GradingRule = apps.get_model("triage", "GradingRule")
    for s in DEFAULT_SIGNALS:
        GradingRule.objects.filter(code=s.code, reason=CHINESE_REASONS[s.code]).update(reason=s.reason)


def to_chinese(apps, schema_editor):
    from fengqiao.triage.defaults import DEFAULT_SIGNALS

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
