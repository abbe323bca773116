"""The mediator's work through the services: opening on a dispatched dispute, team, sessions, record signatures,
extension with consent, the outcome and the case's move, and every refusal leaving nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent, Outcome, Party, ServiceType
from fengqiao.cases.public import public_timeline
from fengqiao.cases.workflow import Action, Status
from fengqiao.mediation import casework as cw
from fengqiao.mediation import rules
from fengqiao.mediation.models import (
    AttendeeRole,
    Mediation,
    MediationOutcome,
    MediatorKind,
    MeetingMode,
    Referral,
    Session,
    Specialty,
    TeamRole,
)
from fengqiao.mediation.services import mediator_register
from fengqiao.notifications.models import Notification
from fengqiao.org.models import Role
from fengqiao.org.services import staff_user_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English (the msgids); the catalogue's Chinese is checked by the view tests."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def dispute(cast, org, make_case):
    """A neighbours' dispute with two parties, accepted by the street centre and dispatched to the committee."""
    case = make_case(
        service_type=ServiceType.MEDIATION, title="楼上漏水纠纷", description="楼上住户卫生间漏水，多次协商未果，要求赔偿维修费用。",
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000"),
                 cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13900139000")],
    )
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_escalate(case=case, actor=cast.op_community, reason="需街道调委会调解")
    cs.case_dispatch(case=case, actor=cast.op_street, unit=org.mediation)
    return case


def _open(cast, case, **kw):
    return cw.mediation_open(case=case, actor=cast.mediator, **kw)


def _held(cast, mediation, *, mode=MeetingMode.IN_PERSON):
    now = timezone.now()
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=now + timedelta(minutes=30),
                                  mode=mode, place="光明街道调解室")
    parties = list(mediation.case.parties.order_by("pk"))
    attendees = [cw.AttendeeInput(party=p, part=i + 1 if mode == MeetingMode.BACK_TO_BACK else None)
                 for i, p in enumerate(parties)]
    attendees.append(cw.AttendeeInput(user=cast.mediator))
    return cw.session_hold(session=session, actor=cast.mediator, attendees=attendees, record="双方陈述了漏水经过。")


def test_opening_signs_and_starts_the_case_and_sets_the_time_limit(cast, dispute):
    mediation = _open(cast, dispute)
    dispute.refresh_from_db()
    assert dispute.status == Status.IN_PROGRESS
    assert mediation.unit.name == "光明街道人民调解委员会"
    assert mediation.facts == dispute.description and mediation.matters == dispute.title
    assert mediation.due_at == rules.mediation_due_at(mediation.opened_at)
    assert timedelta(days=27) < mediation.due_at - mediation.opened_at < timedelta(days=32)
    labels = [e.label for e in public_timeline(dispute)]
    assert any("t_mediator" in label for label in labels)  # "Mediation accepted; mediator: …" names the mediator


def test_a_second_open_mediation_is_refused(cast, dispute):
    _open(cast, dispute)
    with pytest.raises(ValidationError, match="already has an open mediation"):
        _open(cast, dispute)
    assert Mediation.objects.filter(case=dispute).count() == 1


def test_only_the_committee_holding_a_dispute_opens(cast, org, make_case, dispute):
    complaint = make_case()
    cs.case_accept(case=complaint, actor=cast.op_community)
    with pytest.raises(PermissionDenied):
        cw.mediation_open(case=complaint, actor=cast.mediator)
    with pytest.raises(PermissionDenied):
        cw.mediation_open(case=dispute, actor=cast.handler)
    not_dispute = make_case(service_type=ServiceType.COMPLAINT)
    cs.case_accept(case=not_dispute, actor=cast.op_community)
    cs.case_escalate(case=not_dispute, actor=cast.op_community, reason="上报")
    cs.case_dispatch(case=not_dispute, actor=cast.op_street, unit=org.mediation)
    with pytest.raises(ValidationError, match="dispute"):
        cw.mediation_open(case=not_dispute, actor=cast.mediator)
    not_dispute.refresh_from_db()
    assert not_dispute.status == Status.DISPATCHED  # nothing half-written: not even signed for


def test_scheduling_in_the_past_or_without_a_place_is_refused(cast, dispute):
    mediation = _open(cast, dispute)
    with pytest.raises(ValidationError) as err:
        cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=timezone.now() - timedelta(hours=2),
                            place="调解室")
    assert "scheduled_at" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=timezone.now() + timedelta(days=1))
    assert "place" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=timezone.now() + timedelta(days=1),
                            mode=MeetingMode.VIDEO)
    assert "video_link" in err.value.message_dict
    assert not Session.objects.filter(mediation=mediation).exists()


def test_video_session_takes_the_mediators_room(cast, dispute):
    profile = cast.mediator.mediator_profile
    profile.video_link = "https://meet.example.gov.cn/room/42"
    profile.save()
    mediation = _open(cast, dispute)
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator, mode=MeetingMode.VIDEO,
                                  scheduled_at=timezone.now() + timedelta(days=2))
    assert session.video_link == "https://meet.example.gov.cn/room/42" and session.seq == 1


