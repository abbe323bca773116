"""The demo: the real Guangming and Luohu organisation, one login per role, and a lived-in history.

Deterministic (fixed random seed, fixed texts) and idempotent (a second run
reuses what exists). Everything is built through the domain services, so the
demo exercises the same rules as real use.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from shapely.geometry import Point, shape

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Channel, Party, ServiceType
from fengqiao.cases.titles import shorten
from fengqiao.cases.workflow import Status
from fengqiao.mediation.models import MediatorKind, Specialty
from fengqiao.mediation.services import mediator_register
from fengqiao.org.loaders import load_district
from fengqiao.org.models import OrgUnit, Region, RegionLevel, Role, ServicePoint, UnitKind
from fengqiao.org.services import staff_user_create
from fengqiao.routing.services import load_default_rules
from fengqiao.sla.sweep import sweep

CASES_DATA = Path(__file__).resolve().parent.parent / "cases" / "data"
DEMO_PASSWORD = "Fengqiao-2026"
DEMO_SOURCE = "demo"
GM, LH = "440311", "440303"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str
    name: str
    totp_secret: str


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志海波辉鹏燕雪琳晨宇欣怡子涵浩然"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(["135", "138", "139", "150", "158", "186", "188", "177"]) + f"{rng.randrange(10**8):08d}"


def _localise(text: str) -> str:
    """The message set is anonymised as 西地省, A市 (cities), A3区 / K8县 / C4市 (districts, counties and
    county-level cities); set it in Shenzhen's Guangming District."""
    text = text.replace("西地省", "广东省")
    text = re.sub(r"[A-Z]\d+[区县市]", "光明区", text)
    return re.sub(r"[A-Z]市", "深圳市", text)


def _totp_key(username: str) -> str:
    """A fixed key per demo user, so the same authenticator entry works after a re-seed."""
    return hashlib.sha256(f"fengqiao-demo-totp:{username}".encode()).hexdigest()[:40]


def _ensure_totp(user) -> str:
    key = _totp_key(user.username)
    TOTPDevice.objects.update_or_create(user=user, name="demo", defaults={"key": key, "confirmed": True})
    return base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")


