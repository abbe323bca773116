"""The mediation agreement through its services: drawing up (parties from the case, numbering), signing and the
rule of effect, the oral form, follow-up visits, the scan, voiding — and every refusal leaving nothing written."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent, Party, ServiceType
from fengqiao.cases.public import public_timeline
from fengqiao.cases.workflow import Action
from fengqiao.mediation import agreements as svc
from fengqiao.mediation import rules
from fengqiao.mediation.models import Agreement, AgreementParty, FollowUp, Mediation, TeamMember, TeamRole
from fengqiao.org.services import staff_user_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the platform's default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield

TERMS = [
    {"content": "李建国赔偿王小梅维修费", "manner": "银行转账", "due_on": None, "amount": "3500"},
    {"content": "李建国于一周内修复卫生间防水层", "manner": "自行委托施工", "due_on": None, "amount": None},
]


def make_dispute(cast, org, make_case, *, parties=True):
    party_rows = [
        cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000",
                      id_type=Party.IdType.RESIDENT_ID, id_number="440311199001011228"),
        cs.PartyInput(role=Party.PartyRole.RESPONDENT, name="李建国", phone="13900139000"),
    ] if parties else []
    case = make_case(service_type=ServiceType.MEDIATION, title="楼上漏水纠纷",
                     description="楼上住户卫生间漏水，多次协商未果，要求赔偿维修费用。", parties=party_rows)
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_escalate(case=case, actor=cast.op_community, reason="需街道调委会调解")
    cs.case_dispatch(case=case, actor=cast.op_street, unit=org.mediation)
    now = timezone.now()
    return Mediation.objects.create(case=case, unit=org.mediation, mediator=cast.mediator, facts=case.description,
                                    matters=case.title, opened_at=now, due_at=now + timedelta(days=30))


@pytest.fixture
def mediation(cast, org, make_case):
    return make_dispute(cast, org, make_case)


def draft(mediation, actor, **overrides):
    today = timezone.localdate()
    terms = [dict(t) for t in TERMS]
    terms[0]["due_on"] = today + timedelta(days=10)
    terms[1]["due_on"] = today + timedelta(days=7)
    fields = {"facts": "2026年11月，楼上卫生间漏水致楼下天花板受损。", "matters": "维修费用的承担。",
              "responsibilities": "楼上住户对漏水负主要责任。", "terms": terms}
    fields.update(overrides)
    return svc.agreement_draft(mediation=mediation, actor=actor, **fields)


def sign_all(agreement, actor):
    for party in agreement.parties.all():
        svc.agreement_sign_party(agreement_party=party, actor=actor, signed_by=AgreementParty.SignedBy.SIGNATURE)
    svc.agreement_sign_mediator(agreement=agreement, actor=actor)
    return svc.agreement_seal(agreement=agreement, actor=actor)


def steps(case) -> list[str]:
    return [(e.data or {}).get("step") for e in CaseEvent.objects.filter(case=case, action=Action.MEDIATE).order_by("seq")]


# --- rules ---------------------------------------------------------------------------------------------------


def test_the_number_reads_like_the_committees_register():
    prefix = rules.agreement_number_prefix("光明街道人民调解委员会")
    assert prefix == "光明"
    assert rules.agreement_number(prefix, 2026, 1) == "光明调字〔2026〕第0001号"
    assert rules.agreement_seq_of("光明调字〔2026〕第0012号") == 12
    assert rules.agreement_number_prefix("凤凰社区人民调解委员会") == "凤凰"


def test_the_rule_of_effect():
    effect = rules.agreement_takes_effect
    assert effect(form="written", parties_signed=[True, True], mediator_signed=True, sealed=True)
    assert not effect(form="written", parties_signed=[True, False], mediator_signed=True, sealed=True)
    assert not effect(form="written", parties_signed=[True, True], mediator_signed=False, sealed=True)
    assert not effect(form="written", parties_signed=[True, True], mediator_signed=True, sealed=False)
    assert not effect(form="written", parties_signed=[], mediator_signed=True, sealed=True)
    assert effect(form="oral", parties_signed=[False], mediator_signed=True, sealed=False)


def test_follow_up_dates_follow_the_terms():
    on = date(2026, 12, 1)
    assert rules.followup_dates(on, [None]) == [date(2026, 12, 31)]
    assert rules.followup_dates(on, [date(2026, 12, 10), date(2026, 12, 5)]) == [date(2026, 12, 8), date(2026, 12, 13)]
    assert rules.followup_dates(on, [date(2026, 12, 5), None]) == [date(2026, 12, 8)]
    assert rules.followup_again(on, "performed") is None
    assert rules.followup_again(on, "partly") == date(2026, 12, 16)


def test_sex_is_read_from_a_resident_id_number_only():
    assert rules.sex_from_id("resident_id", "440311199001011228") == "女"
    assert rules.sex_from_id("resident_id", "440311199001011218") == "男"
    assert rules.sex_from_id("passport", "E12345678") == ""


# --- drawing up ----------------------------------------------------------------------------------------------


def test_drawing_up_copies_the_parties_and_numbers_the_agreement(cast, mediation):
    agreement = draft(mediation, cast.mediator, addresses={mediation.case.parties.get(name="王小梅").pk: "光明街道华夏路1号"})
    year = timezone.localtime().year
    assert agreement.number == f"光明调字〔{year}〕第0001号"
    assert agreement.status == Agreement.Status.DRAFT and len(agreement.verification_code) == 12
    parties = {p.name: p for p in agreement.parties.all()}
    assert parties["王小梅"].role == "applicant" and parties["王小梅"].id_number == "440311199001011228"
    assert parties["王小梅"].address == "光明街道华夏路1号" and parties["李建国"].role == "respondent"
    assert [t.seq for t in agreement.terms.all()] == [1, 2] and agreement.terms.get(seq=1).amount == 3500
    assert steps(mediation.case) == ["agreement_drafted"]


def test_numbers_run_per_committee_and_year(cast, org, make_case, mediation):
    first = draft(mediation, cast.mediator)
    second = draft(make_dispute(cast, org, make_case), cast.mediator)
    assert rules.agreement_seq_of(first.number) == 1 and rules.agreement_seq_of(second.number) == 2
    next_year = timezone.now() + timedelta(days=366)
    third = draft(make_dispute(cast, org, make_case), cast.mediator, at=next_year, terms=[{"content": "道歉"}])
    assert third.number == f"光明调字〔{timezone.localtime(next_year).year}〕第0001号"


def test_two_drawn_up_at_once_get_different_numbers(cast, org, make_case, mediation, monkeypatch):
    """The second writer read the number before the first wrote: the unique number refuses its insert, and it
    reads again and takes the next one."""
    first = draft(mediation, cast.mediator)
    real = svc._last_number
    calls = {"n": 0}

    def stale(head):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(head)  # the first read misses the agreement just written

    monkeypatch.setattr(svc, "_last_number", stale)
    second = draft(make_dispute(cast, org, make_case), cast.mediator)
    assert calls["n"] == 2 and second.number != first.number and rules.agreement_seq_of(second.number) == 2


def test_an_agreement_needs_parties_and_terms(cast, org, make_case, mediation):
    with pytest.raises(ValidationError) as no_terms:
        draft(mediation, cast.mediator, terms=[{"content": "  "}])
    assert "terms" in no_terms.value.message_dict
    bare = make_dispute(cast, org, make_case, parties=False)
    with pytest.raises(ValidationError) as no_parties:
        draft(bare, cast.mediator)
    assert "parties" in no_parties.value.message_dict
    with pytest.raises(ValidationError):
        draft(mediation, cast.mediator, facts=" ")
    assert not Agreement.objects.exists() and steps(mediation.case) == []


def test_a_term_due_in_the_past_or_with_a_negative_sum_is_refused(cast, mediation):
    with pytest.raises(ValidationError, match="before today"):
        draft(mediation, cast.mediator, terms=[{"content": "赔偿", "due_on": timezone.localdate() - timedelta(days=1)}])
    with pytest.raises(ValidationError, match="negative"):
        draft(mediation, cast.mediator, terms=[{"content": "赔偿", "amount": "-5"}])
    assert not Agreement.objects.exists()


def test_only_the_mediation_team_draws_up(cast, org, mediation):
    for outsider in (cast.outsider, cast.handler, cast.op_street, cast.auditor, cast.court):
        with pytest.raises(PermissionDenied):
            draft(mediation, outsider)
    colleague = staff_user_create(username="t_mediator_b", password="x-Pass-2026-x", name="调解员乙",
                                  memberships=[(org.mediation, "mediator")])
    with pytest.raises(PermissionDenied):
        draft(mediation, colleague)  # a mediator of the committee, but not on this mediation's team
    TeamMember.objects.create(mediation=mediation, user=colleague, role=TeamRole.LAWYER)
    assert draft(mediation, colleague).created_by == colleague


def test_a_draft_can_be_edited_until_someone_signs(cast, mediation):
    agreement = draft(mediation, cast.mediator)
    party = agreement.parties.get(name="李建国")
    svc.agreement_update(agreement=agreement, actor=cast.mediator, facts="改", matters="改", responsibilities="改",
                         terms=[{"content": "只剩一条"}], addresses={party.pk: "光明街道东周路8号"})
    agreement.refresh_from_db()
    party.refresh_from_db()
    assert agreement.facts == "改" and agreement.terms.count() == 1 and party.address == "光明街道东周路8号"
    svc.agreement_sign_party(agreement_party=party, actor=cast.mediator, signed_by="fingerprint")
    with pytest.raises(ValidationError, match="signing has begun"):
        svc.agreement_update(agreement=agreement, actor=cast.mediator, facts="再改", matters="改",
                             responsibilities="改", terms=[{"content": "x"}])


# --- signing and effect --------------------------------------------------------------------------------------


def test_it_takes_effect_when_everyone_has_signed_and_it_is_sealed(cast, mediation):
    agreement = draft(mediation, cast.mediator)
    parties = list(agreement.parties.all())
    svc.agreement_sign_party(agreement_party=parties[0], actor=cast.mediator, signed_by="signature")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNING
    svc.agreement_sign_mediator(agreement=agreement, actor=cast.mediator)
    svc.agreement_seal(agreement=agreement, actor=cast.mediator)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNING and agreement.effective_at is None
    assert not agreement.follow_ups.exists()
    svc.agreement_sign_party(agreement_party=parties[1], actor=cast.mediator, signed_by="seal")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EFFECTIVE and agreement.effective_at is not None
    today = timezone.localdate()
    assert [f.due_on for f in agreement.follow_ups.all()] == [today + timedelta(days=10), today + timedelta(days=13)]
    labels = [e.label for e in public_timeline(mediation.case)]
    assert "The mediation agreement has been signed and is in effect" in labels
    assert steps(mediation.case)[-1] == "agreement_effective"


def test_signing_twice_is_refused_and_writes_nothing(cast, mediation):
    agreement = draft(mediation, cast.mediator)
    party = agreement.parties.first()
    svc.agreement_sign_party(agreement_party=party, actor=cast.mediator, signed_by="signature")
    before = CaseEvent.objects.filter(case=mediation.case).count()
    with pytest.raises(ValidationError, match="already signed"):
        svc.agreement_sign_party(agreement_party=party, actor=cast.mediator, signed_by="seal")
    party.refresh_from_db()
    assert party.signed_by == "signature"
    svc.agreement_sign_mediator(agreement=agreement, actor=cast.mediator)
    with pytest.raises(ValidationError, match="already signed"):
        svc.agreement_sign_mediator(agreement=agreement, actor=cast.mediator)
    svc.agreement_seal(agreement=agreement, actor=cast.mediator)
    with pytest.raises(ValidationError, match="already"):
        svc.agreement_seal(agreement=agreement, actor=cast.mediator)
    assert CaseEvent.objects.filter(case=mediation.case).count() == before + 2


def test_only_the_lead_mediator_signs_as_mediator_and_the_committee_seals(cast, org, mediation):
    agreement = draft(mediation, cast.mediator)
    lawyer = staff_user_create(username="t_lawyer_b", password="x-Pass-2026-x", name="律师",
                               memberships=[(org.mediation, "mediator")])
    TeamMember.objects.create(mediation=mediation, user=lawyer, role=TeamRole.LAWYER)
    with pytest.raises(PermissionDenied):
        svc.agreement_sign_mediator(agreement=agreement, actor=lawyer)
    with pytest.raises(PermissionDenied):
        svc.agreement_seal(agreement=agreement, actor=cast.handler)
    svc.agreement_seal(agreement=agreement, actor=lawyer)  # a mediator of the committee records its seal
    with pytest.raises(ValidationError):
        svc.agreement_sign_party(agreement_party=agreement.parties.first(), actor=cast.mediator, signed_by="ink")


def test_an_oral_agreement_takes_effect_when_the_mediator_records_it(cast, mediation):
    agreement = draft(mediation, cast.mediator, form=Agreement.Form.ORAL, terms=[{"content": "互相道歉，不再追究"}])
    with pytest.raises(ValidationError, match="oral agreement is not signed"):
        svc.agreement_sign_party(agreement_party=agreement.parties.first(), actor=cast.mediator, signed_by="signature")
    svc.agreement_record_oral(agreement=agreement, actor=cast.mediator, note="双方当面口头同意")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EFFECTIVE and agreement.mediator_signed_at is not None
    assert agreement.follow_ups.get().due_on == timezone.localdate() + timedelta(days=30)
    assert steps(mediation.case)[-2:] == ["agreement_oral_recorded", "agreement_effective"]
    with pytest.raises(ValidationError, match="already recorded"):
        svc.agreement_record_oral(agreement=agreement, actor=cast.mediator)


def test_a_written_agreement_is_not_made_effective_by_an_oral_record(cast, mediation):
    agreement = draft(mediation, cast.mediator)
    with pytest.raises(ValidationError):
        svc.agreement_record_oral(agreement=agreement, actor=cast.mediator)


# --- follow-ups, scan, void ----------------------------------------------------------------------------------


def test_follow_up_visits_record_performance(cast, mediation):
    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    first, last = agreement.follow_ups.all()
    svc.followup_record(followup=first, actor=cast.mediator, performance=FollowUp.Performance.PARTLY, note="已修防水")
    assert agreement.terms.filter(performed_at__isnull=False).count() == 0
    assert agreement.follow_ups.filter(done_at__isnull=True).count() == 1  # the later visit stands; no extra one
    with pytest.raises(ValidationError, match="already recorded"):
        svc.followup_record(followup=first, actor=cast.mediator, performance="performed")
    svc.followup_record(followup=last, actor=cast.mediator, performance=FollowUp.Performance.NOT_PERFORMED)
    again = agreement.follow_ups.get(done_at__isnull=True)
    assert again.due_on == timezone.localdate() + rules.FOLLOWUP_AGAIN
    svc.followup_record(followup=again, actor=cast.mediator, performance=FollowUp.Performance.PERFORMED)
    assert agreement.terms.filter(performed_at__isnull=True).count() == 0
    assert not agreement.follow_ups.filter(done_at__isnull=True).exists()
    labels = [e.label for e in public_timeline(mediation.case)]
    assert "Follow-up visit: the mediation agreement has been performed" in labels
    with pytest.raises(PermissionDenied):
        svc.followup_record(followup=FollowUp.objects.create(agreement=agreement, due_on=date.today()),
                            actor=cast.op_street, performance="performed")


def test_overdue_visits_are_listed_for_those_who_see_the_case(cast, mediation):
    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    later = timezone.localdate() + timedelta(days=20)
    assert [f.pk for f in svc.followups_overdue(cast.mediator, later)] == [f.pk for f in agreement.follow_ups.all()]
    assert not svc.followups_overdue(cast.mediator).exists()
    assert not svc.followups_overdue(cast.luohu_op, later).exists()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_scan_is_judged_by_its_content_and_kept_with_its_fingerprint(cast, mediation, settings, tmp_path):
    import hashlib

    settings.MEDIA_ROOT = tmp_path
    agreement = draft(mediation, cast.mediator)
    with pytest.raises(ValidationError, match="PDF, JPG or PNG"):
        svc.agreement_attach_scan(agreement=agreement, actor=cast.mediator,
                                  upload=SimpleUploadedFile("scan.pdf", b"not really a pdf at all"))
    data = _png()
    svc.agreement_attach_scan(agreement=agreement, actor=cast.mediator, upload=SimpleUploadedFile("x.pdf", data))
    agreement.refresh_from_db()
    assert agreement.scan.name.endswith(".png") and agreement.scan_sha256 == hashlib.sha256(data).hexdigest()
    assert steps(mediation.case)[-1] == "agreement_scan_attached"


def test_voiding_needs_a_reason_and_cancels_the_visits(cast, mediation):
    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    with pytest.raises(ValidationError):
        svc.agreement_void(agreement=agreement, actor=cast.mediator, reason=" ")
    svc.agreement_void(agreement=agreement, actor=cast.mediator, reason="当事人受胁迫签署，协议无效")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.VOID and not agreement.follow_ups.exists()
    assert "The mediation agreement was voided" in [e.label for e in public_timeline(mediation.case)]
    with pytest.raises(ValidationError):
        svc.agreement_void(agreement=agreement, actor=cast.mediator, reason="again")


def test_the_mediator_is_reminded_of_due_visits_once(cast, mediation):
    from fengqiao.notifications.models import Notification

    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    first = agreement.follow_ups.first()
    assert svc.followup_send_reminders(first.due_on - timedelta(days=1)) == 0
    assert svc.followup_send_reminders(first.due_on) == 1
    assert svc.followup_send_reminders(first.due_on) == 0  # a second run tells nobody twice
    assert svc.followup_send_reminders(first.due_on + timedelta(days=1)) == 1  # now overdue: one more notice
    notice = Notification.objects.filter(recipient=cast.mediator, kind="agreement_followup").latest("id")
    assert agreement.number in notice.title
