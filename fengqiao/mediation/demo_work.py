"""Demo: mediations in progress at 光明街道人民调解委员会, through the services (fengqiao.mediation.casework).

`seed_mediations(rng, now)` takes in a handful of Guangming disputes, sends them to the street's mediation committee
and works them to different points: a back-to-back session held with a lawyer on the team and the next one booked,
a video session ahead, one past its month, one extended with both parties' consent, one concluded without agreement
and referred to labour arbitration, and one still waiting for a mediator. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.mediation import casework as cw
from fengqiao.mediation.models import AttendeeRole, Mediation, MediationOutcome, MeetingMode, Referral
from fengqiao.org.models import OrgUnit, Region

DEMO_SOURCE = "demo-mediation"  # apart from the main demo cases, whose routing the triage tests check
COMMITTEE = "光明街道人民调解委员会"


@dataclass(frozen=True)
class Dispute:
    key: str
    community: str
    title: str
    description: str
    applicant: str
    respondent: str
    respondent_is_org: bool = False
    amount: int | None = None


DISPUTES = [
    Dispute("demo-med-1", "440311001001", "楼上漏水致天花板损坏赔偿纠纷",
            "碧眼新村3栋502室卫生间防水层破损，漏水导致楼下402室天花板发霉、衣柜损坏。双方多次协商赔偿未果，"
            "402室业主请求调解。", "陈美玲", "黄志伟", amount=6000),
    Dispute("demo-med-2", "440311001002", "装修噪音扰民邻里纠纷",
            "邻居装修期间每天早上七点前开始电钻作业，周末也不停工，家中有高考学生和老人，沟通后对方态度强硬，"
            "请求调解施工时间和补偿。", "刘秀英", "周建华"),
    Dispute("demo-med-3", "440311001003", "电子厂拖欠三名工人工资纠纷",
            "光明某电子厂拖欠三名工人两个月工资共计约2.4万元，工厂称订单减少资金周转困难，工人要求一次性结清。",
            "马超", "深圳市光明区某电子有限公司", respondent_is_org=True, amount=24000),
    Dispute("demo-med-4", "440311001001", "物业费与停车位管理纠纷",
            "小区物业擅自将公共绿地改为收费停车位，业主代表拒交物业费，双方矛盾激化，请求调委会居中调解。",
            "林海燕", "深圳市某物业管理有限公司", respondent_is_org=True),
    Dispute("demo-med-5", "440311001002", "房屋租赁押金退还纠纷",
            "租客退租时房东以墙面污损为由拒绝退还押金4500元，租客认为属于正常使用损耗，双方各执一词。",
            "郑磊", "吴桂兰", amount=4500),
    Dispute("demo-med-6", "440311001003", "宠物犬咬伤邻居赔偿纠纷",
            "邻居饲养的犬只未拴绳，在小区内咬伤申请人小腿，已花费医药费及疫苗费约3000元，对方只愿承担一半。",
            "宋欣", "袁国强", amount=3000),
]


def _user(username: str):
    from fengqiao.accounts.models import User

    return User.objects.get(username=username)


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "136", "137", "150", "186"]) + f"{rng.randrange(10**8):08d}"


def _dispute_case(d: Dispute, *, rng: random.Random, submitted: datetime, committee: OrgUnit) -> Case:
    """The dispute taken in at the community, handed up to the street centre and dispatched to the committee."""
    station, community_op, street_op = _user("gm_station"), _user("gm_community_op"), _user("gm_street_op")
    region = Region.objects.get(code=d.community)
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title=d.title, description=d.description,
        region=region, reporter=station, amount=Decimal(d.amount) if d.amount else None, submitted_at=submitted,
        parties=[
            cs.PartyInput(role=Party.PartyRole.APPLICANT, name=d.applicant, phone=_phone(rng)),
            cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=d.respondent, phone=_phone(rng),
                          kind=Party.Kind.ORGANISATION if d.respondent_is_org else Party.Kind.PERSON),
        ],
        source_system=DEMO_SOURCE, source_id=d.key,
    )
    if case.holder_unit_id == committee.pk or case.mediations.exists():
        return case
    op = community_op if case.holder_unit.name == "光明社区群众诉求服务中心" else street_op
    cs.case_accept(case=case, actor=op, at=submitted + timedelta(minutes=20))
    if case.holder_unit.kind != "street_centre":
        cs.case_escalate(case=case, actor=op, reason="涉及赔偿，需街道人民调解委员会组织调解。",
                         at=submitted + timedelta(minutes=40))
    cs.case_dispatch(case=case, actor=street_op, unit=committee, note="请调委会组织双方调解。",
                     at=submitted + timedelta(hours=1))
    return case


def _o_clock(moment: datetime, hour: int, minute: int = 0) -> datetime:
    """`moment`'s local day at office time (sessions happen at 9:30 or 14:30, not at the hour the seed runs)."""
    return timezone.localtime(moment).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _held(mediation: Mediation, *, actor, at: datetime, mode: str, record: str, lawyer=None, signed: bool = True):
    session = cw.session_schedule(mediation=mediation, actor=actor, scheduled_at=at, mode=mode,
                                  place="光明街道人民调解室（光明街道办事处一楼）", at=at - timedelta(days=1))
    parties = list(mediation.case.parties.order_by("pk"))
    back = mode == MeetingMode.BACK_TO_BACK
    attendees = [cw.AttendeeInput(party=p, part=i + 1 if back else None) for i, p in enumerate(parties)]
    attendees.append(cw.AttendeeInput(user=actor))
    if lawyer is not None:
        attendees.append(cw.AttendeeInput(user=lawyer, role=AttendeeRole.LAWYER))
    cw.session_hold(session=session, actor=actor, attendees=attendees, record=record, at=at + timedelta(hours=1))
    if signed:
        for attendee in session.attendees.filter(party__isnull=False):
            cw.record_sign(attendee=attendee, actor=actor, at=at + timedelta(hours=1, minutes=10))
    return session