def _unit(name: str) -> OrgUnit:
    return OrgUnit.objects.get(name=name)


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def load_categories() -> int:
    from fengqiao.cases.catalogue import category_save

    with (CASES_DATA / "categories.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    level1_codes: dict[str, str] = {}
    count = 0
    for row in rows:
        if row["level1"] not in level1_codes:
            level1_codes[row["level1"]] = f"C{len(level1_codes) + 1:02d}"
            category_save(code=level1_codes[row["level1"]], name=row["level1"], parent=None, service_type=row["service_type"])
            count += 1
        parent_code = level1_codes[row["level1"]]
        n = Category.objects.filter(parent__code=parent_code).count()
        existing = Category.objects.filter(parent__code=parent_code, name=row["level2"]).first()
        code = existing.code if existing else f"{parent_code}-{n + 1:02d}"
        category_save(
            code=code, name=row["level2"], parent=Category.objects.get(code=parent_code), service_type=row["service_type"]
        )
        count += 1
    return count


STAFF = [
    # username, name, role, unit name
    ("gm_admin", "管理员 林建国", Role.ADMINISTRATOR, "光明区群众诉求服务大厅"),
    ("gm_auditor", "审计员 孙丽", Role.AUDITOR, "光明区群众诉求服务大厅"),
    ("gm_leader", "区领导 陈志强", Role.LEADER, "光明区群众诉求服务大厅"),
    ("gm_district_op", "区中心 黄敏", Role.OPERATOR, "光明区群众诉求服务大厅"),
    ("gm_street_op", "光明街道中心 刘洋", Role.OPERATOR, "光明街道群众诉求服务大厅"),
    ("gm_community_op", "光明社区中心 张静", Role.OPERATOR, "光明社区群众诉求服务中心"),
    ("gm_station", "服务站 吴芳", Role.STATION_STAFF, "光明社区群众诉求服务中心"),
    ("gm_handler_hr", "区人力资源局 周涛", Role.HANDLER, "光明区人力资源局"),
    ("gm_handler_housing", "区住房建设局 郑磊", Role.HANDLER, "光明区住房建设局"),
    ("gm_court", "区法院 何秀英", Role.COURT_CLERK, "光明区法院"),
    ("gm_grid", "网格员 马超", Role.GRID_WORKER, "光明社区群众诉求服务中心"),
    ("gm_volunteer", "平安员 罗桂英", Role.VOLUNTEER, "光明社区群众诉求服务中心"),
    ("lh_operator", "罗湖区中心 梁海", Role.OPERATOR, "罗湖区综治中心"),
]

MEDIATORS = [
    ("gm_mediator", "调解员 许建华", "光明街道人民调解委员会", MediatorKind.PEOPLES_MEDIATOR,
     [Specialty.NEIGHBOUR, Specialty.FAMILY, Specialty.PROPERTY], "普通话、客家话"),
    ("gm_lawyer", "律师 曾子涵", "光明街道人民调解委员会", MediatorKind.LAWYER,
     [Specialty.LABOUR, Specialty.COMMERCIAL], "普通话、粤语、English"),
    ("gm_psychologist", "心理咨询师 宋欣怡", "光明街道人民调解委员会", MediatorKind.PSYCHOLOGIST,
     [Specialty.PSYCHOLOGY, Specialty.FAMILY], "普通话"),
    ("gm_elder", "五老 邓国华", "公明街道人民调解委员会", MediatorKind.FIVE_ELDERS,
     [Specialty.NEIGHBOUR, Specialty.LAND], "普通话、粤语"),
    ("gm_judge", "驻社区法官 唐明", "光明区群众诉求服务大厅", MediatorKind.JUDGE,
     [Specialty.TRAFFIC, Specialty.MEDICAL, Specialty.CONSUMER], "普通话"),
]


def seed_staff() -> list[DemoLogin]:
    logins = []
    for username, name, role, unit_name in STAFF:
        unit = _unit(unit_name)
        user = staff_user_create(username=username, password=DEMO_PASSWORD, name=name, memberships=[(unit, role)])
        if role == Role.ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        logins.append(DemoLogin(username, str(Role(role).label), unit.name, name, _ensure_totp(user)))
    for username, name, unit_name, kind, specialties, languages in MEDIATORS:
        unit = _unit(unit_name)
        user = staff_user_create(username=username, password=DEMO_PASSWORD, name=name, memberships=[(unit, Role.MEDIATOR)])
        mediator_register(user=user, unit=unit, kind=kind, specialties=list(specialties), languages=languages)
        logins.append(DemoLogin(username, str(Role.MEDIATOR.label), unit.name, name, _ensure_totp(user)))
    return logins


def seed_resident():
    from fengqiao.accounts.models import User

    user = User.objects.filter(username="gm_resident").first() or User(username="gm_resident")
    user.name, user.phone = "居民 王小梅", "13800138000"
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


# How far along each demo case gets, with weights: the queues hold every state.
STAGES = [
    (Status.SUBMITTED, 10),
    (Status.ACCEPTED, 8),
    (Status.REJECTED, 3),
    (Status.DISPATCHED, 10),
    (Status.RETURNED, 4),
    (Status.SIGNED, 6),
    (Status.IN_PROGRESS, 14),
    (Status.ON_HOLD, 2),
    (Status.RESOLVED, 10),
    (Status.CONFIRMED, 5),
    (Status.CLOSED, 24),
    (Status.WITHDRAWN, 2),
]
# How long ago a case at each stage came in (hours): recent for the open queues, older for closed ones.
STAGE_AGE_HOURS = {
    Status.SUBMITTED: (0.02, 2.5),
    Status.ACCEPTED: (0.2, 5),
    Status.REJECTED: (2, 600),
    Status.DISPATCHED: (0.5, 26),
    Status.RETURNED: (1, 30),
    Status.SIGNED: (2, 60),
    Status.IN_PROGRESS: (20, 420),
    Status.ON_HOLD: (48, 300),
    Status.RESOLVED: (24, 150),
    Status.CONFIRMED: (48, 300),
    Status.CLOSED: (72, 720),
    Status.WITHDRAWN: (2, 500),
}
# Demands whose words and figures the grading rules (fengqiao.triage, migration 0002) grade red, with reasons.
RED_SIGNALS = [
    ("30余名工人被拖欠工资近两个月，工人情绪激动，扬言要到区政府门口聚集讨薪。", 36, Decimal("420000"), "劳资纠纷"),
    ("小区业主因停车位产权问题与开发商发生激烈冲突，有业主在小区门口拉横幅，并称要堵路。", 60, None, "房屋土地纠纷"),
    ("邻居因噪音问题多次争吵，对方扬言要动刀，家中有80岁老人和小孩，请求尽快处理。", 3, None, "邻里纠纷"),
]


def _pick_stage(rng: random.Random) -> str:
    total = sum(w for _, w in STAGES)
    x = rng.uniform(0, total)
    for stage, weight in STAGES:
        x -= weight
        if x <= 0:
            return stage
    return STAGES[-1][0]


def seed_cases(*, count: int, rng: random.Random, resident) -> int:
    """A history of `count` Guangming cases spread over the last 30 days, through the services."""
    with (CASES_DATA / "messages_sample.csv").open(encoding="utf-8") as fh:
        messages = list(csv.DictReader(fh))
    rng.shuffle(messages)
    with (CASES_DATA / "messages_unseen.csv").open(encoding="utf-8") as fh:
        unseen = list(csv.DictReader(fh))  # no model trained on these: new cases show honest confidences
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith=GM).order_by("code"))
    points = {p.region_id: p for p in ServicePoint.objects.filter(region__in=communities).order_by("name")}
    operators = {u.username: u for u in _users("gm_district_op", "gm_street_op", "gm_community_op", "gm_handler_hr",
                                                "gm_handler_housing", "gm_grid", "gm_station")}
    level1 = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    district = _region(GM)
    polygon = shape(district.boundary) if district.boundary else None
    now = timezone.now()
    created = 0
    for i in range(count):
        if Case.objects.filter(source_system=DEMO_SOURCE, source_id=f"demo-{i}").exists():
            continue
        msg = messages[i % len(messages)]
        community = communities[0] if i % 4 == 0 else rng.choice(communities)
        stage = _pick_stage(rng)
        low, high = STAGE_AGE_HOURS[stage]
        age = timedelta(hours=rng.uniform(low, high))
        start = now - age
        channel = rng.choice([Channel.WEB, Channel.WEB, Channel.WALK_IN, Channel.HOTLINE, Channel.HOTLINE, Channel.GRID])
        people, amount, category = 1, None, level1.get(msg["label"])
        description = _localise(msg["body"])
        title = _localise(msg["title"])
        service = ServiceType.COMPLAINT
        if i % 23 == 5:
            text, people, amount, category_name = RED_SIGNALS[(i // 23) % len(RED_SIGNALS)]
            description, title = text, shorten(text, 24)
            category = Category.objects.filter(name=category_name, parent__isnull=False).first()
            service = ServiceType.MEDIATION
        elif i % 5 == 2:
            people = rng.randint(5, 25)  # a group: the rules grade it yellow ("群体性诉求")
        if msg["label"] == "劳动和社会保障" and rng.random() < 0.5:
            service = ServiceType.MEDIATION
        if stage == Status.SUBMITTED and i % 23 != 5:
            # still waiting for review: a message the classifier never saw, no category yet (the operator sees the
            # suggestion with the confidence the model really has, sometimes below the threshold)
            fresh = unseen[i % len(unseen)]
            title, description, category = _localise(fresh["title"]), _localise(fresh["body"]), None
            service = ServiceType.COMPLAINT
        applicant = _name(rng)
        parties = [cs.PartyInput(role=Party.PartyRole.APPLICANT, name=applicant, phone=_phone(rng),
                                 id_type=Party.IdType.RESIDENT_ID, id_number=_fake_id(rng))]
        if service == ServiceType.MEDIATION:
            parties.append(cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=_name(rng), phone=_phone(rng)))
        lat = lng = None
        if polygon is not None:
            lat, lng = _point_in(polygon, rng)
        reporter = operators["gm_grid"] if channel == Channel.GRID else (
            operators["gm_station"] if channel == Channel.WALK_IN else None)
        case = cs.case_submit(
            channel=channel, service_type=service, title=title, description=description, region=community,
            category=category, people_count=people, amount=amount,
            parties=parties, service_point=points.get(community.pk), reporter=reporter, latitude=lat, longitude=lng,
            applicant_user=resident if i % 17 == 0 else None,
            source_system=DEMO_SOURCE, source_id=f"demo-{i}", submitted_at=start,
        )
        _advance(case, stage=stage, start=start, now=now, rng=rng, users=operators, label=msg["label"])
        created += 1
    return created


def _point_in(polygon, rng: random.Random) -> tuple[float, float]:
    """A random point inside the district (the demo has no geocoder); the real boundary keeps pins plausible."""
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(Point(x, y)):
            return round(y, 6), round(x, 6)


def _users(*usernames):
    from fengqiao.accounts.models import User

    return list(User.objects.filter(username__in=usernames))


def _fake_id(rng: random.Random) -> str:
    return "440311" + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + f"{rng.randrange(10**4):04d}"


def _advance(case: Case, *, stage: str, start, now, rng: random.Random, users: dict, label: str) -> None:
    """Walk `case` through the lifecycle up to `stage`, at plausible moments between start and now."""
    if stage == Status.SUBMITTED:
        return
    span = (now - start).total_seconds()
    # Review and dispatch come quickly, the work takes most of the time; never in the future.
    fractions = [0.03, 0.06, 0.12, 0.15, 0.3, 0.7, 0.85, 0.95]
    moments = [start + timedelta(seconds=span * min(0.99, f * rng.uniform(0.8, 1.1))) for f in fractions]
    t = iter(sorted(moments))
    op = users["gm_community_op"] if case.region.code == "440311001001" else users["gm_district_op"]
    if stage == Status.REJECTED:
        cs.case_reject(case=case, actor=op, reason="诉求不属于本平台受理范围，已告知通过司法途径解决。", at=next(t))
        return
    if stage == Status.WITHDRAWN:
        cs.case_withdraw(case=case, actor=op, reason="群众表示问题已自行解决，申请撤回。", at=next(t))
        return
    cs.case_accept(case=case, actor=op, at=next(t))
    if stage == Status.ACCEPTED:
        return
    unit = _routed_unit(case)
    if unit is None:  # the responsibility list keeps it with the centre (小事不出社区): the centre handles it
        return
    cs.case_dispatch(case=case, actor=op, unit=unit, at=next(t))
    handler = {"光明区人力资源局": users["gm_handler_hr"], "光明区住房建设局": users["gm_handler_housing"]}.get(unit.name)
    if stage == Status.DISPATCHED:
        return
    if stage == Status.RETURNED:
        cs.case_return(case=case, actor=handler, reason="经核实，该事项属于街道职责范围，非本单位职责。", at=next(t))
        return
    cs.case_sign(case=case, actor=handler, at=next(t))
    if stage == Status.SIGNED:
        return
    cs.case_start(case=case, actor=handler, at=next(t))
    if stage == Status.ON_HOLD:
        cs.case_hold(case=case, actor=handler, reason="等待当事人补充劳动合同等材料。", at=next(t))
        return
    cs.case_progress(case=case, actor=handler, note="已联系诉求人了解情况，并与相关方沟通。", at=next(t))
    if stage == Status.IN_PROGRESS:
        return
    outcome = rng.choice(["resolved", "resolved", "resolved", "partly"])
    cs.case_resolve(case=case, actor=handler, outcome=outcome, note="经现场核查和协调，问题已处理，已向诉求人反馈。", at=next(t))
    if stage == Status.RESOLVED:
        return
    satisfaction = rng.choice(["satisfied", "satisfied", "basically_satisfied"])
    cs.case_confirm(case=case, actor=op, satisfaction=satisfaction, by="return_visit", at=next(t))
    if stage == Status.CONFIRMED:
        return
    cs.case_close(case=case, actor=op, at=next(t))


def _routed_unit(case: Case) -> OrgUnit | None:
    """The handling unit triage suggested for the case (the responsibility list first); None for a centre."""
    from fengqiao.triage.models import Part, TriageSuggestion

    suggestion = TriageSuggestion.objects.filter(case=case, part=Part.UNIT).first()
    unit = OrgUnit.objects.filter(pk=suggestion.value).first() if suggestion and suggestion.value else None
    return None if unit is None or unit.is_centre else unit


def seed_hotline_import() -> int:
    """A small 12345 export (fengqiao/imports/samples) taken in through the bulk import: cases on the import channel."""
    from fengqiao.accounts.models import User
    from fengqiao.imports.demo import demo_import

    batch = demo_import(User.objects.get(username="gm_district_op"))
    return batch.created_count if batch else 0


def seed_api_client() -> str | None:
    """The demo partner API client with its fixed key (fengqiao.api; never in production), printed for curl."""
    from fengqiao.api.services import demo_client_ensure

    key = demo_client_ensure()
    if key:
        print(f"Demo API key (scopes cases, open311; operator of 光明区群众诉求服务大厅): {key}")
    return key


# Buildings in 光明社区 with their own QR code (fengqiao.org.models.QrPlace): scanning opens the form for that building.
DEMO_QR_PLACES = [
    ("光明社区碧眼新村3栋", "光明街道碧眼新村3栋", 22.7797, 113.9350),
    ("光明社区碧眼新村7栋", "光明街道碧眼新村7栋", 22.7801, 113.9361),
    ("光明社区东周小区1栋", "光明街道东周小区1栋", 22.7790, 113.9290),
    ("光明社区光明大街12号", "光明街道光明大街12号", 22.7850, 113.9400),
]


def seed_qr_places() -> int:
    """The demo's QR places, with tokens fixed by name (printed demo codes survive a re-seed); every point has a token."""
    from fengqiao.intake.qr import demo_token, qr_place_save

    community = _region("440311001001")
    point = ServicePoint.objects.filter(region=community).order_by("name").first()
    for name, address, lat, lng in DEMO_QR_PLACES:
        qr_place_save(name=name, region=community, address=address, service_point=point, latitude=lat, longitude=lng,
                      token=demo_token(name))
    for sp in ServicePoint.objects.filter(token=""):
        sp.token = demo_token(f"point:{sp.pk}")
        sp.save(update_fields=["token"])
    return len(DEMO_QR_PLACES)


@transaction.atomic
def seed_demo(*, cases: int = 160, seed: int = 20261122) -> tuple[list[DemoLogin], dict]:
    rng = random.Random(seed)
    gm = load_district(GM)
    lh = load_district(LH, stations_per_community=0)
    n_categories = load_categories()
    n_rules = load_default_rules(GM)
    logins = seed_staff()
    from fengqiao.org.demo import seed_duties

    logins += seed_duties(rng, timezone.now())  # gm_security, and gm_admin's requests for roles (三员分立)
    resident = seed_resident()
    seed_qr_places()
    made = seed_cases(count=cases, rng=rng, resident=resident)
    imported = seed_hotline_import()
    # Mediation and the legal routes: each area seeds its own part on top of the staff, resident and cases.
    from fengqiao.counselling.demo import seed_counselling
    from fengqiao.legal.demo import seed_legal
    from fengqiao.mediation.demo_agreements import seed_agreements
    from fengqiao.mediation.demo_bookings import seed_bookings
    from fengqiao.mediation.demo_work import seed_mediations
    from fengqiao.petitions.demo import seed_petitions

    now = timezone.now()
    bookings = seed_bookings(rng, now)
    mediations = seed_mediations(rng, now)
    agreements = seed_agreements(rng, now)
    legal = seed_legal(rng, now)
    logins += seed_petitions(rng, now)
    seed_counselling(rng, now)
    from fengqiao.privacy.demo import seed_privacy

    seed_privacy(rng, now)  # consents with the notice version shown, gm_resident's requests to see or delete data
    from fengqiao.commands.demo import seed_commands

    logins += seed_commands(rng, now)  # commands to departments and their check-ins (发令报到)
    from fengqiao.backlog.demo import seed_backlog
    from fengqiao.leadership.demo import seed_leadership

    seed_leadership(rng, now)  # gm_leader owns cases (包案) and has sink-down duty
    seed_backlog(rng, now)  # a special campaign from the backlog board's first suggestion
    from fengqiao.warnings.demo import seed_warnings

    seed_warnings(rng, now)  # a firework-noise burst and a wage-arrears group: the radar's two open warnings
    # Run the deadline sweep once, as the worker would, so reminders and overdue alerts are there to see.
    sweep()
    stats = {
        "regions": gm.regions + lh.regions,
        "units": OrgUnit.objects.count(),
        "service_points": ServicePoint.objects.count(),
        "categories": n_categories,
        "responsibility_rules_added": n_rules,
        "cases_created": made,
        "cases_imported": imported,
        "cases_total": Case.objects.count(),
        "district_centres": OrgUnit.objects.filter(kind=UnitKind.DISTRICT_CENTRE).count(),
        "mediator_bookings": bookings,
        "mediations_opened": mediations,
        "agreements": agreements["agreements"],
        "judicial_confirmations": legal["applications"],
        "referrals": legal["referrals"] + legal["linkages"],
    }
    seed_api_client()
    return logins, stats