def test_holding_needs_a_party_and_a_record_and_back_to_back_needs_parts(cast, dispute):
    mediation = _open(cast, dispute)
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator, mode=MeetingMode.BACK_TO_BACK,
                                  scheduled_at=timezone.now() + timedelta(minutes=20), place="调解室")
    party = dispute.parties.first()
    with pytest.raises(ValidationError) as err:
        cw.session_hold(session=session, actor=cast.mediator, attendees=[cw.AttendeeInput(user=cast.mediator)],
                        record="")
    assert {"record", "attendees"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError, match="separate talk"):
        cw.session_hold(session=session, actor=cast.mediator, attendees=[cw.AttendeeInput(party=party)], record="笔录")
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED and not session.attendees.exists()
    cw.session_hold(session=session, actor=cast.mediator, attendees=[cw.AttendeeInput(party=party, part=1)],
                    record="分别听取双方意见。")
    session.refresh_from_db()
    assert session.status == Session.Status.HELD and session.attendees.get().role == AttendeeRole.APPLICANT


def test_a_session_far_ahead_cannot_be_held_yet(cast, dispute):
    mediation = _open(cast, dispute)
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator,
                                  scheduled_at=timezone.now() + timedelta(days=3), place="调解室")
    with pytest.raises(ValidationError, match="later"):
        cw.session_hold(session=session, actor=cast.mediator,
                        attendees=[cw.AttendeeInput(party=dispute.parties.first())], record="笔录")


def test_signing_the_record_twice_is_refused(cast, dispute):
    mediation = _open(cast, dispute)
    session = _held(cast, mediation)
    attendee = session.attendees.filter(party__isnull=False).first()
    cw.record_sign(attendee=attendee, actor=cast.mediator)
    with pytest.raises(ValidationError, match="already signed"):
        cw.record_sign(attendee=attendee, actor=cast.mediator)
    attendee.refresh_from_db()
    assert attendee.signed_at is not None


def test_team_from_the_committee_and_the_district(cast, org, dispute):
    lawyer = staff_user_create(username="t_lawyer_cw", password="x-Pass-2026", name="律师 甲",
                               memberships=[(org.mediation, Role.MEDIATOR)])
    mediator_register(user=lawyer, unit=org.mediation, kind=MediatorKind.LAWYER, specialties=[Specialty.LABOUR])
    mediation = _open(cast, dispute)
    assert lawyer.pk in {p.user_id for p in cw.team_candidates(mediation)}
    member = cw.team_add(mediation=mediation, actor=cast.mediator, user=lawyer)
    assert member.role == TeamRole.LAWYER
    assert Notification.objects.filter(recipient=lawyer, kind="mediation_team", case=dispute).exists()
    with pytest.raises(ValidationError):
        cw.team_add(mediation=mediation, actor=cast.mediator, user=lawyer)
    with pytest.raises(ValidationError):
        cw.team_add(mediation=mediation, actor=cast.mediator, user=cast.handler)  # not a mediator
    assert cw.may_work(lawyer, mediation) and mediation in cw.mediations_visible_to(lawyer)
    cw.team_remove(member=member, actor=cast.mediator)
    assert not mediation.team.exists()


def test_who_sees_mediations(cast, dispute):
    mediation = _open(cast, dispute)
    assert mediation in cw.mediations_visible_to(cast.mediator)
    assert mediation in cw.mediations_visible_to(cast.auditor)
    assert mediation in cw.mediations_visible_to(cast.leader)
    for outsider in (cast.handler, cast.luohu_op, cast.resident, cast.outsider, cast.op_street):
        assert mediation not in cw.mediations_visible_to(outsider)
    assert not cw.may_work(cast.auditor, mediation)
    with pytest.raises(PermissionDenied):
        cw.session_schedule(mediation=mediation, actor=cast.auditor, scheduled_at=timezone.now() + timedelta(days=1),
                            place="调解室")


def test_extension_needs_both_parties_consent_and_a_reason(cast, dispute):
    mediation = _open(cast, dispute)
    due = mediation.due_at
    with pytest.raises(ValidationError) as err:
        cw.mediation_extend(mediation=mediation, actor=cast.mediator, days=10, reason="",
                            applicant_consents=True, respondent_consents=False)
    assert {"consent", "reason"} <= set(err.value.message_dict)
    mediation.refresh_from_db()
    assert mediation.due_at == due and not mediation.extended_with_consent
    cw.mediation_extend(mediation=mediation, actor=cast.mediator, days=10, reason="等待房屋鉴定结果",
                        applicant_consents=True, respondent_consents=True)
    mediation.refresh_from_db()
    assert mediation.due_at == due + timedelta(days=10) and mediation.extended_with_consent


