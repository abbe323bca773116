"""Demo of the resident's side of mediation: the demo mediators' hours at their service points, and bookings —
some ahead (one by the demo resident, one by video), some past and attended with the resident's rating, one
cancelled, one where the resident did not come. Everything through fengqiao.mediation.bookings.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from fengqiao.mediation import bookings as svc
from fengqiao.mediation import rules
from fengqiao.mediation.models import Booking, MediatorHours, MediatorProfile, MeetingMode, Specialty
from fengqiao.mediation.services import mediator_register
from fengqiao.org.models import ServicePoint, ServicePointLevel

VIDEO_BASE = "https://meeting.gm.example/room/"  # the district's meeting system (none is built here)

# username → (service point: level, region name), hours (weekday, start, end, minutes), video room, about
HOURS = {
    "gm_mediator": ((ServicePointLevel.STREET_HALL, "光明街道"),
                    [(0, time(9), time(12), 60), (2, time(9), time(12), 60), (3, time(14), time(17), 60)], "",
                    "光明街道人民调解委员会专职调解员，从事人民调解工作十二年，擅长邻里、婚姻家庭和物业纠纷。"),
    "gm_lawyer": ((ServicePointLevel.STREET_HALL, "光明街道"),
                  [(1, time(14), time(17), 60), (3, time(9), time(12), 60)], "gm-lawyer-zeng",
                  "执业律师，驻光明街道公共法律服务工作站，擅长劳动争议、欠薪和合同纠纷。"),
    "gm_psychologist": ((ServicePointLevel.STREET_HALL, "光明街道"),
                        [(2, time(14), time(17), 60), (4, time(14), time(17), 60)], "gm-psy-song",
                        "国家二级心理咨询师，参与“话聊”调解，帮助当事人疏导情绪、修复关系。"),
    "gm_elder": ((ServicePointLevel.STREET_HALL, "公明街道"),
                 [(0, time(9), time(11), 60), (1, time(9), time(11), 60), (4, time(9), time(11), 60)], "",
                 "退休老干部，“五老”调解志愿者，熟悉社区情况，擅长邻里和宅基地纠纷。"),
    "gm_judge": ((ServicePointLevel.DISTRICT_HALL, "光明区"),
                 [(4, time(14, 30), time(17, 30), 60)], "",
                 "光明区人民法院驻诉求服务大厅法官，提供诉前调解和司法确认指导。"),
}

# (mediator, name, phone, specialty, matter)
BOOKINGS = [
    ("gm_mediator", "陈秀兰", "13912345601", Specialty.NEIGHBOUR,
     "楼上住户装修和深夜噪音已持续两个月，多次上门沟通无果，希望调解员出面协调作息时间。"),
    ("gm_mediator", "刘建平", "13912345602", Specialty.PROPERTY,
     "小区物业擅自将消防通道改为收费停车位，业主与物业多次争执，希望调解。"),
    ("gm_lawyer", "黄志强", "13912345603", Specialty.LABOUR,
     "在光明某电子厂工作两年，离职时公司拒付最后两个月工资约1.2万元，想了解如何维权并调解。"),
    ("gm_psychologist", "周小燕", "13912345604", Specialty.FAMILY,
     "与丈夫因照顾老人和孩子教育问题长期争吵，双方情绪都很差，希望有人帮助沟通。"),
    ("gm_elder", "邓伯", "13912345605", Specialty.LAND,
     "与邻居因老屋滴水檐和院墙界线发生争执，双方都有老人，希望五老帮忙说和。"),
    ("gm_judge", "吴海涛", "13912345606", Specialty.TRAFFIC,
     "电动车与小轿车剐蹭，对方只愿赔偿修车费，我的医药费和误工费没有着落，想先调解再看是否起诉。"),
    ("gm_lawyer", "林慧", "13912345607", Specialty.COMMERCIAL,
     "装修公司收了定金后迟迟不开工，合同约定的工期已过，希望调解退还定金。"),
    ("gm_mediator", "赵敏", "13912345608", Specialty.FAMILY,
     "兄妹三人因母亲赡养费分担和老房子使用问题产生矛盾，希望调解员帮助协商。"),
]
RATINGS = [
    (5, "调解员很耐心，把双方的道理都讲清楚了，邻居也同意晚上十点后不再施工。"),
    (4, "讲解很专业，帮我算清了应得的工资和补偿，公司答应分两次支付。"),
    (5, "老人家说话公道，两家人坐下来把界线量清楚了，谢谢！"),
]


def _point(level: str, region_name: str) -> ServicePoint | None:
    return ServicePoint.objects.filter(level=level, region__name=region_name, is_active=True).order_by("pk").first()


def seed_hours() -> dict[str, MediatorProfile]:
    profiles = {}
    for username, ((level, region_name), hours, room, bio) in HOURS.items():
        profile = MediatorProfile.objects.select_related("user").filter(user__username=username).first()
        if profile is None:
            continue
        point = _point(level, region_name)
        profile = mediator_register(user=profile.user, unit=profile.unit, kind=profile.kind,
                                    specialties=list(profile.specialties), languages=profile.languages,
                                    service_point=point, bio=bio)
        if room:
            MediatorProfile.objects.filter(pk=profile.pk).update(video_link=VIDEO_BASE + room)
            profile.video_link = VIDEO_BASE + room
        if not MediatorHours.objects.filter(mediator=profile).exists():
            MediatorHours.objects.bulk_create(
                MediatorHours(mediator=profile, weekday=wd, start=start, end=end, slot_minutes=minutes,
                              service_point=point)
                for wd, start, end, minutes in hours
            )
        profiles[username] = profile
    return profiles


def _slot(rng: random.Random, profile: MediatorProfile, at: datetime, days: int) -> rules.Slot | None:
    slots = svc.free_slots(profile, now=at, days=days)
    return rng.choice(slots[: max(1, len(slots) // 2)]) if slots else None


def seed_bookings(rng: random.Random, now: datetime) -> int:
    """Hours for the demo mediators and a handful of bookings around `now`; returns the bookings made (0 when the
    demo already has them)."""
    from fengqiao.accounts.models import User

    profiles = seed_hours()
    if not profiles or Booking.objects.filter(mediator__in=profiles.values()).exists():
        return 0
    resident = User.objects.filter(username="gm_resident").first()
    made = 0
    # Past meetings: booked about two weeks ago, held, most of them rated.
    past = [BOOKINGS[0], BOOKINGS[2], BOOKINGS[4], BOOKINGS[1]]
    for i, (username, name, phone, specialty, matter) in enumerate(past):
        profile = profiles.get(username)
        booked_at = now - timedelta(days=16 + i)
        slot = _slot(rng, profile, booked_at, 10) if profile is not None else None
        if profile is None or slot is None:
            continue
        booking = svc.booking_create(svc.BookingRequest(mediator=profile, starts_at=slot.starts_at, name=name,
                                                        phone=phone, matter=matter, specialty=specialty),
                                     now=booked_at)
        came = i < 3
        svc.booking_mark(booking, profile.user, came, now=slot.starts_at + timedelta(minutes=50))
        if came:
            stars, comment = RATINGS[i]
            svc.booking_rate(booking=booking, stars=stars, comment=comment)
        made += 1
    # Coming meetings: one by the demo resident (signed in), one by video, one cancelled.
    upcoming = [(BOOKINGS[5], resident, MeetingMode.IN_PERSON), (BOOKINGS[3], None, MeetingMode.VIDEO),
                (BOOKINGS[6], None, MeetingMode.IN_PERSON), (BOOKINGS[7], None, MeetingMode.IN_PERSON)]
    for j, ((username, name, phone, specialty, matter), who, mode) in enumerate(upcoming):
        profile = profiles.get(username)
        slot = _slot(rng, profile, now, rules.BOOKING_DAYS) if profile is not None else None
        if profile is None or slot is None:
            continue
        if who is not None:
            name, phone = who.name or name, who.phone or phone
        booking = svc.booking_create(svc.BookingRequest(
            mediator=profile, starts_at=slot.starts_at, name=name, phone=phone, matter=matter, specialty=specialty,
            mode=mode if profile.video_link else MeetingMode.IN_PERSON, resident=who), now=now)
        if j == 3 and rules.may_change_booking(booking.starts_at, now):
            svc.booking_cancel(booking=booking, reason="家里已经商量好了，暂时不需要调解。", now=now)
        made += 1
    return made
