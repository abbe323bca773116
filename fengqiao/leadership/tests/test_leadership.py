"""Leaders own major or old cases (包案), supervise them from their page, and take sink-down duty (下沉接访)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fengqiao.cases.models import CaseEvent, Grade
from fengqiao.leadership import services as svc
from fengqiao.leadership.models import DutyShift, Ownership
from fengqiao.notifications.models import Notification
from fengqiao.org.models import ServicePoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_case(make_case, cast):
    from fengqiao.cases import services as cs

    case = make_case()
    cs.case_regrade(case=case, actor=cast.op_district, grade=Grade.RED, reason="群体性欠薪")
    return case


def test_a_leader_takes_a_major_case_and_the_holder_is_told(cast, red_case):
    ownership = svc.ownership_take(case=red_case, leader=cast.leader, reason="涉及二十余名工人")
    assert ownership.basis == "major" and ownership.unit.name == "光明区群众诉求服务大厅"
    told = Notification.objects.filter(key=f"ownership:{ownership.pk}:taken").values_list("recipient", flat=True)
    assert cast.op_community.pk in told  # the community centre holds the new case


def test_only_major_or_old_cases_and_only_one_owner(cast, make_case, red_case):
    green = make_case()
    with pytest.raises(ValidationError, match=r"neither|两者都不是"):
        svc.ownership_take(case=green, leader=cast.leader)
    # old: open over 30 days
    svc.ownership_take(case=green, leader=cast.leader, at=green.submitted_at + timedelta(days=31))
    svc.ownership_take(case=red_case, leader=cast.leader)
    with pytest.raises(ValidationError, match=r"already owns|已包办此案"):
        svc.ownership_take(case=red_case, leader=cast.leader)
    for outsider in (cast.op_district, cast.auditor, cast.luohu_op):
        with pytest.raises(PermissionDenied):
            svc.ownership_take(case=make_case(), leader=outsider)
    assert Ownership.objects.count() == 2


def test_supervision_from_the_leaders_page_lands_on_the_timeline(cast, red_case, client_for):
    ownership = svc.ownership_take(case=red_case, leader=cast.leader)
    client = client_for(cast.leader)
    page = client.get("/leadership/")
    assert red_case.code.encode() in page.content
    client.post(f"/leadership/owned/{ownership.pk}/supervise/", {"reason": "三日内反馈核查结果"})
    assert CaseEvent.objects.filter(case=red_case, action="supervise", actor=cast.leader,
                                    reason="三日内反馈核查结果").exists()
    page = client.get("/leadership/")
    assert "三日内反馈核查结果".encode() in page.content
    # another leader cannot supervise or release it from here
    assert client_for(cast.op_district).post(f"/leadership/owned/{ownership.pk}/supervise/",
                                             {"reason": "x"}).status_code == 404
    with pytest.raises(ValidationError):  # an open case is released only with a reason
        svc.ownership_release(ownership=ownership, actor=cast.leader, reason="")
    svc.ownership_release(ownership=ownership, actor=cast.leader, reason="已移交街道主任包案")
    assert Ownership.objects.get().released_at is not None


def test_take_from_the_case_page(cast, red_case, client_for):
    client = client_for(cast.leader)
    page = client.get(f"/cases/{red_case.code}/")
    assert b'id="take-case"' in page.content
    client.post(f"/leadership/take/{red_case.code}/", {"reason": ""})
    assert Ownership.objects.filter(case=red_case, leader=cast.leader).exists()
    page = client_for(cast.op_community).get(f"/cases/{red_case.code}/")
    assert b"data-owner" in page.content and b'id="take-case"' not in page.content


def test_duty_is_scheduled_in_the_leaders_area_without_overlap_and_recorded(cast, make_case, org):
    now = timezone.now()
    point = ServicePoint.objects.filter(region__path__contains="/440311/").first()
    luohu = ServicePoint.objects.filter(region__path__contains="/440303/").first()
    start = (now + timedelta(days=2)).replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 in Shenzhen
    shift = svc.duty_schedule(leader=cast.leader, service_point=point, starts_at=start,
                              ends_at=start + timedelta(hours=3), actor=cast.leader)
    problems = [
        {"service_point": luohu},  # outside the leader's area
        {"starts_at": start + timedelta(hours=1)},  # overlaps
        {"ends_at": start - timedelta(hours=1)},  # ends before it starts
        {"starts_at": now + timedelta(weeks=20), "ends_at": now + timedelta(weeks=20, hours=2)},  # too far ahead
    ]
    for change in problems:
        args = {"leader": cast.leader, "service_point": point, "starts_at": start + timedelta(days=1),
                "ends_at": start + timedelta(days=1, hours=3), "actor": cast.leader}
        args.update(change)
        if "starts_at" in change and "ends_at" not in change:
            args["ends_at"] = change["starts_at"] + timedelta(hours=2)
        with pytest.raises(ValidationError):
            svc.duty_schedule(**args)
    with pytest.raises(PermissionDenied):  # a department handler does not schedule a leader
        svc.duty_schedule(leader=cast.leader, service_point=point, starts_at=start + timedelta(days=3),
                          ends_at=start + timedelta(days=3, hours=2), actor=cast.handler)
    with pytest.raises(ValidationError):  # not started yet
        svc.duty_record(shift=shift, actor=cast.leader, held=True, visitors=3)
    case = make_case()
    with pytest.raises(ValidationError, match="GM-2099-999999"):
        svc.duty_record(shift=shift, actor=cast.leader, held=True, visitors=3,
                        case_codes=[case.code, "GM-2099-999999"], at=start + timedelta(hours=3))
    done = svc.duty_record(shift=shift, actor=cast.leader, held=True, visitors=3, case_codes=[case.code.lower()],
                           at=start + timedelta(hours=3))
    assert done.status == DutyShift.Status.HELD and list(done.cases.all()) == [case] and done.visitors == 3
    with pytest.raises(ValidationError):  # recorded once
        svc.duty_record(shift=shift, actor=cast.leader, held=False, note="x", at=start + timedelta(hours=4))


def test_owned_cases_are_on_the_leaders_home_page(cast, red_case, client_for):
    svc.ownership_take(case=red_case, leader=cast.leader)
    home = client_for(cast.leader).get("/")
    assert b"data-owned" in home.content and red_case.code.encode() in home.content
    assert b"data-owned" not in client_for(cast.op_community).get("/").content
