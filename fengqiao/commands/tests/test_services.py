"""Commands and check-in through the services: who may do what, the flags, the clock, the thread, the tally."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fengqiao.commands import services as svc
from fengqiao.commands.models import CheckInPerson, Command, CommandTarget, Flag, Level, Post, Rank
from fengqiao.notifications.models import Notification
from fengqiao.org.models import OrgUnit, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case):
    return make_case()


def _issue(cast, org, case, people, *, level=Level.URGENT, units=None, at=None):
    command = svc.command_issue(case=case, actor=cast.op_street, issuer_unit=org.street_centre, level=level,
                                units=units or [org.hr, org.housing], instructions="立即到现场处置欠薪聚集", at=at)
    return svc.command_sign(command=command, actor=people.head, at=at)


def test_an_operator_draws_up_and_the_head_signs_then_every_department_is_told(cast, org, case, people):
    command = svc.command_issue(case=case, actor=cast.op_street, issuer_unit=org.street_centre, level=Level.URGENT,
                                units=[org.hr, org.housing], instructions="立即到现场")
    assert command.status == Command.Status.AWAITING_SIGNATURE and command.due_at is None
    assert Notification.objects.filter(recipient=people.head, key=f"command:{command.pk}:sign").exists()
    with pytest.raises(PermissionDenied):
        svc.command_sign(command=command, actor=cast.op_street)  # the operator is not the head
    signed = svc.command_sign(command=command, actor=people.head)
    assert signed.status == Command.Status.ISSUED
    assert signed.due_at == signed.issued_at + timedelta(minutes=30)
    told = set(Notification.objects.filter(key=f"command:{command.pk}:issued").values_list("recipient", flat=True))
    assert {cast.handler.pk, cast.handler_other.pk, people.chief.pk} <= told


def test_a_head_issuing_signs_at_once(cast, org, case, people):
    command = svc.command_issue(case=case, actor=people.head, issuer_unit=org.street_centre, level=Level.GENERAL,
                                units=[org.hr], instructions="三日内联系当事人")
    assert command.status == Command.Status.ISSUED and command.signed_by == people.head


def test_refusals_write_nothing(cast, org, case, people):
    luohu_department = OrgUnit.objects.filter(region__path__contains="/440303/", kind="department").first()
    cases = [
        ({"units": [luohu_department]}, ValidationError),  # another district
        ({"units": [org.district_centre]}, ValidationError),  # the centre above
        ({"units": []}, ValidationError),
        ({"instructions": "  "}, ValidationError),
        ({"actor": cast.handler}, PermissionDenied),  # a department does not command
        ({"actor": cast.auditor}, PermissionDenied),
        ({"issuer_unit": org.hr, "actor": people.chief}, PermissionDenied),  # not a centre
    ]
    for change, error in cases:
        args = {"case": case, "actor": cast.op_street, "issuer_unit": org.street_centre, "level": Level.URGENT,
                "units": [org.hr], "instructions": "到场"}
        args.update(change)
        with pytest.raises(error):
            svc.command_issue(**args)
    assert not Command.objects.exists() and not CommandTarget.objects.exists()


def test_check_ins_are_flagged_not_refused(cast, org, case, people):
    start = timezone.now()
    command = _issue(cast, org, case, people, at=start)
    hr = command.targets.get(unit=org.hr)
    housing = command.targets.get(unit=org.housing)
    # HR on time with a section chief and a colleague, at the place
    good = svc.command_checkin(target=hr, actor=people.chief, on_site=True, people=[people.chief, cast.handler],
                               latitude=case.region.latitude, longitude=case.region.longitude,
                               at=start + timedelta(minutes=20))
    assert good.flags == ()
    # housing late, alone and without rank
    bad = svc.command_checkin(target=housing, actor=cast.handler_other, on_site=True, people=[cast.handler_other],
                              latitude=case.region.latitude, longitude=case.region.longitude,
                              at=start + timedelta(minutes=41))
    assert set(bad.flags) == {Flag.LATE, Flag.UNDER_RANKED, Flag.SHORT_HANDED}
    housing.refresh_from_db()
    assert housing.status == CommandTarget.Status.CHECKED_IN and Flag.LATE in housing.flags
    thread = [p.message["msg"] for p in Post.objects.filter(command=command, kind=Post.Kind.SYSTEM)]
    assert "%(unit_name)s checked in late" in thread
    assert Notification.objects.filter(recipient=cast.op_street, key=f"command:{command.pk}:checkin:{housing.pk}")


def test_check_in_refusals(cast, org, case, people):
    command = _issue(cast, org, case, people)
    hr = command.targets.get(unit=org.hr)
    with pytest.raises(PermissionDenied):  # housing does not check in for HR
        svc.command_checkin(target=hr, actor=cast.handler_other, on_site=False, people=[cast.handler_other])
    with pytest.raises(ValidationError):  # a person not of the department
        svc.command_checkin(target=hr, actor=cast.handler, on_site=False, people=[cast.handler, cast.handler_other])
    with pytest.raises(ValidationError):  # nobody named
        svc.command_checkin(target=hr, actor=cast.handler, on_site=False, people=[])
    with pytest.raises(ValidationError):  # a position off the globe
        svc.command_checkin(target=hr, actor=cast.handler, on_site=True, people=[cast.handler], latitude=95,
                            longitude=113.9)
    assert not CheckInPerson.objects.exists()
    svc.command_checkin(target=hr, actor=cast.handler, on_site=False, people=[cast.handler])
    with pytest.raises(ValidationError):  # a second check-in for the department
        svc.command_checkin(target=hr, actor=people.chief, on_site=False, people=[people.chief])


def test_the_same_person_checks_in_once_per_command(cast, org, case, people):
    # a person who belongs to two commanded departments
    from fengqiao.org.models import Membership

    Membership.objects.create(user=people.chief, unit=org.housing, role=Role.HANDLER)
    command = _issue(cast, org, case, people)
    svc.command_checkin(target=command.targets.get(unit=org.hr), actor=people.chief, on_site=False,
                        people=[people.chief])
    with pytest.raises(ValidationError, match=r"Already checked in|已就此发令报到"):
        svc.command_checkin(target=command.targets.get(unit=org.housing), actor=people.chief, on_site=False,
                            people=[people.chief])


def test_the_clock_flags_who_did_not_come_once(cast, org, case, people):
    start = timezone.now() - timedelta(hours=1)
    command = _issue(cast, org, case, people, at=start)
    svc.command_checkin(target=command.targets.get(unit=org.hr), actor=people.chief, on_site=False,
                        people=[people.chief], at=start + timedelta(minutes=10))
    assert svc.sweep_commands(now=start + timedelta(minutes=29)) == 0  # not yet
    assert svc.sweep_commands(now=start + timedelta(minutes=31)) == 1
    assert svc.sweep_commands(now=start + timedelta(minutes=40)) == 0  # never twice
    housing = command.targets.get(unit=org.housing)
    assert housing.status == CommandTarget.Status.MISSING and housing.flags == [Flag.MISSING]
    # coming late after all keeps the miss on record
    svc.command_checkin(target=housing, actor=cast.handler_other, on_site=False, people=[cast.handler_other],
                        at=start + timedelta(minutes=50))
    housing.refresh_from_db()
    assert housing.flags[0] == Flag.MISSING and Flag.LATE in housing.flags
    counts = svc.tally(since=start - timedelta(days=1), until=start + timedelta(days=1))
    assert counts[org.hr.pk]["on_time"] == 1 and counts[org.housing.pk]["missing"] == 1
    assert counts[org.housing.pk]["on_time"] == 0


def test_confirming_while_a_department_has_not_come_needs_a_reason(cast, org, case, people):
    command = _issue(cast, org, case, people)
    with pytest.raises(ValidationError):
        svc.command_confirm(command=command, actor=cast.op_street)
    with pytest.raises(PermissionDenied):
        svc.command_confirm(command=command, actor=cast.handler, reason_text="已处置")
    done = svc.command_confirm(command=command, actor=cast.op_street, reason_text="现场已由街道协调处置完毕")
    assert done.status == Command.Status.FULFILLED and done.close_reason
    with pytest.raises(ValidationError):
        svc.command_confirm(command=done, actor=cast.op_street, reason_text="again")


def test_escalation_goes_to_the_centre_above_whose_command_binds(cast, org, case, people):
    command = _issue(cast, org, case, people, level=Level.GENERAL)
    with pytest.raises(ValidationError):
        svc.command_escalate(command=command, actor=cast.op_street, reason_text="")
    higher = svc.command_escalate(command=command, actor=cast.op_street, reason_text="两部门均未到场")
    command.refresh_from_db()
    assert command.status == Command.Status.ESCALATED and higher.escalated_from == command
    assert higher.issuer_unit == org.district_centre and higher.level == Level.MAJOR
    assert higher.status == Command.Status.AWAITING_SIGNATURE
    assert set(higher.targets.values_list("unit", flat=True)) == {org.hr.pk, org.housing.pk}
    signed = svc.command_sign(command=higher, actor=cast.leader)  # the district centre's leader
    assert signed.status == Command.Status.ISSUED


def test_the_thread_is_written_by_the_command_group_only(cast, org, case, people):
    command = _issue(cast, org, case, people)
    svc.command_post(command=command, actor=cast.handler, text="已联系企业负责人，正在核实工资表")
    with pytest.raises(PermissionDenied):
        svc.command_post(command=command, actor=cast.mediator, text="旁观")
    with pytest.raises(ValidationError):
        svc.command_post(command=command, actor=cast.handler, text=" ")
    assert Post.objects.filter(command=command, kind=Post.Kind.PROGRESS, unit=org.hr).count() == 1


def test_a_category_policy_wins_over_the_level_default(cast, org, case, people):
    from fengqiao.cases.models import Category
    from fengqiao.commands.models import CommandPolicy

    category = Category.objects.create(code="T-WAGE", name="欠薪")
    case.category = category
    case.save(update_fields=["category"])
    CommandPolicy.objects.create(level=Level.URGENT, category=category, checkin_amount=15, checkin_unit="minutes",
                                 min_rank=Rank.DIVISION, headcount=3, on_site=True)
    command = _issue(cast, org, case, people)
    assert (command.checkin_amount, command.min_rank, command.headcount) == (15, Rank.DIVISION, 3)
    assert command.due_at == command.issued_at + timedelta(minutes=15)


def test_the_scheduler_enqueues_the_command_clock(db):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    call_command("fq_scheduler", once=True)
    assert DBTaskResult.objects.filter(task_path="fengqiao.commands.tasks.sweep_commands").exists()


def test_the_task_runs_the_sweep(cast, org, case, people):
    from fengqiao.commands.tasks import sweep_commands

    _issue(cast, org, case, people, at=timezone.now() - timedelta(hours=1))
    assert sweep_commands.call() == 2
    assert CommandTarget.objects.filter(status=CommandTarget.Status.MISSING).count() == 2


def test_the_case_timeline_records_the_command_and_the_resident_reads_it(cast, org, case, people):
    from fengqiao.cases.models import CaseEvent
    from fengqiao.cases.public import public_timeline

    command = _issue(cast, org, case, people)
    svc.command_confirm(command=command, actor=cast.op_street, reason_text="现场已处置")
    steps = list(CaseEvent.objects.filter(case=case, action="command").values_list("data", flat=True))
    assert [d["step"] for d in steps] == ["issued", "fulfilled"]
    lines = " ".join(f"{e.label} {e.text} {e.unit}" for e in public_timeline(case) if e.action == "command")
    assert org.hr.name in lines


def test_the_daily_reminder_tells_each_department_its_shortfalls_of_yesterday_once(cast, org, case, people):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    issued = datetime(2026, 12, 3, 14, 0, tzinfo=tz)
    command = _issue(cast, org, case, people, at=issued)
    svc.command_checkin(target=command.targets.get(unit=org.hr), actor=people.chief, on_site=False,
                        people=[people.chief, cast.handler], at=issued + timedelta(minutes=50))
    svc.sweep_commands(now=issued + timedelta(hours=1))
    morning = datetime(2026, 12, 4, 9, 0, tzinfo=tz)
    assert svc.daily_reminder(now=morning - timedelta(hours=2)) == 0  # before 08:00
    assert svc.daily_reminder(now=morning) == 2
    assert svc.daily_reminder(now=morning + timedelta(hours=1)) == 2  # counted again, told once
    hr_notes = Notification.objects.filter(recipient=cast.handler, key__startswith="command-daily:2026-12-03")
    assert hr_notes.count() == 1
    housing = Notification.objects.get(recipient=cast.handler_other, key__startswith="command-daily:2026-12-03")
    assert "Did not check in 1" in housing.title or "未报到 1" in housing.title


def test_a_command_reaches_each_department_by_sms_through_the_outbox(cast, org, case, people, settings):
    from fengqiao.notifications.models import OutboxMessage

    settings.FQ_NOTIFY_CHANNELS = {**settings.FQ_NOTIFY_CHANNELS, "sms": True}
    cast.handler.phone = "13800138001"
    cast.handler.save(update_fields=["phone"])
    command = _issue(cast, org, case, people)
    assert OutboxMessage.objects.filter(channel="sms", address="13800138001",
                                        key__startswith=f"command:{command.pk}:issued").exists()
