"""Demo data of the psychological service: a Guangming family in distress, counselled by gm_psychologist
(光明街道人民调解委员会) with two session records, and the records shared with the mediator gm_mediator.

`seed_counselling(rng, now)` runs after `seed_staff()` (it needs the demo's staff); everything goes through the
services. `family_case(rng, now)` is the case alone (a psychological-service case the committee holds), also
used by the browser test.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.cases.services import PartyInput, case_accept, case_dispatch, case_submit
from fengqiao.counselling import services as svc
from fengqiao.counselling.models import ConsentMethod, Engagement, RiskLevel, SessionMode
from fengqiao.org.models import OrgUnit, Region, RegionLevel

STREET = "440311001"  # 光明街道
COMMITTEE = "光明街道人民调解委员会"

FAMILIES = [
    ("王秀兰", "女儿高考失利后整天关在房间里不说话，和我们一说话就吵，我连续一个多月睡不着觉，心里很压抑，"
               "希望有心理老师帮我们一家人疏导一下。", "家庭矛盾导致母亲长期失眠、情绪低落"),
    ("李建平", "我和妻子因为孩子教育问题长期争吵，最近她提出离婚，我整个人很焦虑，上班也没办法集中精神，"
               "想找人聊聊怎么和家人沟通。", "夫妻长期争吵，当事人焦虑求助"),
]


def family_case(rng: random.Random, now: datetime, *, family: int | None = None) -> Case:
    """A psychological-service case about family distress in a 光明街道 community, dispatched to the committee."""
    name, text, title = FAMILIES[rng.randrange(len(FAMILIES)) if family is None else family]
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith=STREET).order_by("code"))
    operator = User.objects.get(username="gm_district_op")
    submitted = now - timedelta(days=9, hours=rng.randint(0, 6))
    case = case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.PSYCHOLOGICAL, title=title, description=text,
        region=rng.choice(communities), parties=[PartyInput(role=Party.PartyRole.APPLICANT, name=name,
                                                            phone=f"139{rng.randint(10_000_000, 99_999_999)}")],
        reporter=operator, consent_sensitive=True, submitted_at=submitted,
    )
    case_accept(case=case, actor=operator, at=submitted + timedelta(minutes=20))
    case_dispatch(case=case, actor=operator, unit=OrgUnit.objects.get(name=COMMITTEE),
                  note="心理服务：请街道调委会心理咨询师跟进", at=submitted + timedelta(minutes=40))
    return case


def seed_counselling(rng: random.Random, now: datetime | None = None) -> Engagement:
    """An engagement with consent, two session records (medium risk) and one grant to gm_mediator."""
    now = now or timezone.now()
    psychologist = User.objects.get(username="gm_psychologist")
    existing = Engagement.objects.filter(counsellor=psychologist, case__title=FAMILIES[0][2]).first()
    if existing is not None:
        return existing
    case = family_case(rng, now, family=0)
    opened = now - timedelta(days=8)
    engagement = svc.engagement_open(case=case, counsellor=psychologist, actor=psychologist, at=opened)
    svc.engagement_consent_record(engagement=engagement, actor=psychologist, consent_by="王秀兰（本人）",
                                  consent_at=opened + timedelta(minutes=30), method=ConsentMethod.WRITTEN,
                                  at=opened + timedelta(minutes=35))
    first = timezone.localtime(opened + timedelta(hours=1))
    svc.record_add(
        engagement=engagement, actor=psychologist, held_on=first.date(), mode=SessionMode.IN_PERSON,
        duration_minutes=60,
        notes="来访者自述女儿高考失利后家庭气氛紧张，母女多次争吵，本人入睡困难、早醒，食欲下降约一个月。"
              "谈话中多次落泪，否认有伤害自己的想法。",
        assessment="焦虑、抑郁情绪明显（自评量表中度），家庭沟通模式以指责为主；社会支持尚可（丈夫愿意配合）。",
        plan="每周面谈一次；布置睡眠日记；下次邀请丈夫共同参加，练习“我信息”表达；必要时建议到区人民医院心理科就诊。",
        at=first + timedelta(hours=1),
    )
    second = timezone.localtime(now - timedelta(days=1, hours=3))
    svc.record_add(
        engagement=engagement, actor=psychologist, held_on=second.date(), mode=SessionMode.HOME_VISIT,
        duration_minutes=75,
        notes="上门家庭会谈，父母与女儿均在场。女儿表示压力主要来自亲戚比较，愿意与父母约定每周一次家庭谈话。"
              "母亲睡眠有所改善，仍有担忧。",
        assessment="家庭冲突缓和，母亲焦虑情绪减轻；女儿情绪需继续关注。",
        plan="两周后电话随访；与调解员许建华共同跟进亲属之间的矛盾；如女儿情绪恶化，转介学校心理老师。",
        at=second + timedelta(hours=2),
    )
    svc.engagement_risk_set(engagement=engagement, actor=psychologist, level=RiskLevel.MEDIUM,
                            at=second + timedelta(hours=2, minutes=5))
    svc.grant_create(engagement=engagement, actor=psychologist, user=User.objects.get(username="gm_mediator"),
                     reason="调解员许建华同步调解该家庭与亲属间的矛盾，需要了解心理评估和计划",
                     expires_at=now + timedelta(days=30), at=second + timedelta(hours=2, minutes=10))
    return engagement
