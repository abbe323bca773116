"""Judicial confirmation, referrals and linkages through their services: the happy paths, the clocks (time
machine), the bad input refused with nothing written, and the timeline the resident sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fengqiao.cases.models import CaseEvent, Party
from fengqiao.cases.public import public_timeline
from fengqiao.cases.services import PartyInput
from fengqiao.legal import services as ls
from fengqiao.legal.linkages import (
    linkage_accept,
    linkage_conclude,
    linkage_return,
    linkage_send,
    pre_litigation_report,
    pre_litigation_send,
    referral_decide,
    referral_receive,
    referral_send,
)
from fengqiao.legal.models import ConfirmationApplication, Linkage, LinkageKind, MatterType, Referral, ReferralKind
from fengqiao.legal.tasks import legal_sweep
from fengqiao.mediation.models import Mediation, MediationOutcome, MediationSource
from fengqiao.notifications.models import Notification
from fengqiao.org.models import OrgUnit, Region

pytestmark = pytest.mark.django_db
S = ConfirmationApplication.Status


def legal_steps(case) -> list[str]:
    return [e.data.get("step") for e in CaseEvent.objects.filter(case=case, action="legal").order_by("seq")]


def test_one_action_files_the_application_with_the_suggested_court_and_materials(agreement, cast, org):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    assert app.status == S.FILED and app.court == org.court and app.court_suggested == org.court
    assert [m["item"] for m in app.materials].count("identity") == 2
    assert {m["item"] for m in app.materials} >= {"application", "agreement", "identity", "service_address", "property"}
    assert app.court_reasons[0]["args"]["court"] == "光明区法院"
    assert not app.late and app.accept_due_at > app.filed_at
    assert legal_steps(agreement.mediation.case) == ["confirmation_filed"]
    assert Notification.objects.filter(recipient=cast.court, key=f"legal:app:{app.pk}:filed").exists()


def test_the_resident_sees_the_progress_in_their_language(agreement, cast):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    ls.application_accept(application=app, actor=cast.court)
    ls.application_rule(application=app, actor=cast.court, confirmed=True, ruling_number="(2026)粤0311民特88号")
    case = agreement.mediation.case
    with translation.override("zh-hans"):
        labels = [e.label for e in public_timeline(case)]
    assert "司法确认申请已提交光明区法院" in labels
    assert "法院已确认调解协议有效，可申请强制执行" in labels
    with translation.override("en"):
        labels = [e.label for e in public_timeline(case)]
    assert "Application for judicial confirmation filed with 光明区法院" in labels


def test_court_accepts_and_confirms_within_its_clocks(agreement, cast):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    app = ls.application_accept(application=app, actor=cast.court, court_case_number="(2026)粤0311民特88号")
    assert app.status == S.ACCEPTED and app.decide_due_at > app.accepted_at
    app = ls.application_rule(application=app, actor=cast.court, confirmed=True, ruling_number="(2026)粤0311民特88号",
                              ruling_date=timezone.localdate())
    assert app.status == S.CONFIRMED
    with translation.override("en"):
        assert "Confirmed as valid by 光明区法院" in ls.confirmation_status(agreement)
    assert legal_steps(agreement.mediation.case) == ["confirmation_filed", "confirmation_accepted",
                                                     "confirmation_confirmed"]


def test_a_ruling_before_acceptance_is_refused_and_nothing_written(agreement, cast):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        ls.application_rule(application=app, actor=cast.court, confirmed=True, ruling_number="(2026)粤0311民特1号")
    assert "not accepted this application yet" in str(err.value)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        ls.application_rule(application=app, actor=cast.court, confirmed=True, ruling_number="(2026)粤0311民特1号")
    assert "受理" in str(err.value)
    app.refresh_from_db()
    assert app.status == S.FILED and app.ruling_number == ""
    assert legal_steps(agreement.mediation.case) == ["confirmation_filed"]


def test_only_a_clerk_of_that_court_decides(agreement, cast):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    for user in (cast.mediator, cast.op_district, cast.auditor, cast.outsider):
        with pytest.raises(PermissionDenied):
            ls.application_accept(application=app, actor=user)


def test_only_a_mediator_on_the_case_files(agreement, cast):
    for user in (cast.court, cast.op_community, cast.outsider, cast.auditor):
        with pytest.raises(PermissionDenied):
            ls.application_file(agreement=agreement, actor=user)
    assert not ConfirmationApplication.objects.exists()


def test_a_second_live_application_is_refused(agreement, cast):
    ls.application_file(agreement=agreement, actor=cast.mediator)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        ls.application_file(agreement=agreement, actor=cast.mediator)
    assert "second one" in str(err.value)
    assert ConfirmationApplication.objects.filter(agreement=agreement).count() == 1


def test_marriage_identity_adoption_are_refused_with_the_rule(agreement_maker, cast):
    divorce = agreement_maker(text="双方自愿离婚。")
    with translation.override("en"), pytest.raises(ValidationError) as err:
        ls.application_file(agreement=divorce, actor=cast.mediator, matter_type=MatterType.CIVIL)
    assert "art. 4" in str(err.value) and "自愿离婚" in str(err.value)
    plain = agreement_maker()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        ls.application_file(agreement=plain, actor=cast.mediator, matter_type=MatterType.ADOPTION)
    assert "第四条" in str(err.value)
    assert not ConfirmationApplication.objects.exists()
    assert not CaseEvent.objects.filter(action="legal").exists()


def test_after_30_days_only_with_acknowledged_warning_and_reason(agreement_maker, cast):
    old = agreement_maker(effective_at=timezone.now() - timedelta(days=45))
    with translation.override("en"), pytest.raises(ValidationError) as err:
        ls.application_file(agreement=old, actor=cast.mediator)
    assert "30 days" in str(err.value)
    with pytest.raises(ValidationError):
        ls.application_file(agreement=old, actor=cast.mediator, late_acknowledged=True, late_reason="  ")
    assert not ConfirmationApplication.objects.exists()
    app = ls.application_file(agreement=old, actor=cast.mediator, late_acknowledged=True,
                              late_reason="当事人外出务工，返深后才能共同申请")
    assert app.late and app.late_reason


def test_a_court_that_is_not_a_court_is_refused(agreement, cast, org):
    with pytest.raises(ValidationError) as err:
        ls.application_file(agreement=agreement, actor=cast.mediator, court=org.hr)
    assert "court" in err.value.message_dict


def test_the_inviting_court_is_suggested_for_a_pre_litigation_mediation(agreement_maker, cast, org):
    agreement = agreement_maker(source=MediationSource.COURT)
    suggestion = ls.suggest_court_for(agreement)
    assert suggestion.court.id == org.court.pk and "invited" in suggestion.reasons[0]["msg"]


def test_clocks_with_the_time_machine_and_idempotent_reminders(agreement, cast):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 2, 10, 0)), tick=False):
        agreement.effective_at = timezone.now() - timedelta(days=1)
        agreement.save(update_fields=["effective_at"])
        app = ls.application_file(agreement=agreement, actor=cast.mediator)
        assert timezone.localtime(app.accept_due_at).date() == date(2026, 11, 5)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 5, 12, 0)), tick=False):
        clocks = ls.application_clocks(app)
        assert clocks[1].state == "soon"
        first = legal_sweep()
        assert first["reminders"] >= 1
        assert legal_sweep()["reminders"] == 0  # idempotent
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 9, 12, 0)), tick=False):
        assert ls.application_clocks(app)[1].state == "overdue"
        legal_sweep()
        assert Notification.objects.filter(recipient=cast.court, key=f"legal:app:{app.pk}:accept:overdue").exists()
        app = ls.application_accept(application=app, actor=cast.court)
        assert timezone.localtime(app.decide_due_at).date() == date(2026, 11, 24)
        app = ls.application_extend(application=app, actor=cast.court, approved_by="院长 赵某", reason="需要补充材料")
        assert timezone.localtime(app.decide_due_at).date() == date(2026, 12, 4)
        with pytest.raises(ValidationError):
            ls.application_extend(application=app, actor=cast.court, approved_by="院长 赵某", reason="再延")


def test_refused_goes_back_to_mediation_or_to_litigation(agreement_maker, cast, org):
    first = agreement_maker()
    app = ls.application_file(agreement=first, actor=cast.mediator)
    ls.application_accept(application=app, actor=cast.court)
    with pytest.raises(ValidationError):
        ls.application_rule(application=app, actor=cast.court, confirmed=False, ruling_number="(2026)粤0311民特9号")
    ls.application_rule(application=app, actor=cast.court, confirmed=False, ruling_number="(2026)粤0311民特9号",
                        reason="协议内容不明确，无法确认")
    mediation = ls.application_after_refusal(application=app, actor=cast.mediator, route="remediation")
    assert isinstance(mediation, Mediation) and mediation.source == MediationSource.REMEDIATION
    with pytest.raises(ValidationError):
        ls.application_after_refusal(application=app, actor=cast.mediator, route="litigation")
    second = agreement_maker()
    app2 = ls.application_file(agreement=second, actor=cast.mediator)
    ls.application_accept(application=app2, actor=cast.court)
    ls.application_rule(application=app2, actor=cast.court, confirmed=False, ruling_number="(2026)粤0311民特10号",
                        reason="违反法律强制性规定")
    referral = ls.application_after_refusal(application=app2, actor=cast.mediator, route="litigation")
    assert isinstance(referral, Referral) and referral.to_unit == org.court and referral.kind == ReferralKind.LITIGATION


def test_referral_to_arbitration_tracked_to_its_outcome(agreement, cast, arbitration, org):
    case = agreement.mediation.case
    with pytest.raises(ValidationError):
        referral_send(case=case, actor=cast.mediator, kind=ReferralKind.ARBITRATION, to_unit=org.court)
    referral = referral_send(case=case, actor=cast.mediator, kind=ReferralKind.ARBITRATION, to_unit=arbitration)
    assert referral.summary and referral.status == Referral.Status.SENT
    with pytest.raises(ValidationError):
        referral_decide(referral=referral, actor=cast.mediator, outcome="award", result="裁决支付工资")
    referral_receive(referral=referral, actor=cast.mediator, reference="光劳人仲案〔2026〕123号")
    referral_decide(referral=referral, actor=cast.mediator, outcome="award", result="裁决公司支付拖欠工资42000元")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECIDED and referral.decided_at
    with pytest.raises(PermissionDenied):
        referral_receive(referral=referral, actor=cast.outsider)


def test_linkage_to_a_unit_of_the_wrong_kind_is_refused(agreement, cast, org):
    case = agreement.mediation.case
    with translation.override("en"), pytest.raises(ValidationError) as err:
        linkage_send(kind=LinkageKind.POLICE, case=case, from_unit=org.mediation, to_unit=org.court,
                     actor=cast.mediator, note="需要派出所协助")
    assert "光明区法院" in str(err.value)
    assert not Linkage.objects.exists()


def test_linkage_accept_return_outcome(agreement, cast, org):
    case = agreement.mediation.case
    police = OrgUnit.objects.get(name="深圳市公安局光明分局")
    link = linkage_send(kind=LinkageKind.POLICE, case=case, from_unit=org.mediation, to_unit=police,
                        actor=cast.mediator, note="涉嫌治安案件，移交公安")
    with pytest.raises(PermissionDenied):
        linkage_accept(linkage=link, actor=cast.mediator)  # only the receiving unit
    with pytest.raises(ValidationError):
        linkage_return(linkage=link, actor=cast.mediator, reason="")


def test_court_invites_pre_litigation_mediation_and_gets_the_result_back(cast, org):
    linkage = pre_litigation_send(
        court=org.court, committee=org.mediation, actor=cast.court, title="物业费纠纷（诉前调解）",
        description="物业公司起诉业主拖欠物业费两年共计8600元，法院委派诉前调解。",
        region=Region.objects.get(code="440311001001"), reference="(2026)粤0311诉前调1号",
        parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="某物业公司", kind=Party.Kind.ORGANISATION),
                 PartyInput(role=Party.PartyRole.RESPONDENT, name="陈先生", phone="13600001111")])
    case = linkage.case
    assert case.service_type == "mediation" and case.holder_unit == org.mediation and linkage.pre_litigation
    again = pre_litigation_send(court=org.court, committee=org.mediation, actor=cast.court, title="x",
                                description="重复提交的同一案件", region=case.region,
                                reference="(2026)粤0311诉前调1号")
    assert again.pk == linkage.pk
    linkage = linkage_accept(linkage=linkage, actor=cast.mediator)
    mediation = linkage.mediation
    assert mediation.source == MediationSource.COURT and mediation.mediator == cast.mediator
    assert pre_litigation_report(linkage=linkage) is None  # not concluded yet
    Mediation.objects.filter(pk=mediation.pk).update(status=Mediation.Status.CONCLUDED,
                                                     outcome=MediationOutcome.NONE, outcome_note="业主不同意支付",
                                                     concluded_at=timezone.now())
    assert legal_sweep()["reports"] == 1
    assert legal_sweep()["reports"] == 0
    linkage.refresh_from_db()
    assert linkage.status == Linkage.Status.CONCLUDED and linkage.settled is False and "业主不同意支付" in linkage.outcome
    assert Notification.objects.filter(recipient=cast.court, key=f"legal:linkage:{linkage.pk}:concluded").exists()


def test_linkage_conclude_by_receiver(cast, org):
    linkage = pre_litigation_send(court=org.court, committee=org.mediation, actor=cast.court, title="借款纠纷",
                                  description="民间借贷纠纷，金额2万元，委派调解。",
                                  region=Region.objects.get(code="440311001001"))
    with pytest.raises(ValidationError):
        linkage_conclude(linkage=linkage, actor=cast.mediator, outcome="调解成功", settled=True)  # not accepted
    linkage_accept(linkage=linkage, actor=cast.mediator)
    linkage_conclude(linkage=linkage, actor=cast.mediator, outcome="双方达成还款协议", settled=True)
    assert linkage.status == Linkage.Status.CONCLUDED
