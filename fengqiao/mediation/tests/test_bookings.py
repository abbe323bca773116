"""Booking a mediator: free slots on the working calendar, the booking with its case, bad input, the race for a
slot, cancelling and moving, whether the resident came, the rating once, and the reminder the day before."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.public import public_timeline
from fengqiao.cases.workflow import Action, Status
from fengqiao.mediation import bookings as svc
from fengqiao.mediation import rules
from fengqiao.mediation.models import Booking, MediatorHours, MediatorProfile, MeetingMode, Rating, Specialty
from fengqiao.notifications.models import Notification, OutboxMessage
from fengqiao.org.models import ServicePoint
from fengqiao.sla.deadlines import LOCAL

# A plain week in December 2026 (no holiday): Monday 7th … Sunday 13th.
MONDAY = date(2026, 12, 7)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=LOCAL)


@pytest.fixture
def point(org):
    return ServicePoint.objects.filter(unit=org.street_centre).first()


@pytest.fixture
def mediator(cast, point):
    profile = MediatorProfile.objects.get(user=cast.mediator)
    MediatorHours.objects.filter(mediator=profile).delete()
    for weekday in (0, 2):  # Monday and Wednesday afternoons, one hour each
        MediatorHours.objects.create(mediator=profile, weekday=weekday, start=time(14), end=time(17), slot_minutes=60,
                                     service_point=point)
    return profile


def request_for(mediator, starts_at, **kw) -> svc.BookingRequest:
    fields = {"name": "王小梅", "phone": "138 0013 8000", "matter": "楼上邻居每天深夜噪音，多次沟通无果。",
              "specialty": Specialty.NEIGHBOUR}
    fields.update(kw)
    return svc.BookingRequest(mediator=mediator, starts_at=starts_at, **fields)


NOW = at(MONDAY, 9)  # Monday morning


# --- the rules, without a database ----------------------------------------------------------------------------------


class Row:
    def __init__(self, weekday, start, end, minutes=60, point=None):
        self.weekday, self.start, self.end, self.slot_minutes, self.service_point_id = weekday, start, end, minutes, point


def test_slots_cut_hours_into_the_grid_and_skip_the_past_and_taken():
    hours = [Row(0, time(14), time(17)), Row(0, time(9), time(10, 30), 30)]
    taken = [(at(MONDAY, 15), at(MONDAY, 16))]
    slots = rules.slots_for(hours, start=at(MONDAY, 9, 10), days=1, taken=taken)
    assert [s.starts_at.strftime("%H:%M") for s in slots] == ["09:30", "10:00", "14:00", "16:00"]


def test_no_slots_on_a_statutory_holiday_and_on_a_make_up_working_saturday_only_with_saturday_hours():
    # 2026: National Day holiday 1–7 October (Thursday 1 Oct); Saturday 10 October is a make-up working day.
    hours = [Row(3, time(9), time(12)), Row(5, time(9), time(10))]
    slots = rules.slots_for(hours, start=at(date(2026, 9, 28), 8), days=14)
    days = sorted({s.starts_at.date() for s in slots})
    assert date(2026, 10, 1) not in days  # Thursday, holiday
    assert date(2026, 10, 8) in days  # Thursday after the holiday
    assert date(2026, 10, 10) in days  # make-up working Saturday
    assert date(2026, 10, 3) not in days  # Saturday inside the holiday


@pytest.mark.parametrize("starts_at,expected", [
    (at(MONDAY, 8), "passed"),
    (at(MONDAY + timedelta(days=1), 14), "does not receive"),  # Tuesday: no hours
    (at(MONDAY, 18), "does not receive"),
    (at(MONDAY, 14, 30), "start at the times"),
    (at(MONDAY, 15), "taken"),
    (at(MONDAY + timedelta(days=21), 14), "days ahead"),
])
def test_slot_errors_say_what_is_wrong(starts_at, expected):
    hours = [Row(0, time(14), time(17))]
    with translation.override("en"):
        error = rules.slot_error(hours, starts_at, now=at(MONDAY, 9), taken=[(at(MONDAY, 15), at(MONDAY, 16))])
    assert error and expected in error


def test_changes_until_two_hours_before_and_reminder_the_day_before():
    start = at(MONDAY + timedelta(days=2), 14)
    assert rules.may_change_booking(start, start - timedelta(hours=2))
    assert not rules.may_change_booking(start, start - timedelta(hours=1, minutes=59))
    assert rules.remind_from(start) == at(MONDAY + timedelta(days=1), 9)
    assert rules.needs_reminder(starts_at=start, created_at=NOW, now=at(MONDAY + timedelta(days=1), 10))
    assert not rules.needs_reminder(starts_at=start, created_at=NOW, now=at(MONDAY, 10))
    late = at(MONDAY + timedelta(days=1), 12)  # booked after the reminder was due: the confirmation said it all
    assert not rules.needs_reminder(starts_at=start, created_at=late, now=late + timedelta(hours=1))


# --- services ---------------------------------------------------------------------------------------------------


def test_free_slots_leave_out_booked_ones(mediator):
    before = svc.free_slots(mediator, now=NOW)
    assert before[0].starts_at == at(MONDAY, 14)
    svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    after = svc.free_slots(mediator, now=NOW)
    assert at(MONDAY, 14) not in [s.starts_at for s in after] and len(after) == len(before) - 1


def test_booking_opens_a_case_dispatched_to_the_committee_with_the_step_for_the_resident(mediator, point, cast):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 15), resident=cast.resident), now=NOW)
    case = booking.case
    assert booking.status == Booking.Status.BOOKED and booking.phone == "13800138000"
    assert booking.service_point == point and booking.resident == cast.resident
    assert case.status == Status.DISPATCHED and case.holder_unit == mediator.unit
    assert case.service_type == "mediation" and case.channel == "web" and case.region == point.region
    assert case.applicant_user == cast.resident
    assert Case.objects.visible_to(cast.mediator).filter(pk=case.pk).exists()
    step = CaseEvent.objects.get(case=case, action=Action.MEDIATE)
    assert step.data["step"] == "booking" and step.is_public
    with translation.override("zh-hans"):
        labels = [e.label for e in public_timeline(case)]
    assert any("已预约调解员" in label and "2026-12-07 15:00" in label for label in labels), labels
    with translation.override("en"):
        assert any("Booked mediator" in e.label for e in public_timeline(case))
    assert Notification.objects.filter(recipient=cast.mediator, key=f"booking:{booking.code}:booked").exists()
    assert OutboxMessage.objects.filter(channel="sms", address="13800138000",
                                        key=f"booking:{booking.code}:confirmed:sms").exists()


def test_video_needs_the_mediators_link(mediator):
    with pytest.raises(ValidationError) as exc:
        svc.booking_create(request_for(mediator, at(MONDAY, 14), mode=MeetingMode.VIDEO), now=NOW)
    assert "mode" in exc.value.message_dict
    mediator.video_link = "https://meet.example.org/room-1"
    mediator.save()
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14), mode=MeetingMode.VIDEO), now=NOW)
    assert svc.place_text(booking) == "https://meet.example.org/room-1"


@pytest.mark.parametrize("lang,starts_at,field,words", [
    ("en", at(MONDAY, 8), "starts_at", "already passed"),
    ("zh-hans", at(MONDAY, 8), "starts_at", "已经过去"),
    ("en", at(MONDAY, 14, 20), "starts_at", "times shown"),
    ("en", at(MONDAY + timedelta(days=1), 14), "starts_at", "does not receive"),
])
def test_bad_slots_are_refused_in_the_residents_language_and_nothing_is_written(mediator, lang, starts_at, field,
                                                                                words):
    cases = Case.objects.count()
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        svc.booking_create(request_for(mediator, starts_at), now=NOW)
    assert words in " ".join(exc.value.message_dict[field])
    assert Case.objects.count() == cases and not Booking.objects.filter(mediator=mediator).exists()


def test_bad_phone_and_short_matter_are_refused(mediator):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_create(request_for(mediator, at(MONDAY, 14), phone="12345", matter="吵"), now=NOW)
    assert "not a phone number" in exc.value.message_dict["phone"][0]
    assert "matter" in exc.value.message_dict


def test_a_taken_slot_is_refused_with_a_clear_message(mediator):
    svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    cases = Case.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_create(request_for(mediator, at(MONDAY, 14), name="李四", phone="13900139000"), now=NOW)
    assert "taken" in exc.value.message_dict["starts_at"][0]
    assert Case.objects.count() == cases


def test_the_database_refuses_the_second_booking_of_a_racing_pair_and_leaves_no_orphan_case(mediator, monkeypatch):
    """Both residents passed the check before either wrote (the race): the unique constraint decides, and the
    loser's transaction leaves no booking and no case behind."""
    first = svc.booking_create(request_for(mediator, at(MONDAY, 16)), now=NOW)
    monkeypatch.setattr(svc, "taken_intervals", lambda *a, **k: [])  # the loser's check ran before the winner wrote
    cases, bookings = Case.objects.count(), Booking.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_create(request_for(mediator, at(MONDAY, 16), name="李四", phone="13900139000"), now=NOW)
    assert "just taken" in exc.value.message_dict["starts_at"][0]
    assert (Case.objects.count(), Booking.objects.count()) == (cases, bookings)
    assert Booking.objects.get(mediator=mediator, starts_at=at(MONDAY, 16), status="booked") == first


