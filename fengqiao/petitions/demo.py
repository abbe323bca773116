"""Demo petitions: the petition office's staff (光明区信访局), a petition in review (with a hearing), one replied,
and one recognised as a repeat of facts already re-reviewed — all through the services, dated in the past.
Idempotent: a second run finds its cases (source ids) and leaves them as they are."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.db import transaction

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.core.demo import DEMO_PASSWORD, DemoLogin, _ensure_totp
from fengqiao.org.models import OrgUnit, Region, Role
from fengqiao.org.services import staff_user_create
from fengqiao.petitions import services as ps
from fengqiao.petitions.models import PetitionForm
from fengqiao.petitions.rules import CheckLine, ClosingItem, NotAcceptedGround

DEMO_SOURCE = "demo-petitions"  # apart from the main demo cases, whose routing the triage tests check

OFFICE = "光明区信访局"
STAFF = [
    ("gm_petition", "区信访局 陈慧", Role.HANDLER),
    ("gm_petition_head", "区信访局局长 梁国栋", Role.LEADER),
]


def seed_petition_staff() -> list[DemoLogin]:
    office = OrgUnit.objects.get(name=OFFICE)
    logins = []
    for username, name, role in STAFF:
        user = staff_user_create(username=username, password=DEMO_PASSWORD, name=name, memberships=[(office, role)])
        logins.append(DemoLogin(username, str(Role(role).label), office.name, name, _ensure_totp(user)))
    return logins


def _case(key: str, *, title: str, description: str, community: str, applicant: tuple[str, str], people: int = 1,
          resident=None, submitted: datetime) -> tuple[Case, bool]:
    existing = Case.objects.filter(source_system=DEMO_SOURCE, source_id=key).first()
    if existing is not None:
        return existing, False
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.COMPLAINT, title=title, description=description,
        region=Region.objects.get(code=community), people_count=people, applicant_user=resident,
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name=applicant[0], phone=applicant[1])],
        source_system=DEMO_SOURCE, source_id=key, submitted_at=submitted,
    )
    return case, True


def _applicants(case: Case) -> list[Party]:
    return list(case.parties.filter(role=Party.PartyRole.APPLICANT))


@transaction.atomic
def seed_petitions(rng: random.Random, now: datetime) -> list[DemoLogin]:
    """Seed the petition office's staff and three petitions; returns the logins created (for ./fq demo)."""
    from fengqiao.accounts.models import User

    logins = seed_petition_staff()
    clerk = User.objects.get(username="gm_petition")
    leader = User.objects.filter(username="gm_leader").first()  # the district's leader is above every department
    resident = User.objects.filter(username="gm_resident").first()
    today = now.date()

    def day(n: int) -> date:
        return today - timedelta(days=n)

    def at(n: int) -> datetime:
        return now - timedelta(days=n, hours=rng.randint(1, 6))

    housing = OrgUnit.objects.get(name="光明区住房建设局")
    hr = OrgUnit.objects.get(name="光明区人力资源局")

    # 1. In review (复查), after a hearing: the resident's own petition, so the tracking page shows its steps.
    case, new = _case("petition-review", title="旧改项目补偿标准不一致",
                      description="光明街道某城市更新项目拆迁补偿，同一栋楼住户补偿标准不一致，本人补偿明显偏低，"
                                  "多次向街道反映未获解决，请求依法重新核定补偿。",
                      community="440311001001", applicant=("王小梅", "13800138000"), resident=resident,
                      submitted=at(55))
    if new:
        p = ps.petition_register(case=case, actor=clerk, petitioners=_applicants(case), matter=case.description,
                                 form=PetitionForm.VISIT, registered_on=day(52))
        ps.petition_accept(petition=p, actor=clerk, organ=housing, on=day(49))
        ps.petition_start(petition=p, actor=clerk, on=day(48))
        if leader is not None:
            ps.petition_extend(petition=p, actor=clerk, days=15, approved_by=leader,
                               reason="需委托第三方评估机构对涉案房屋重新评估，所需时间较长。")
        ps.petition_reply(petition=p, actor=clerk, on=day(22),
                          facts="经查，该项目补偿方案经区政府批准并公示，信访人房屋因建成年代及结构不同，评估单价低于"
                                "同栋部分住户，补偿计算符合方案。",
                          opinion="信访人反映补偿标准不一致的问题不成立，维持原补偿结果；信访人如对评估结果有异议，"
                                  "可申请复核评估。",
                          basis="《深圳经济特区城市更新条例》《国有土地上房屋征收与补偿条例》")
        ps.petition_request_review(petition=p, actor=resident or clerk, on=day(12))
        ps.petition_hearing_start(petition=p, actor=clerk, on=day(6), note="邀请信访人、街道、评估机构及人大代表参加听证。")
        ps.petition_hearing_end(petition=p, actor=clerk, on=day(5))

    # 2. Replied (答复), the petitioner may still ask for a review.
    case, new = _case("petition-replied", title="工地夜间施工噪音扰民",
                      description="凤凰街道某在建工地长期夜间施工，噪音严重影响周边居民休息，向12345反映多次未解决，"
                                  "现联名来信要求依法查处。",
                      community="440311003001" if Region.objects.filter(code="440311003001").exists()
                      else "440311001001", applicant=("赵德明", "13923456781"), people=12, submitted=at(42))
    if new:
        p = ps.petition_register(case=case, actor=clerk, petitioners=_applicants(case), matter=case.description,
                                 form=PetitionForm.LETTER, people_count=12, registered_on=day(40))
        ps.petition_accept(petition=p, actor=clerk, organ=housing, on=day(37))
        ps.petition_start(petition=p, actor=clerk, on=day(36))
        ps.petition_reply(petition=p, actor=clerk, on=day(6),
                          facts="经核查，该工地存在未办理夜间施工许可擅自夜间施工的行为。",
                          opinion="已责令施工单位停止违规夜间施工，依法作出罚款决定，并安排夜间巡查。",
                          basis="《中华人民共和国噪声污染防治法》《深圳经济特区环境噪声污染防治条例》")

    # 3. A repeat of facts already re-reviewed: recognised at registration and not accepted again, with the notice.
    old_case, new = _case("petition-rereviewed", title="欠薪纠纷要求追加赔偿",
                          description="本人原在公明街道某电子厂工作，工厂关闭时拖欠工资及经济补偿，要求工厂及街道"
                                      "追加赔偿损失。",
                          community="440311001001", applicant=("孙志刚", "13612345670"), submitted=at(230))
    if new:
        p = ps.petition_register(case=old_case, actor=clerk, petitioners=_applicants(old_case),
                                 matter=old_case.description, form=PetitionForm.VISIT, registered_on=day(225))
        ps.petition_accept(petition=p, actor=clerk, organ=hr, on=day(222))
        ps.petition_reply(petition=p, actor=clerk, on=day(180), facts="经查，拖欠工资已通过劳动仲裁裁决并执行完毕。",
                          opinion="信访人要求追加赔偿的诉求无事实和法律依据，不予支持。",
                          basis="《保障农民工工资支付条例》《劳动争议调解仲裁法》")
        ps.petition_request_review(petition=p, actor=clerk, on=day(170))
        ps.petition_decide_review(petition=p, actor=clerk, on=day(145), facts="复查查明事实与原答复一致。",
                                  opinion="维持原答复意见。", basis="《信访工作条例》")
        ps.petition_request_re_review(petition=p, actor=clerk, on=day(130))
        ps.petition_decide_re_review(petition=p, actor=clerk, on=day(105), facts="复核查明事实与复查意见一致。",
                                     opinion="维持复查意见。", basis="《信访工作条例》")
        ps.petition_closing_check(petition=p, actor=clerk, lines=[
            CheckLine(ClosingItem.SOLVED, False, False, ""),
            CheckLine(ClosingItem.EXPLAINED, True, True, "街道与人力资源局多次约谈，释法明理。"),
            CheckLine(ClosingItem.HELPED, True, True, "协助申请临时救助3000元。"),
            CheckLine(ClosingItem.HANDLED_BY_LAW, False, False, ""),
        ])
        ps.petition_close(petition=p, actor=clerk, on=day(100))
    again, new = _case("petition-repeat", title="再次要求追加欠薪赔偿",
                       description="本人孙志刚，原公明街道某电子厂工人，工厂拖欠工资及经济补偿，再次要求工厂及街道"
                                   "追加赔偿损失。",
                       community="440311001001", applicant=("孙志刚", "13612345670"), submitted=at(4))
    if new:
        p = ps.petition_register(case=again, actor=clerk, petitioners=_applicants(again), matter=again.description,
                                 form=PetitionForm.VISIT, registered_on=day(3))
        if p.repeat_of_id:
            ps.petition_not_accept(petition=p, actor=clerk, ground=NotAcceptedGround.RE_REVIEWED, reason="", on=day(2))
    return logins