def seed_mediations(rng: random.Random, now: datetime) -> int:
    """A few mediations in progress with their sessions on Guangming disputes; returns how many were opened."""
    committee = OrgUnit.objects.get(name=COMMITTEE)
    mediator, lawyer, psychologist = _user("gm_mediator"), _user("gm_lawyer"), _user("gm_psychologist")
    ages = {"demo-med-1": 12, "demo-med-2": 4, "demo-med-3": 20, "demo-med-4": 36, "demo-med-5": 33, "demo-med-6": 1}
    opened = 0
    for d in DISPUTES:
        start = now - timedelta(days=ages[d.key], hours=rng.uniform(1, 5))
        case = _dispute_case(d, rng=rng, submitted=start, committee=committee)
        if d.key == "demo-med-6" or case.mediations.exists():
            continue  # demo-med-6 waits on the home page for a mediator to open it
        at = start + timedelta(hours=3)
        mediation = cw.mediation_open(case=case, actor=mediator, at=at)
        opened += 1
        if d.key == "demo-med-1":  # 话聊: a lawyer joins; a back-to-back session held, the next one booked
            cw.team_add(mediation=mediation, actor=mediator, user=lawyer, at=at + timedelta(minutes=10))
            _held(mediation, actor=mediator, lawyer=lawyer, at=_o_clock(at + timedelta(days=3), 9, 30),
                  mode=MeetingMode.BACK_TO_BACK,
                  record="第一场（申请人）：陈述漏水经过，天花板及衣柜维修报价约6000元，要求全额赔偿。\n"
                         "第二场（被申请人）：承认卫生间漏水，同意修复防水层，但认为衣柜损坏与漏水无关，只愿承担天花板维修费。\n"
                         "律师曾子涵向双方释明相邻关系中的侵权赔偿责任。")
            cw.session_schedule(mediation=mediation, actor=mediator,
                                scheduled_at=_o_clock(now + timedelta(days=2), 14, 30),
                                mode=MeetingMode.IN_PERSON, place="光明街道人民调解室", at=now - timedelta(days=1))
        elif d.key == "demo-med-2":  # a video session ahead
            cw.session_schedule(mediation=mediation, actor=mediator, scheduled_at=_o_clock(now + timedelta(days=1), 10),
                                mode=MeetingMode.VIDEO, video_link="https://meeting.gm.example.gov.cn/room/tiaojie-01",
                                at=at + timedelta(hours=1))
        elif d.key == "demo-med-3":  # labour: no agreement, referred to labour arbitration
            cw.team_add(mediation=mediation, actor=mediator, user=lawyer, at=at + timedelta(minutes=5))
            _held(mediation, actor=mediator, lawyer=lawyer, at=_o_clock(at + timedelta(days=2), 14, 30),
                  mode=MeetingMode.IN_PERSON,
                  record="工人代表要求一次性结清两个月工资；厂方表示只能分六个月支付，且不同意支付延期利息。双方差距较大。")
            cw.mediation_conclude(
                mediation=mediation, actor=mediator, outcome=MediationOutcome.NONE, referral=Referral.ARBITRATION,
                note="双方就支付期限分歧较大，未达成协议。已告知工人可向光明区劳动人事争议仲裁委员会申请仲裁，并协助准备材料。",
                at=at + timedelta(days=5))
        elif d.key == "demo-med-4":  # past its month, not extended: flagged overdue
            cw.team_add(mediation=mediation, actor=mediator, user=psychologist, at=at + timedelta(minutes=5))
            _held(mediation, actor=mediator, at=_o_clock(at + timedelta(days=6), 9, 30), mode=MeetingMode.IN_PERSON,
                  signed=False,
                  record="业主代表与物业经理到场。物业同意暂停施工，但要求业主先补交物业费；业主代表要求先恢复绿地。")
        elif d.key == "demo-med-5":  # extended with both parties' consent
            _held(mediation, actor=mediator, at=_o_clock(at + timedelta(days=5), 14, 30), mode=MeetingMode.IN_PERSON,
                  record="双方同意请第三方对墙面污损进行评估，待评估结果出来后再行调解。")
            cw.mediation_extend(mediation=mediation, actor=mediator, days=15, reason="等待第三方评估墙面污损程度",
                                applicant_consents=True, respondent_consents=True, at=at + timedelta(days=29))
    return opened