def test_double_submit_answers_with_the_first_booking(mediator):
    req = request_for(mediator, at(MONDAY, 14))
    one, replayed_one = svc.booking_submit(req, key="tok-1", now=NOW)
    two, replayed_two = svc.booking_submit(req, key="tok-1", now=NOW)
    assert (one.pk, replayed_one) == (two.pk, False) and replayed_two
    assert Booking.objects.filter(mediator=mediator).count() == 1


def test_cancel_frees_the_slot_and_records_the_step(mediator):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    svc.booking_cancel(booking=booking, reason="已和邻居自行协商好了", now=NOW)
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_at == NOW
    assert at(MONDAY, 14) in [s.starts_at for s in svc.free_slots(mediator, now=NOW)]
    step = CaseEvent.objects.filter(case=booking.case, action=Action.MEDIATE).latest("seq")
    assert step.data["step"] == "booking_cancelled" and step.reason == "已和邻居自行协商好了"
    again = svc.booking_create(request_for(mediator, at(MONDAY, 14), phone="13900139000"), now=NOW)
    assert again.status == Booking.Status.BOOKED  # the freed slot can be booked again
    with pytest.raises(ValidationError):
        svc.booking_cancel(booking=booking, now=NOW)  # already cancelled


def test_no_change_within_two_hours(mediator):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_cancel(booking=booking, now=at(MONDAY, 12, 30))
    assert "2 hours" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        svc.booking_move(booking=booking, starts_at=at(MONDAY, 16), now=at(MONDAY, 12, 30))


