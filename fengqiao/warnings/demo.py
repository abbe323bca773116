"""Demo: two phenomena the radar catches in Guangming, submitted through case_submit like any case, then one radar
pass; the wage-arrears warning is already acknowledged by the district leader, with a first action recorded, and
what else the pass finds in the demo's background history is closed as followed in the ordinary flow.

- a burst of firework-noise complaints in 翠湖社区 over the last day and a half (the Foshan pattern);
- a group of workers of one labour subcontractor owed wages, writing in over three days (the wage-arrears pattern).

Seeded once: the cases carry a source id (a second run finds them), the pass updates instead of raising again, and
the loop steps are taken only while the warning is still new.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Channel, Party, ServiceType
from fengqiao.org.models import Region
from fengqiao.warnings import services as svc
from fengqiao.warnings.models import Outcome, State, Warning

SOURCE = "demo-radar"
FIREWORK_PLACE = "440311001005"  # 光明街道 翠湖社区
WAGE_PLACE = "440311002001"  # 公明街道 公明社区
COMPANY = "深圳市明辉建筑劳务有限公司"

FIREWORKS = [
    "翠湖花园小区旁边空地每天晚上十一点以后还有人燃放烟花爆竹，噪音很大，孩子被吓醒好几次，请尽快管一管。",
    "凌晨一点多翠湖社区里又在放鞭炮烟花，响了二十多分钟，老人心脏不好受不了，希望加强巡查。",
    "翠湖花园东门附近连续几晚燃放烟花，烟雾和纸屑落满阳台，噪音扰民，请派人制止。",
    "小区里有人在楼下放大型烟花，火星都飞到楼上了，很危险，也太吵了，请相关部门处理。",
    "投诉翠湖社区夜间燃放烟花爆竹扰民，已经连续三天，打了物业电话也没人管。",
    "翠湖花园晚上烟花爆竹声不断，明天还要上班，一夜没睡好，请求执法部门夜间巡查。",
    "翠湖社区篮球场旁边每晚有人卖烟花又有人放，噪音和安全隐患都很大，请查处。",
    "昨晚十二点后翠湖花园还在放烟花，家里宝宝哭了一晚上，希望社区和派出所管一管。",
    "反映翠湖社区禁放区域内燃放烟花爆竹的问题，夜里噪音严重影响休息，请依法处理。",
    "翠湖花园B区楼下连续燃放烟花，烟味很大，老人有哮喘，请尽快制止并加强宣传。",
    "半夜被烟花爆竹声吵醒，翠湖社区这几天天天如此，禁放规定形同虚设，请求处理。",
    "翠湖花园附近燃放烟花爆竹扰民，时间从晚上九点持续到凌晨，请派人现场查看。",
    "翠湖社区居民反映夜间烟花噪音问题，多次投诉无果，希望街道牵头整治。",
    "翠湖花园小区内有人燃放礼花弹，声音特别大，车辆报警器都被震响，请管理。",
]
WAGES = [
    ("我们在明辉建筑劳务公司承包的公明安置房工地做木工，已经三个月没发工资了，老板一直拖着不给，请帮我们讨薪。", 12),
    ("明辉建筑劳务有限公司拖欠我们钢筋班组四个月工资共计十八万元，包工头电话打不通，请求政府帮助。", 8),
    ("公明社区安置房项目的明辉劳务公司欠薪，我们泥水工二十多人过年回不了家，请劳动部门介入。", 23),
    ("本人在明辉建筑劳务公司做杂工，工资拖欠两个多月，公司说总包没给钱，到底该找谁？", 1),
    ("明辉建筑劳务拖欠农民工工资，我们几个人去项目部讨要被赶出来了，请求协调解决。", 5),
    ("反映深圳市明辉建筑劳务有限公司拖欠水电班组工资的问题，涉及十几个人，已经拖了三个月。", 14),
    ("明辉劳务公司承包的工地停工了，欠我们的工资一直不结，工友们准备集体去讨说法，请政府尽快处理。", 30),
    ("我是明辉建筑劳务公司的电焊工，六月到九月的工资都没拿到，家里等着用钱，请帮忙。", 1),
    ("明辉建筑劳务有限公司欠薪问题，我们班组九个人的工资条都在，请求劳动监察立案。", 9),
]
ROUTINE = "已在日常流程中办理：相关诉求均已受理并分派责任单位，由包案领导和社区持续跟进，暂不需专项处置。"
ACTION = (
    "区人力资源局劳动监察大队已约谈明辉劳务公司及总包单位负责人，责令五日内提交工资支付计划，公明街道同步做好工友安抚。"
)


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _category(level1: str, level2: str) -> Category | None:
    return Category.objects.filter(parent__name=level1, name=level2).first()


@transaction.atomic
def seed_warnings(rng: random.Random, now: datetime) -> dict[str, int]:
    """Submit the two phenomena (once), run the radar over Guangming, take the first steps of the wage warning."""
    from fengqiao.accounts.models import User

    district = Region.objects.filter(code="440311").first()
    if district is None:
        return {"cases": 0, "warnings": 0}
    noise = _category("环境保护", "环境污染")
    wages = _category("劳动和社会保障", "工资福利")
    made = 0
    fireworks = Region.objects.get(code=FIREWORK_PLACE)
    for i, text in enumerate(FIREWORKS):
        made += _submit(
            rng,
            f"fireworks-{i}",
            region=fireworks,
            text=text,
            category=noise,
            people=1,
            at=now - timedelta(hours=2 + i * 2.5 + rng.uniform(0, 1)),
        )
    site = Region.objects.get(code=WAGE_PLACE)
    for i, (text, people) in enumerate(WAGES):
        made += _submit(
            rng,
            f"wages-{i}",
            region=site,
            text=text,
            category=wages,
            people=people,
            at=now - timedelta(hours=3 + i * 7 + rng.uniform(0, 2)),
            respondent=COMPANY,
        )
    at = timezone.now()  # after every case of the demo, so the worker's next pass finds nothing new
    svc.radar_run(district, at)
    injected = set(Case.objects.filter(source_system=SOURCE).values_list("pk", flat=True))
    shown = set()
    for warning in Warning.objects.filter(district=district).exclude(state=State.CLOSED):
        evidence = set(warning.evidence.values_list("case_id", flat=True))
        if evidence and len(evidence & injected) * 2 > len(evidence):  # mostly the phenomena submitted above
            shown.add(warning.pk)
    operator = User.objects.filter(username="gm_district_op").first()
    if operator is not None:
        # What the radar also finds in the demo's background history (collective cases, red cases open for days,
        # categories with no history before the demo's 30 days) was seen and is followed in the ordinary flow:
        # closed as contained, so the list opens on the two phenomena above (the "closed" filter shows the rest).
        for other in Warning.objects.filter(district=district).exclude(state=State.CLOSED).exclude(pk__in=shown):
            svc.warning_close(warning=other, actor=operator, outcome=Outcome.CONTAINED, result=ROUTINE, at=at)
    leader = User.objects.filter(username="gm_leader").first()
    wage = Warning.objects.filter(pk__in=shown, key__startswith="respondent:", state=State.OPEN).first()
    if leader is not None and wage is not None:
        svc.warning_acknowledge(
            warning=wage, actor=leader, note="请区人社局牵头，公明街道配合，务必春节前解决。", at=at
        )
        svc.warning_record_action(warning=wage, actor=leader, action=ACTION, at=at)
    return {"cases": made, "warnings": Warning.objects.filter(district=district).exclude(state=State.CLOSED).count()}


def _submit(
    rng: random.Random, source_id: str, *, region: Region, text: str, category, people: int, at, respondent: str = ""
) -> int:
    if Case.objects.filter(source_system=SOURCE, source_id=source_id).exists():
        return 0
    parties = [
        cs.PartyInput(
            role=Party.PartyRole.APPLICANT, name=rng.choice("王李张刘陈杨黄赵吴周") + "先生", phone=_phone(rng)
        )
    ]
    if respondent:
        parties.append(cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=respondent, kind=Party.Kind.ORGANISATION))
    cs.case_submit(
        channel=rng.choice([Channel.WEB, Channel.HOTLINE, Channel.HOTLINE]),
        service_type=ServiceType.COMPLAINT,
        title="",
        description=text,
        region=region,
        category=category,
        people_count=people,
        parties=parties,
        source_system=SOURCE,
        source_id=source_id,
        submitted_at=at,
    )
    return 1
