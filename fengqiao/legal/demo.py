"""Demo of the legal routes, made through the services: agreements of the 光明街道 committee at every step of their
judicial confirmation (one ready to file, one waiting for the court, one being decided, one confirmed, one refused and
back in mediation), a wage dispute referred to labour arbitration, and pre-litigation mediations invited by
光明区法院 (one waiting for the committee, one in mediation).

The arbitration commission and the notary office are not in fengqiao/org/data: they are added here with
source "demo-named". Idempotent: a second run finds the demo's marker and does nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.org.models import OrgUnit, Region, UnitKind

COMMITTEE = "光明街道人民调解委员会"
COURT = "光明区法院"
ARBITRATION = "光明区劳动人事争议仲裁委员会"
NOTARY = "深圳市深圳公证处光明办事处"
COMMUNITY = "440311001001"
SOURCE = "demo-legal"


@dataclass(frozen=True)
class Dispute:
    key: str
    title: str
    description: str
    applicant: tuple[str, str, str]
    respondent: tuple[str, str, str]
    facts: str
    matters: str
    responsibilities: str
    terms: tuple[tuple[str, str, str | None, int], ...]  # content, manner, amount, days to perform
    effective_days_ago: int
    stage: str  # ready | filed | accepted | confirmed | refused


DISPUTES = [
    Dispute("jc-ready", "楼上漏水损坏天花板赔偿纠纷", "碧眼新村3栋502卫生间漏水，导致402天花板和墙面发霉脱落，双方就维修费用协商不成。",
            ("王丽华", "13925370142", "440311198507123026"), ("陈志明", "13760218845", "440311197911054518"),
            "502室卫生间防水层老化渗漏，致402室天花板、墙面受损，经现场查看属实。", "维修费用及损失赔偿。",
            "502室业主对漏水负主要责任；402室业主未及时告知，负次要责任。",
            (("陈志明负责修复502室卫生间防水层", "委托物业维修", None, 15),
             ("陈志明赔偿王丽华维修费用人民币4800元", "银行转账", "4800", 10)), 2, "ready"),
    Dispute("jc-filed", "装修噪音及损坏公共楼道赔偿纠纷", "东周小区1栋住户装修期间损坏楼道瓷砖和墙面，邻居要求恢复原状并赔偿。",
            ("刘春梅", "13826547710", "440311199203184427"), ("黄伟强", "15017736652", "440311198812063319"),
            "黄伟强装修期间搬运建材损坏1栋3楼楼道瓷砖12块及墙面。", "恢复原状的方式和费用。", "黄伟强承担全部责任。",
            (("黄伟强赔偿楼道修复费用人民币2600元", "现金交付物业代收", "2600", 7),), 5, "filed"),
    Dispute("jc-accepted", "租房押金退还纠纷", "租客退租后房东以墙面污损为由拒退押金6000元，双方争执。",
            ("赵海燕", "13612870035", "440311199506287722"), ("周国平", "13590224471", "440311197603151135"),
            "租期届满租客退房，房东以墙面污损为由扣留押金6000元。", "押金是否应全部退还。",
            "墙面污损属正常使用损耗，房东应退还大部分押金。",
            (("周国平退还赵海燕押金人民币5200元", "微信转账", "5200", 3),), 9, "accepted"),
    Dispute("jc-confirmed", "交通事故人身损害赔偿纠纷", "电动自行车与行人相撞致行人骨折，双方就医疗费、误工费赔偿达成一致意向。",
            ("孙桂英", "13480251193", "440311196809210046"), ("马建军", "18926630718", "440311199011253313"),
            "马建军驾驶电动自行车在光明大街与步行的孙桂英相撞，致其右腿骨折，交警认定马建军负全部责任。",
            "医疗费、误工费、护理费和营养费的数额。", "马建军负全部责任。",
            (("马建军赔偿孙桂英医疗费、误工费、护理费等共计人民币38600元", "分两期银行转账", "38600", 30),), 16, "confirmed"),
    Dispute("jc-refused", "合伙经营店铺散伙分配纠纷", "两人合伙经营的奶茶店散伙，对设备和剩余货款分配发生争议。",
            ("郭晓敏", "13728856602", "440311199304126624"), ("罗志刚", "13510647729", "440311198906305516"),
            "双方合伙经营奶茶店两年，现决定散伙，店内设备及剩余货款约5万元。", "设备归属及货款分配。", "双方责任相当。",
            (("店内设备归罗志刚所有，罗志刚另行补偿郭晓敏", "协商", None, 20),), 24, "refused"),
]


def _units() -> tuple[OrgUnit, OrgUnit]:
    from fengqiao.org.services import unit_save

    district = Region.objects.get(code="440311")
    centre = OrgUnit.objects.get(name="光明区群众诉求服务大厅")
    arbitration = unit_save(name=ARBITRATION, kind=UnitKind.ARBITRATION, region=district, parent=centre,
                            domain_hint="labour and personnel disputes", source="demo-named")
    notary = unit_save(name=NOTARY, kind=UnitKind.JUSTICE, region=district, parent=centre,
                       domain_hint="notary (证调)", source="demo-named")
    return arbitration, notary


def _dispute_case(*, key: str, title: str, description: str, applicant, respondent, at: datetime,
                  committee: OrgUnit, amount: Decimal | None = None) -> Case:
    parties = [cs.PartyInput(role=Party.PartyRole.APPLICANT, name=applicant[0], phone=applicant[1],
                             id_type=Party.IdType.RESIDENT_ID if applicant[2] else "", id_number=applicant[2]),
               cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=respondent[0], phone=respondent[1],
                             kind=Party.Kind.PERSON if respondent[2] else Party.Kind.ORGANISATION,
                             id_type=Party.IdType.RESIDENT_ID if respondent[2] else "", id_number=respondent[2])]
    case = cs.case_submit(channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title=title,
                          description=description, region=Region.objects.get(code=COMMUNITY), parties=parties,
                          amount=amount, source_system=SOURCE, source_id=key, submitted_at=at)
    cs.case_accept(case=case, actor=None, at=at + timedelta(minutes=20))
    cs.case_dispatch(case=case, actor=None, unit=committee, note="纠纷类，派人民调解委员会调解",
                     at=at + timedelta(hours=1))
    return case


def _effective_agreement(d: Dispute, *, mediator, committee: OrgUnit, now: datetime):
    from fengqiao.mediation import agreements as ag
    from fengqiao.mediation import casework as cw

    effective = now - timedelta(days=d.effective_days_ago, hours=3)
    came_in = effective - timedelta(days=6)
    case = _dispute_case(key=d.key, title=d.title, description=d.description, applicant=d.applicant,
                         respondent=d.respondent, at=came_in, committee=committee)
    mediation = cw.mediation_open(case=case, actor=mediator, at=came_in + timedelta(days=1))
    from fengqiao.mediation.models import MediationOutcome, MeetingMode

    held = came_in + timedelta(days=3)
    session = cw.session_schedule(mediation=mediation, actor=mediator, scheduled_at=held, mode=MeetingMode.IN_PERSON,
                                  place="光明街道人民调解室", at=came_in + timedelta(days=1))
    attendees = [cw.AttendeeInput(party=p) for p in case.parties.order_by("id")] + [cw.AttendeeInput(user=mediator)]
    cw.session_hold(session=session, actor=mediator, attendees=attendees, at=held,
                    record="双方当事人到场陈述纠纷经过；调解员释明法律规定，双方同意协商解决。")
    addresses = {p.pk: f"深圳市光明区光明街道碧眼新村{i + 3}栋" for i, p in enumerate(case.parties.order_by("id"))}
    terms = [{"content": c, "manner": m, "amount": Decimal(a) if a else None,
              "due_on": (effective + timedelta(days=days)).date()} for c, m, a, days in d.terms]
    drawn = effective - timedelta(hours=2)
    agreement = ag.agreement_draft(mediation=mediation, actor=mediator, facts=d.facts, matters=d.matters,
                                   responsibilities=d.responsibilities, terms=terms, addresses=addresses, at=drawn)
    for party in agreement.parties.all():
        ag.agreement_sign_party(agreement_party=party, actor=mediator, signed_by="signature",
                                at=effective - timedelta(minutes=30))
    ag.agreement_sign_mediator(agreement=agreement, actor=mediator, at=effective - timedelta(minutes=10))
    ag.agreement_seal(agreement=agreement, actor=mediator, at=effective)
    cw.mediation_conclude(mediation=mediation, actor=mediator, outcome=MediationOutcome.AGREEMENT_WRITTEN,
                          note="双方达成书面调解协议。", at=effective + timedelta(minutes=20))
    agreement.refresh_from_db()
    return agreement


def _ruling_number(rng: random.Random, day: date) -> str:
    return f"({day.year})粤0311民特{rng.randint(100, 999)}号"


@transaction.atomic
def seed_legal(rng: random.Random, now: datetime | None = None) -> dict[str, int]:
    """The legal routes' demo (see the module's doc); returns what was made. Needs seed_staff's users."""
    from fengqiao.accounts.models import User
    from fengqiao.legal import linkages as lk
    from fengqiao.legal import services as ls
    from fengqiao.legal.models import Linkage, ReferralKind

    now = now or timezone.now()
    made = {"applications": 0, "referrals": 0, "linkages": 0}
    if Case.objects.filter(source_system=SOURCE).exists():
        return made
    arbitration, _notary = _units()
    committee = OrgUnit.objects.get(name=COMMITTEE)
    mediator = User.objects.get(username="gm_mediator")
    clerk = User.objects.get(username="gm_court")
    for d in DISPUTES:
        agreement = _effective_agreement(d, mediator=mediator, committee=committee, now=now)
        if d.stage == "ready":
            continue
        filed = agreement.effective_at + timedelta(days=min(2, d.effective_days_ago - 1) or 1, hours=1)
        filed = min(filed, now - timedelta(hours=20))
        app = ls.application_file(agreement=agreement, actor=mediator, at=filed)
        made["applications"] += 1
        if d.stage == "filed":
            continue
        accepted = filed + timedelta(days=1)
        ls.application_accept(application=app, actor=clerk, at=accepted,
                              court_case_number=_ruling_number(rng, timezone.localdate(accepted)))
        if d.stage == "confirmed":
            ruled = accepted + timedelta(days=6)
            ls.application_rule(application=app, actor=clerk, confirmed=True, at=ruled,
                                ruling_number=_ruling_number(rng, timezone.localdate(ruled)),
                                ruling_date=timezone.localdate(ruled))
        elif d.stage == "refused":
            ruled = accepted + timedelta(days=9)
            ls.application_rule(application=app, actor=clerk, confirmed=False, at=ruled,
                                ruling_number=_ruling_number(rng, timezone.localdate(ruled)),
                                ruling_date=timezone.localdate(ruled),
                                reason="协议对设备价值和补偿数额约定不明确，无法确认。")
            ls.application_after_refusal(application=app, actor=mediator, route="remediation",
                                         at=ruled + timedelta(days=1))
    # A wage dispute the committee could not settle: referred to labour arbitration, taken by the commission.
    from fengqiao.mediation import casework as cw

    came_in = now - timedelta(days=12)
    case = _dispute_case(key="referral-wages", title="餐饮店拖欠员工工资纠纷",
                         description="某餐饮店拖欠3名员工两个月工资共计21600元，店主称经营困难无力支付。",
                         applicant=("邓美玲", "13823345501", "440311199709083327"), respondent=("光明某餐饮店", "", ""),
                         at=came_in, committee=committee, amount=Decimal("21600"))
    mediation = cw.mediation_open(case=case, actor=mediator, at=came_in + timedelta(days=1))
    referral = lk.referral_send(case=case, actor=mediator, kind=ReferralKind.ARBITRATION, to_unit=arbitration,
                                mediation=mediation, at=came_in + timedelta(days=6),
                                summary="餐饮店拖欠3名员工2026年9月至10月工资共计21600元。经两次调解，店主仅同意"
                                        "分十二个月支付，员工不同意，调解未成。")
    lk.referral_receive(referral=referral, actor=mediator, reference="光劳人仲案〔2026〕0412号",
                        at=came_in + timedelta(days=8))
    made["referrals"] += 1
    # Pre-litigation mediations invited by the court: one waiting for the committee, one in mediation.
    court = OrgUnit.objects.get(name=COURT)
    region = Region.objects.get(code=COMMUNITY)
    for i, (title, text, plaintiff, defendant, days_ago) in enumerate([
        ("物业服务合同纠纷（诉前调解）", "某物业公司起诉业主拖欠2024年至2026年物业费共计8640元，业主以服务不到位为由拒交。",
         "深圳某物业管理有限公司", "林志远", 1),
        ("民间借贷纠纷（诉前调解）", "原告称2025年借给被告3万元，约定半年归还，至今未还；被告称已还1万元。",
         "何振华", "吴晓东", 6),
    ], start=1):
        sent = now - timedelta(days=days_ago, hours=2)
        link = lk.pre_litigation_send(
            court=court, committee=committee, actor=clerk, title=title, description=text, region=region,
            parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name=plaintiff,
                                   kind=Party.Kind.ORGANISATION if "公司" in plaintiff else Party.Kind.PERSON),
                     cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=defendant,
                                   phone=f"1391234{rng.randint(1000, 9999)}")],
            reference=f"({sent.year})粤0311诉前调{rng.randint(1000, 9999)}号", at=sent)
        made["linkages"] += 1
        if i == 2:
            lk.linkage_accept(linkage=link, actor=mediator, at=sent + timedelta(days=1))
    assert Linkage.objects.filter(pre_litigation=True).exists()
    return made