def test_move_takes_the_new_slot_and_frees_the_old(mediator):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    wednesday = at(MONDAY + timedelta(days=2), 15)
    svc.booking_move(booking=booking, starts_at=wednesday, now=NOW)
    booking.refresh_from_db()
    assert booking.starts_at == wednesday and booking.ends_at == wednesday + timedelta(hours=1)
    free = [s.starts_at for s in svc.free_slots(mediator, now=NOW)]
    assert at(MONDAY, 14) in free and wednesday not in free
    assert CaseEvent.objects.filter(case=booking.case, action=Action.MEDIATE, data__step="booking_moved").exists()


def test_move_to_a_taken_slot_is_refused_and_the_booking_stays(mediator, monkeypatch):
    mine = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    svc.booking_create(request_for(mediator, at(MONDAY, 15), phone="13900139000"), now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_move(booking=mine, starts_at=at(MONDAY, 15), now=NOW)
    assert "taken" in exc.value.message_dict["starts_at"][0]
    monkeypatch.setattr(svc, "taken_intervals", lambda *a, **k: [])  # the race: the database still refuses
    with pytest.raises(ValidationError):
        svc.booking_move(booking=mine, starts_at=at(MONDAY, 15), now=NOW)
    mine.refresh_from_db()
    assert mine.starts_at == at(MONDAY, 14) and mine.status == Booking.Status.BOOKED


def test_mark_and_rate_once(mediator, cast):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14), resident=cast.resident), now=NOW)
    with pytest.raises(PermissionDenied):
        svc.booking_mark(booking, cast.outsider, True, now=at(MONDAY, 15))
    with pytest.raises(ValidationError):
        svc.booking_mark(booking, cast.mediator, True, now=NOW)  # not begun
    with pytest.raises(ValidationError):
        svc.booking_rate(booking=booking, stars=5)  # not yet attended
    svc.booking_mark(booking, cast.mediator, True, now=at(MONDAY, 15))
    assert booking.status == Booking.Status.ATTENDED
    assert Notification.objects.filter(recipient=cast.resident, kind="mediation_rate").exists()
    rating = svc.booking_rate(booking=booking, stars=4, comment="耐心细致")
    assert rating.mediator == mediator
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        svc.booking_rate(booking=booking, stars=5)
    assert "already rated" in exc.value.messages[0]
    assert svc.mediator_rating(mediator) == (4.0, 1)
    card = next(c for c in svc.mediator_directory(now=NOW) if c.mediator == mediator)
    assert (card.average, card.ratings) == (4.0, 1)