def test_no_agreement_needs_a_referral_and_resolves_the_case_not_resolved(cast, dispute):
    mediation = _open(cast, dispute)
    with pytest.raises(ValidationError, match="session"):
        cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.NONE,
                              note="双方分歧较大", referral=Referral.LITIGATION)
    _held(cast, mediation)
    with pytest.raises(ValidationError) as err:
        cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.NONE,
                              note="双方分歧较大")
    assert "referral" in err.value.message_dict
    mediation.refresh_from_db()
    assert mediation.status == Mediation.Status.OPEN
    cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.NONE,
                          note="双方对赔偿金额分歧较大，调解未达成协议。", referral=Referral.LITIGATION)
    mediation.refresh_from_db()
    dispute.refresh_from_db()
    assert mediation.status == Mediation.Status.CONCLUDED and mediation.referral == Referral.LITIGATION
    assert dispute.status == Status.RESOLVED and dispute.outcome == Outcome.NOT_RESOLVED
    resolve = CaseEvent.objects.get(case=dispute, action=Action.RESOLVE)
    assert "调解未达成协议" in resolve.reason and str(Referral.LITIGATION.label) in resolve.reason
    steps = list(CaseEvent.objects.filter(case=dispute, action=Action.MEDIATE).values_list("data__step", flat=True))
    assert steps == ["opened", "session_scheduled", "session_held", "concluded"]
    with pytest.raises(ValidationError, match="concluded"):
        cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=timezone.now() + timedelta(days=1),
                            place="调解室")


def test_oral_agreement_resolves_and_written_needs_an_effective_agreement(cast, dispute):
    mediation = _open(cast, dispute)
    _held(cast, mediation)
    with pytest.raises(ValidationError, match="in effect"):
        cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.AGREEMENT_WRITTEN,
                              note="达成书面协议")
    with pytest.raises(ValidationError) as err:
        cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.AGREEMENT_ORAL,
                              note="")
    assert "note" in err.value.message_dict
    cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.AGREEMENT_ORAL,
                          note="楼上住户于一周内修复防水并赔偿800元。")
    dispute.refresh_from_db()
    assert dispute.status == Status.RESOLVED and dispute.outcome == Outcome.RESOLVED


def test_partial_agreement_and_scheduled_sessions_cancelled(cast, dispute):
    mediation = _open(cast, dispute)
    _held(cast, mediation)
    later = cw.session_schedule(mediation=mediation, actor=cast.mediator,
                                scheduled_at=timezone.now() + timedelta(days=3), place="调解室")
    cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.PARTIAL,
                          note="维修达成一致，赔偿金额未达成一致。", referral=Referral.LITIGATION)
    later.refresh_from_db()
    dispute.refresh_from_db()
    assert later.status == Session.Status.CANCELLED
    assert dispute.outcome == Outcome.PARTLY


def test_withdrawn_leaves_the_case_with_the_committee(cast, dispute):
    mediation = _open(cast, dispute)
    with pytest.raises(ValidationError):
        cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.WITHDRAWN,
                              note="申请人撤回", referral=Referral.LITIGATION)
    cw.mediation_conclude(mediation=mediation, actor=cast.mediator, outcome=MediationOutcome.WITHDRAWN,
                          note="申请人表示双方已自行和解，撤回调解申请。")
    dispute.refresh_from_db()
    assert dispute.status == Status.IN_PROGRESS


def test_a_session_from_a_booking_marks_the_booking(cast, dispute, monkeypatch):
    import sys
    import types

    from fengqiao.mediation.models import Booking

    calls = []
    fake = types.ModuleType("fengqiao.mediation.bookings")
    fake.booking_mark = lambda booking, actor, attended, now=None: calls.append((booking.pk, actor.pk, attended))
    monkeypatch.setitem(sys.modules, "fengqiao.mediation.bookings", fake)
    now = timezone.now()
    booking = Booking.objects.create(mediator=cast.mediator.mediator_profile, starts_at=now + timedelta(minutes=30),
                                     ends_at=now + timedelta(minutes=90), name="王小梅", phone="13800138000",
                                     matter="楼上漏水", case=dispute)
    mediation = _open(cast, dispute, booking=booking)
    assert mediation.source == "booking"
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=booking.starts_at,
                                  place="调解室", booking=booking)
    cw.session_hold(session=session, actor=cast.mediator, attendees=[cw.AttendeeInput(party=dispute.parties.first())],
                    record="当面听取意见。")
    assert calls == [(booking.pk, cast.mediator.pk, True)]


def test_holding_a_session_marks_the_real_booking_attended(cast, dispute):
    from fengqiao.mediation.models import Booking

    now = timezone.now()
    booking = Booking.objects.create(mediator=cast.mediator.mediator_profile, starts_at=now + timedelta(minutes=5),
                                     ends_at=now + timedelta(minutes=65), name="王小梅", phone="13800138000",
                                     matter="楼上漏水", case=dispute)
    mediation = _open(cast, dispute, booking=booking)
    session = cw.session_schedule(mediation=mediation, actor=cast.mediator, scheduled_at=booking.starts_at,
                                  place="调解室", booking=booking)
    cw.session_hold(session=session, actor=cast.mediator, attendees=[cw.AttendeeInput(party=dispute.parties.first())],
                    record="当面听取意见。", at=booking.starts_at + timedelta(minutes=30))
    booking.refresh_from_db()
    session.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED and session.status == Session.Status.HELD
