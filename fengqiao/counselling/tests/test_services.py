"""Writes of the psychological service: rights, bad input (nothing half-written), the timeline, the crisis
protocol and the grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fengqiao.cases.models import CaseEvent, ServiceType
from fengqiao.cases.public import public_timeline
from fengqiao.cases.workflow import Action
from fengqiao.counselling import services as svc
from fengqiao.counselling.models import (
    AccessLog,
    Engagement,
    Grant,
    RiskLevel,
    SessionMode,
    SessionRecord,
)
from fengqiao.notifications.models import Notification


def _record(engagement, actor, **overrides):
    fields = dict(held_on=timezone.localdate(), mode=SessionMode.PHONE, duration_minutes=40,
                  notes="电话随访，情绪较上周平稳。", assessment="", plan="")
    fields.update(overrides)
    return svc.record_add(engagement=engagement, actor=actor, **fields)


def test_open_writes_a_staff_only_step_without_contents(psy_case, psychologist):
    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=psychologist)
    assert engagement.unit.name == "光明街道人民调解委员会" and engagement.status == Engagement.Status.OPEN
    event = CaseEvent.objects.filter(case=psy_case, action=Action.MEDIATE).get()
    assert not event.is_public and event.data["step"] == svc.STEP_OPENED
    assert set(event.data) <= {"step", "engagement"}  # no contents on the timeline
    assert all(e.action != Action.MEDIATE for e in public_timeline(psy_case))


def test_records_stay_off_the_timeline(engagement, psychologist):
    _record(engagement, psychologist, notes="只在心理记录里出现的话 XYZZY")
    svc.engagement_close(engagement=engagement, actor=psychologist, note="阶段目标达成")
    events = CaseEvent.objects.filter(case=engagement.case)
    assert not any("XYZZY" in (e.reason + str(e.data)) or "SECRET-NOTE" in (e.reason + str(e.data)) for e in events)
    steps = [e.data["step"] for e in events.filter(action=Action.MEDIATE).order_by("seq")]
    assert steps == [svc.STEP_OPENED, svc.STEP_CLOSED]


def test_only_a_psychologist_on_the_case_may_counsel(psy_case, cast, make_case, psychologist):
    with pytest.raises(ValidationError):  # a people's mediator is no psychologist
        svc.engagement_open(case=psy_case, counsellor=cast.mediator, actor=cast.mediator)
    other = make_case(service_type=ServiceType.COMPLAINT)
    with pytest.raises(ValidationError):  # not a psychological case, and no team asks for help
        svc.engagement_open(case=other, counsellor=psychologist, actor=psychologist)
    with pytest.raises(PermissionDenied):  # nobody opens it for someone else without a right on the case
        svc.engagement_open(case=psy_case, counsellor=psychologist, actor=cast.auditor)
    assert not Engagement.objects.exists() and not CaseEvent.objects.filter(action=Action.MEDIATE).exists()


def test_a_case_worker_may_ask_a_psychologist_to_help(psy_case, cast, psychologist):
    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=cast.mediator)
    assert engagement.counsellor == psychologist and engagement.opened_by == cast.mediator
    assert Notification.objects.filter(recipient=psychologist, kind="counselling_opened").exists()


def test_team_psychologist_may_counsel_on_any_case(make_case, cast, org, psychologist):
    from fengqiao.mediation.models import Mediation, TeamMember, TeamRole

    case = make_case(service_type=ServiceType.MEDIATION, title="邻里漏水纠纷")
    now = timezone.now()
    mediation = Mediation.objects.create(case=case, unit=org.mediation, mediator=cast.mediator, opened_at=now,
                                         due_at=now + timedelta(days=30))
    TeamMember.objects.create(mediation=mediation, user=psychologist, role=TeamRole.PSYCHOLOGIST)
    engagement = svc.engagement_open(case=case, counsellor=psychologist, actor=psychologist)
    assert engagement.mediation == mediation


def test_one_open_engagement_per_counsellor_and_case(engagement, psychologist):
    with pytest.raises(ValidationError):
        svc.engagement_open(case=engagement.case, counsellor=psychologist, actor=psychologist)
    assert Engagement.objects.count() == 1


def test_no_record_without_consent(psy_case, psychologist):
    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=psychologist)
    for language, word in (("en", "consent"), ("zh-hans", "同意")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            _record(engagement, psychologist)
        assert word in refused.value.messages[0]
    assert not SessionRecord.objects.exists()


@pytest.mark.parametrize(("field", "overrides"), [
    ("held_on", {"held_on": timezone.localdate() + timedelta(days=2)}),
    ("duration_minutes", {"duration_minutes": 2}),
    ("duration_minutes", {"duration_minutes": 600}),
    ("notes", {"notes": "  "}),
    ("mode", {"mode": "telepathy"}),
])
def test_bad_records_are_refused_whole(engagement, psychologist, field, overrides):
    before = SessionRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        _record(engagement, psychologist, **overrides)
    assert field in refused.value.message_dict
    assert SessionRecord.objects.count() == before


def test_only_the_counsellor_writes(engagement, cast):
    with pytest.raises(PermissionDenied):
        _record(engagement, cast.mediator)
    with pytest.raises(PermissionDenied):
        svc.engagement_risk_set(engagement=engagement, actor=cast.leader, level=RiskLevel.LOW)


def test_records_are_numbered(engagement, psychologist):
    second = _record(engagement, psychologist)
    assert second.seq == 2


def test_consent_bad_input(psy_case, psychologist):
    engagement = svc.engagement_open(case=psy_case, counsellor=psychologist, actor=psychologist)
    with pytest.raises(ValidationError) as refused:
        svc.engagement_consent_record(engagement=engagement, actor=psychologist, consent_by="",
                                      consent_at=timezone.now() + timedelta(days=1), method="telepathy")
    assert set(refused.value.message_dict) == {"consent_by", "consent_at", "method"}
    engagement.refresh_from_db()
    assert not engagement.has_consent


def test_crisis_tells_the_unit_leader_without_contents(engagement, psychologist, cast):
    with pytest.raises(ValidationError) as refused:  # a crisis needs its protocol note
        svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.CRISIS)
    assert "crisis_note" in refused.value.message_dict
    assert not Notification.objects.filter(kind="counselling_risk").exists()
    svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.CRISIS,
                            crisis_note="来访者流露轻生念头，已联系其丈夫陪同并转介区精神卫生中心。PROTOCOL-77")
    notice = Notification.objects.get(kind="counselling_risk")
    # The street committee has no leader of its own: the nearest one up the tree (the district's) hears of it.
    assert notice.recipient == cast.leader
    assert engagement.case.code in notice.title
    assert "PROTOCOL-77" not in notice.title + notice.body and "SECRET-NOTE" not in notice.title + notice.body
    # Saving the same level again tells nobody twice; a new rise does.
    svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.CRISIS, crisis_note="同上，继续每日电话关注。")
    assert Notification.objects.filter(kind="counselling_risk").count() == 1
    svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.MEDIUM)
    svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.HIGH, crisis_note="再次评估后通知家属陪同。")
    assert Notification.objects.filter(kind="counselling_risk").count() == 2


def test_closed_engagement_takes_no_more_records(engagement, psychologist):
    svc.engagement_close(engagement=engagement, actor=psychologist)
    with pytest.raises(ValidationError):
        _record(engagement, psychologist)


# --- grants -------------------------------------------------------------------------------------------------


def _grant(engagement, actor, user, **overrides):
    fields = dict(reason="联合调解需要了解当事人情绪状况", expires_at=timezone.now() + timedelta(days=7))
    fields.update(overrides)
    return svc.grant_create(engagement=engagement, actor=actor, user=user, **fields)


def test_grant_and_revoke(engagement, psychologist, cast):
    grant = _grant(engagement, psychologist, cast.mediator)
    assert Notification.objects.filter(recipient=cast.mediator, kind="counselling_grant").exists()
    assert svc.reader_basis(cast.mediator, engagement)[0] == "grant"
    svc.grant_revoke(grant=grant, actor=psychologist, reason="调解已结束")
    assert svc.reader_basis(cast.mediator, engagement)[0] is None
    with pytest.raises(ValidationError):
        svc.grant_revoke(grant=grant, actor=psychologist, reason="再撤一次")


@pytest.mark.parametrize(("who", "overrides", "field"), [
    ("self", {}, "user"),
    ("resident", {}, "user"),
    ("outsider", {}, "user"),
    ("mediator", {"reason": ""}, "reason"),
    ("mediator", {"expires_at": timezone.now() - timedelta(hours=1)}, "expires_at"),
    ("mediator", {"expires_at": timezone.now() + timedelta(days=400)}, "expires_at"),
])
def test_bad_grants_are_refused(engagement, psychologist, cast, who, overrides, field):
    user = psychologist if who == "self" else getattr(cast, who)
    with pytest.raises(ValidationError) as refused:
        _grant(engagement, psychologist, user, **overrides)
    assert field in refused.value.message_dict
    assert not Grant.objects.exists()


def test_only_the_counsellor_grants(engagement, cast):
    with pytest.raises(PermissionDenied):
        _grant(engagement, cast.leader, cast.mediator)


def test_a_live_grant_is_not_granted_twice_but_an_expired_one_makes_way(engagement, psychologist, cast):
    past = timezone.now() - timedelta(days=10)
    old = _grant(engagement, psychologist, cast.mediator, at=past, expires_at=past + timedelta(days=1))
    new = _grant(engagement, psychologist, cast.mediator)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    with pytest.raises(ValidationError):
        _grant(engagement, psychologist, cast.mediator)


def test_the_access_log_is_append_only(engagement, psychologist):
    svc.engagement_for_reader(user=psychologist, pk=engagement.pk)
    row = AccessLog.objects.get()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AccessLog.objects.all().update(purpose="x")
    with pytest.raises(TypeError):
        AccessLog.objects.all().delete()
    # The database refuses a change that goes round the model.
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE counselling_accesslog SET purpose = 'x' WHERE id = %s", [row.pk])


def test_demo_seed(cast):
    import random

    from fengqiao.core.demo import seed_staff
    from fengqiao.counselling.demo import seed_counselling

    seed_staff()
    engagement = seed_counselling(random.Random(1), timezone.now())
    assert engagement.records.count() == 2 and engagement.grants.filter(revoked_at__isnull=True).count() == 1
    assert engagement.case.region.district.code == "440311"


def test_a_grantee_who_leaves_the_staff_reads_no_more(engagement, psychologist, cast):
    from fengqiao.org.models import Membership

    _grant(engagement, psychologist, cast.mediator)
    Membership.objects.filter(user=cast.mediator).update(is_active=False)
    with pytest.raises(svc.RecordsHidden):
        svc.engagement_for_reader(user=cast.mediator, pk=engagement.pk)
    assert AccessLog.objects.get(user=cast.mediator).what == "denied"