def test_rating_outside_one_to_five_is_refused(mediator, cast):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    svc.booking_mark(booking, cast.mediator, True, now=at(MONDAY, 14))
    with pytest.raises(ValidationError):
        svc.booking_rate(booking=booking, stars=6)
    assert not Rating.objects.filter(booking=booking).exists()


def test_no_show_is_for_staff_only(mediator, cast):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    svc.booking_mark(booking, cast.mediator, False, now=at(MONDAY, 14, 30))
    assert booking.status == Booking.Status.NO_SHOW
    event = CaseEvent.objects.get(case=booking.case, data__step="booking_no_show")
    assert not event.is_public
    with pytest.raises(ValidationError):
        svc.booking_rate(booking=booking, stars=3)


def test_reminder_goes_once(mediator):
    booking = svc.booking_create(request_for(mediator, at(MONDAY + timedelta(days=2), 14)), now=NOW)
    assert svc.booking_send_reminders(now=NOW) == 0  # too early
    tuesday = at(MONDAY + timedelta(days=1), 10)
    assert svc.booking_send_reminders(now=tuesday) == 1
    assert svc.booking_send_reminders(now=tuesday + timedelta(minutes=1)) == 0
    booking.refresh_from_db()
    assert booking.reminded_at == tuesday
    assert OutboxMessage.objects.filter(key__startswith=f"booking:{booking.code}:remind:").count() == 1


def test_reminder_task_runs(mediator):
    from fengqiao.mediation.tasks import send_booking_reminders

    assert send_booking_reminders.call() == {"reminded": 0}


def test_directory_filters(mediator, point, cast):
    assert mediator in [c.mediator for c in svc.mediator_directory(svc.DirectoryFilter(point=point), now=NOW)]
    assert mediator in [c.mediator for c in svc.mediator_directory(svc.DirectoryFilter(specialty="labour"), now=NOW)]
    assert mediator not in [c.mediator for c in svc.mediator_directory(svc.DirectoryFilter(specialty="medical"),
                                                                       now=NOW)]
    assert mediator not in [c.mediator for c in svc.mediator_directory(svc.DirectoryFilter(min_rating=3), now=NOW)]
    card = next(c for c in svc.mediator_directory(now=NOW) if c.mediator == mediator)
    assert card.next_slot.starts_at == at(MONDAY, 14) and card.points == [point]


def test_booking_find_needs_the_phone(mediator):
    booking = svc.booking_create(request_for(mediator, at(MONDAY, 14)), now=NOW)
    assert svc.booking_find(booking.code.lower(), "+86 138-0013-8000") == booking
    assert svc.booking_find(booking.code, "13900139000") is None
    assert svc.booking_find(booking.code, "garbage") is None


def test_the_scheduler_enqueues_the_reminders(db):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    call_command("fq_scheduler", once=True)
    assert DBTaskResult.objects.filter(task_path="fengqiao.mediation.tasks.send_booking_reminders").exists()
