"""Demo: mediation agreements of the Guangming street committee, made through the services.

`seed_agreements(rng, now)` opens a few neighbours', family and property disputes, holds a session on each and draws
up the agreement: three in effect (one performed at its follow-up visit, one with a visit overdue, one oral
agreement whose visit is to come), and one still being signed. The first dispute is the demo resident's (王小梅,
gm_resident), so the tracking page and "My demands" show the agreement and its verification link.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.mediation import agreements as svc
from fengqiao.mediation.models import Agreement, FollowUp

COMMITTEE = "光明街道人民调解委员会"
COMMUNITY = "440311001001"  # 光明街道 光明社区


@dataclass
class Dispute:
    title: str
    description: str
    applicant: tuple[str, str, str]  # name, phone, resident ID number
    respondent: tuple[str, str, str]
    addresses: tuple[str, str]
    facts: str
    matters: str
    responsibilities: str
    terms: list[dict] = field(default_factory=list)
    days_ago: int = 40  # when the case came in
    form: str = Agreement.Form.WRITTEN
    stage: str = "effective"  # effective | performed | overdue | signing
    resident: bool = False


DISPUTES = [
    Dispute(
        title="楼上卫生间漏水致楼下天花板受损", days_ago=48, stage="performed", resident=True,
        description="我家楼上卫生间长期漏水，天花板发霉脱落、衣柜泡坏，与楼上住户多次协商赔偿未果，请求调解。",
        applicant=("王小梅", "13800138000", "440311199003151226"),
        respondent=("李建国", "13923456781", "440311197811020317"),
        addresses=("深圳市光明区光明街道华夏路18号碧眼花园3栋502", "深圳市光明区光明街道华夏路18号碧眼花园3栋602"),
        facts="2026年9月起，被申请人住房卫生间防水层老化漏水，致申请人住房天花板发霉脱落、卧室衣柜受潮损坏。"
              "双方多次协商，对维修方案和赔偿金额未能达成一致。",
        matters="一、漏水维修由谁负责；二、天花板及衣柜损失的赔偿金额。",
        responsibilities="被申请人对卫生间防水失效导致的漏水负全部责任；申请人发现漏水后及时告知，无过错。",
        terms=[{"content": "被申请人李建国自行委托专业防水公司修复卫生间防水层，并承担全部费用", "manner": "委托施工，申请人配合入户查看",
                "days": 10},
               {"content": "被申请人李建国赔偿申请人王小梅天花板修复及衣柜损失费", "manner": "微信转账", "days": 15,
                "amount": "4800"}],
    ),
    Dispute(
        title="装修噪音及占用公共楼道纠纷", days_ago=40, stage="overdue",
        description="邻居装修连续两个月在晚上和周末施工，建材堆放在楼道，影响通行和休息，物业协调无果。",
        applicant=("陈秀兰", "13612345670", "440311196505082024"),
        respondent=("赵志明", "18676543210", "440311198807150035"),
        addresses=("深圳市光明区光明街道光明大街88号光明花园A座1201", "深圳市光明区光明街道光明大街88号光明花园A座1202"),
        facts="被申请人自2026年9月起装修住房，多次在晚间22时后及周末午休时段施工，并将建材长期堆放于公共楼道。"
              "申请人多次向物业反映，物业协调未果。",
        matters="一、施工时间安排；二、楼道建材清理；三、对申请人的补偿。",
        responsibilities="被申请人违反小区装修管理规定施工并占用公共通道，应承担主要责任。",
        terms=[{"content": "被申请人赵志明仅在工作日8时至12时、14时至18时施工，周末及节假日不施工", "manner": "自本协议生效之日起执行"},
               {"content": "被申请人赵志明清理公共楼道内堆放的全部建材", "manner": "自行清理", "days": 3},
               {"content": "被申请人赵志明向申请人陈秀兰书面致歉，并补偿清洁费", "manner": "现金当面支付", "days": 7,
                "amount": "600"}],
    ),
    Dispute(
        title="兄弟间赡养老人费用分担纠纷", days_ago=20, stage="effective", form=Agreement.Form.ORAL,
        description="我和弟弟对母亲的赡养费和看病费用分担有争议，母亲住在我家，弟弟不愿意出钱。",
        applicant=("刘建华", "13751234567", "440311197002083014"),
        respondent=("刘建军", "13987654321", "440311197405123015"),
        addresses=("深圳市光明区光明街道东周社区东周路12号", "深圳市光明区光明街道碧眼社区碧眼路5号"),
        facts="双方母亲现年八十二岁，自2025年起随申请人居住。被申请人认为母亲由申请人照顾，拒绝分担医疗费。",
        matters="母亲赡养费及医疗费用的分担。",
        responsibilities="赡养父母是子女的法定义务，双方均应承担；申请人承担日常照料，被申请人应多承担费用。",
        terms=[{"content": "被申请人刘建军每月向母亲支付赡养费，母亲医疗费用自付部分由双方各半承担", "manner": "每月5日前转账至母亲账户",
                "amount": "1500"}],
    ),
    Dispute(
        title="物业费与停车位使用纠纷", days_ago=10, stage="signing",
        description="物业公司以我欠物业费为由锁了我的车位地锁，我认为物业服务不到位，要求调解。",
        applicant=("黄丽娟", "15012345678", "440311198501206025"),
        respondent=("深圳市光明区某物业管理有限公司", "0755-27712345", ""),
        addresses=("深圳市光明区光明街道圳美社区圳美花园7栋301", "深圳市光明区光明街道圳美社区圳美花园物业服务中心"),
        facts="申请人自2026年3月起未缴纳物业费共计2,760元，认为电梯经常故障、地下车库照明不足。被申请人于2026年11月锁闭申请人车位地锁。",
        matters="一、欠缴物业费的缴纳；二、车位地锁的解除；三、电梯和车库照明的整改。",
        responsibilities="申请人未按约缴纳物业费存在过错；被申请人以锁闭车位方式催缴不当，且服务存在瑕疵。",
        terms=[{"content": "被申请人立即解除申请人车位地锁", "manner": "物业当场解除", "days": 1},
               {"content": "申请人黄丽娟补缴2026年3月至11月物业费，被申请人减免其中一个月物业费", "manner": "物业服务中心缴纳",
                "days": 10, "amount": "2453"},
               {"content": "被申请人于三十日内完成地下车库照明整改并对电梯进行全面检修", "manner": "书面告知业主", "days": 30}],
    ),
]


AGREEMENT_SOURCE = "demo-agreements"


def _dispute_case(d: Dispute, *, key: str, resident, at: datetime, committee, operator, street_op):
    from fengqiao.org.models import Region

    parties = [
        cs.PartyInput(role=Party.PartyRole.APPLICANT, name=d.applicant[0], phone=d.applicant[1],
                      id_type=Party.IdType.RESIDENT_ID if d.applicant[2] else "", id_number=d.applicant[2]),
        cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=d.respondent[0], phone=d.respondent[1],
                      kind=Party.Kind.PERSON if d.respondent[2] else Party.Kind.ORGANISATION,
                      id_type=Party.IdType.RESIDENT_ID if d.respondent[2] else "", id_number=d.respondent[2]),
    ]
    case = cs.case_submit(channel=Channel.WEB if d.resident else Channel.WALK_IN, service_type=ServiceType.MEDIATION,
                          title=d.title, description=d.description, region=Region.objects.get(code=COMMUNITY),
                          parties=parties, applicant_user=resident if d.resident else None, submitted_at=at,
                          source_system=AGREEMENT_SOURCE, source_id=key)
    cs.case_accept(case=case, actor=operator, at=at + timedelta(minutes=25))
    cs.case_escalate(case=case, actor=operator, reason="邻里纠纷，需街道人民调解委员会调解", at=at + timedelta(minutes=40))
    cs.case_dispatch(case=case, actor=street_op, unit=committee, at=at + timedelta(hours=2))
    return case


@transaction.atomic
def seed_agreements(rng: random.Random, now: datetime) -> dict[str, int]:
    """Four disputes mediated to an agreement by gm_mediator (see the module's doc); returns what was made."""
    from fengqiao.accounts.models import User
    from fengqiao.mediation import casework as cw
    from fengqiao.mediation.models import MeetingMode
    from fengqiao.org.models import OrgUnit

    committee = OrgUnit.objects.get(name=COMMITTEE)
    mediator = User.objects.get(username="gm_mediator")
    operator = User.objects.get(username="gm_community_op")
    street_op = User.objects.get(username="gm_street_op")
    resident = User.objects.filter(username="gm_resident").first()
    made = {"agreements": 0, "effective": 0, "follow_ups_done": 0}
    for number, d in enumerate(DISPUTES, start=1):
        key = f"demo-agreement-{number}"
        came_in = now - timedelta(days=d.days_ago, hours=rng.randint(0, 6))
        if Case.objects.filter(source_system=AGREEMENT_SOURCE, source_id=key).exists():
            continue  # the demo is seeded again: this dispute is already there
        case = _dispute_case(d, key=key, resident=resident, at=came_in, committee=committee, operator=operator,
                             street_op=street_op)
        opened = came_in + timedelta(hours=rng.randint(20, 30))
        mediation = cw.mediation_open(case=case, actor=mediator, at=opened)
        held = opened + timedelta(days=3, hours=rng.randint(0, 4))
        session = cw.session_schedule(mediation=mediation, actor=mediator, scheduled_at=held,
                                      mode=MeetingMode.IN_PERSON, place="光明街道人民调解室", at=opened)
        attendees = [cw.AttendeeInput(party=p) for p in case.parties.order_by("id")]
        attendees.append(cw.AttendeeInput(user=mediator))
        cw.session_hold(session=session, actor=mediator, attendees=attendees, at=held,
                        record="双方当事人到场，分别陈述了纠纷经过和诉求；调解员释明相关法律规定，双方同意按下列方案解决。")
        drawn = held + timedelta(hours=1)
        parties = list(case.parties.order_by("id"))
        terms = [{"content": t["content"], "manner": t.get("manner", ""), "amount": t.get("amount"),
                  "due_on": (drawn + timedelta(days=t["days"])).date() if t.get("days") else None} for t in d.terms]
        agreement = svc.agreement_draft(mediation=mediation, actor=mediator, form=d.form, facts=d.facts,
                                        matters=d.matters, responsibilities=d.responsibilities, terms=terms,
                                        addresses={p.pk: a for p, a in zip(parties, d.addresses, strict=True)},
                                        at=drawn)
        made["agreements"] += 1
        signed = drawn + timedelta(minutes=30)
        if d.form == Agreement.Form.ORAL:
            svc.agreement_record_oral(agreement=agreement, actor=mediator, note="双方当面口头同意上述方案。", at=signed)
        else:
            ways = ["signature", "fingerprint"]
            for i, party in enumerate(agreement.parties.all()):
                if d.stage == "signing" and i > 0:
                    break
                way = "seal" if party.role == "respondent" and not d.respondent[2] else ways[i % 2]
                svc.agreement_sign_party(agreement_party=party, actor=mediator, signed_by=way,
                                         at=signed + timedelta(minutes=i))
            if d.stage != "signing":
                svc.agreement_sign_mediator(agreement=agreement, actor=mediator, at=signed + timedelta(minutes=5))
                svc.agreement_seal(agreement=agreement, actor=mediator, at=signed + timedelta(minutes=8))
        agreement.refresh_from_db()
        if agreement.status != Agreement.Status.EFFECTIVE:
            continue
        made["effective"] += 1
        oral = d.form == Agreement.Form.ORAL
        cw.mediation_conclude(mediation=mediation, actor=mediator,
                              outcome="agreement_oral" if oral else "agreement_written",
                              note="；".join(t["content"] for t in d.terms) if oral else "双方达成书面调解协议，协议已签署生效。",
                              at=signed + timedelta(minutes=20))
        if d.stage == "performed":
            for visit in agreement.follow_ups.order_by("due_on"):
                if visit.due_on > now.date():
                    break
                svc.followup_record(followup=visit, actor=mediator, performance=FollowUp.Performance.PERFORMED,
                                    note="电话回访双方：防水已修复，赔偿款已转账，双方表示满意。",
                                    at=datetime.combine(visit.due_on, signed.timetz()))
                made["follow_ups_done"] += 1
    return made
