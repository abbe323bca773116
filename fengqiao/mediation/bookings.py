"""A resident's booking of a mediator (线上预约、线下调解): free slots, booking, cancelling, moving, the reminder,
whether the resident came, and the rating.

Booking a slot also opens the dispute as a case (channel web, service type mediation) through
`cases.services.case_submit`; the platform accepts it and dispatches it to the mediator's committee, and the
timeline records the booking in words for the resident. All of it is one transaction: a slot someone else has
just taken (the partial unique constraint `booking_one_live_per_slot`) leaves nothing behind, no case either.
The rules (slots, the two-hour limit for changes, when the reminder is due) are `fengqiao.mediation.rules`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases import services as cs
from fengqiao.cases.models import Channel, Party, ServiceType
from fengqiao.cases.workflow import Action
from fengqiao.intake.idempotency import run_once
from fengqiao.intake.validation import clean_phone
from fengqiao.mediation import rules
from fengqiao.mediation.models import Booking, MediatorHours, MediatorProfile, MeetingMode, Rating, Specialty
from fengqiao.notifications.models import OutboxMessage
from fengqiao.notifications.services import notify
from fengqiao.org.access import Capability, may
from fengqiao.org.models import ServicePoint
from fengqiao.sla.deadlines import LOCAL

BOOKING_SCOPE = "mediation-booking"  # the idempotency scope of the public booking form
RESIDENT_MODES = (MeetingMode.IN_PERSON, MeetingMode.VIDEO)


def when_text(at: datetime) -> str:
    """A booking's time as the resident reads it in any language: 2026-12-08 14:00."""
    return timezone.localtime(at, LOCAL).strftime("%Y-%m-%d %H:%M")


def mediator_name(mediator: MediatorProfile) -> str:
    return mediator.user.name or mediator.user.get_username()


# --- reading: hours, slots, the directory -------------------------------------------------------------------


def hours_of(mediator: MediatorProfile) -> list[MediatorHours]:
    cache = getattr(mediator, "_prefetched_objects_cache", {})
    if "hours" in cache:
        return list(cache["hours"])
    return list(MediatorHours.objects.filter(mediator=mediator))


def taken_intervals(mediator: MediatorProfile, *, start: datetime, end: datetime,
                    exclude: Booking | None = None) -> list[tuple[datetime, datetime]]:
    """The (start, end) of the mediator's live bookings overlapping [start, end)."""
    live = Booking.objects.filter(mediator=mediator, status=Booking.Status.BOOKED, starts_at__lt=end, ends_at__gt=start)
    if exclude is not None:
        live = live.exclude(pk=exclude.pk)
    return list(live.values_list("starts_at", "ends_at"))


def _window(now: datetime, days: int) -> tuple[datetime, datetime]:
    first = timezone.localtime(now, LOCAL).date()
    return now, datetime.combine(first + timedelta(days=days), datetime.min.time(), tzinfo=LOCAL)


def free_slots(mediator: MediatorProfile, *, now: datetime | None = None, days: int = rules.BOOKING_DAYS,
               exclude: Booking | None = None) -> list[rules.Slot]:
    """The mediator's free slots from now for `days` days (the resident's choice)."""
    now = now or timezone.now()
    if not mediator.is_available:
        return []
    start, end = _window(now, days)
    taken = taken_intervals(mediator, start=start, end=end, exclude=exclude)
    return rules.slots_for(hours_of(mediator), start=now, days=days, taken=taken, now=now)


def slots_by_day(slots: list[rules.Slot]) -> list[tuple[object, list[rules.Slot]]]:
    days: dict = defaultdict(list)
    for slot in slots:
        days[timezone.localtime(slot.starts_at, LOCAL).date()].append(slot)
    return sorted(days.items())


@dataclass
class DirectoryFilter:
    specialty: str = ""
    point: ServicePoint | None = None
    language: str = ""
    min_rating: int | None = None


@dataclass
class MediatorCard:
    mediator: MediatorProfile
    average: float | None
    ratings: int
    next_slot: rules.Slot | None
    points: list[ServicePoint]


def directory_points() -> list[ServicePoint]:
    """The service points where some available mediator receives residents."""
    ids = set(MediatorHours.objects.filter(mediator__is_available=True, service_point__isnull=False)
              .values_list("service_point_id", flat=True))
    ids |= set(MediatorProfile.objects.filter(is_available=True, service_point__isnull=False)
               .values_list("service_point_id", flat=True))
    return list(ServicePoint.objects.filter(pk__in=ids).order_by("region__code", "level", "name"))


def directory_languages() -> list[str]:
    seen: list[str] = []
    for value in MediatorProfile.objects.filter(is_available=True).values_list("languages", flat=True):
        for part in value.replace(",", "、").replace("，", "、").split("、"):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return seen


def mediator_directory(filters: DirectoryFilter | None = None, *, now: datetime | None = None) -> list[MediatorCard]:
    """Available mediators matching the filters, with their average rating and next free slot (a few queries)."""
    filters = filters or DirectoryFilter()
    now = now or timezone.now()
    profiles = (MediatorProfile.objects.filter(is_available=True, user__is_active=True)
                .select_related("user", "unit", "service_point")
                .prefetch_related("hours__service_point")
                .annotate(avg_stars=Avg("ratings__stars"), n_ratings=Count("ratings", distinct=True))
                .order_by("-avg_stars", "user__name"))
    if filters.point is not None:
        profiles = profiles.filter(Q(service_point=filters.point) | Q(hours__service_point=filters.point)).distinct()
    if filters.language:
        profiles = profiles.filter(languages__icontains=filters.language)
    if filters.min_rating:
        profiles = profiles.filter(avg_stars__gte=filters.min_rating)
    chosen = [p for p in profiles if not filters.specialty or filters.specialty in (p.specialties or [])]
    start, end = _window(now, rules.BOOKING_DAYS)
    taken: dict[int, list] = defaultdict(list)
    for mediator_id, b_start, b_end in Booking.objects.filter(
            mediator__in=chosen, status=Booking.Status.BOOKED, starts_at__lt=end, ends_at__gt=start,
    ).values_list("mediator_id", "starts_at", "ends_at"):
        taken[mediator_id].append((b_start, b_end))
    cards = []
    for profile in chosen:
        hours = list(profile.hours.all())
        slots = rules.slots_for(hours, start=now, taken=taken[profile.pk], now=now)
        points = {h.service_point_id: h.service_point for h in hours if h.service_point_id}
        if not points and profile.service_point_id:
            points = {profile.service_point_id: profile.service_point}
        cards.append(MediatorCard(profile, profile.avg_stars, profile.n_ratings, slots[0] if slots else None,
                                  [p for p in points.values() if p is not None]))
    return cards


def mediator_rating(mediator: MediatorProfile) -> tuple[float | None, int]:
    agg = Rating.objects.filter(mediator=mediator).aggregate(avg=Avg("stars"), n=Count("id"))
    return agg["avg"], agg["n"]


def booking_find(code: str, phone: str) -> Booking | None:
    """The booking with this code made with this phone number (any spelling of it), else None."""
    try:
        phone = clean_phone(phone)
    except ValidationError:
        return None
    return (Booking.objects.filter(code=(code or "").strip().upper(), phone=phone)
            .select_related("mediator__user", "service_point", "case").first())


# --- booking --------------------------------------------------------------------------------------------------


@dataclass
class BookingRequest:
    mediator: MediatorProfile
    starts_at: datetime
    name: str
    phone: str
    matter: str
    specialty: str = ""
    mode: str = MeetingMode.IN_PERSON
    resident: Any = None  # the signed-in resident (an anonymous user counts as none)

    def fingerprint(self) -> dict:
        return {"mediator": self.mediator.pk, "at": self.starts_at.isoformat(), "name": self.name,
                "phone": self.phone, "matter": self.matter, "specialty": self.specialty, "mode": self.mode,
                "user": getattr(self.resident, "pk", None)}


def _check_request(req: BookingRequest, *, now: datetime) -> rules.Slot:
    errors: dict[str, list[str]] = defaultdict(list)
    if not req.mediator.is_available:
        errors["starts_at"].append(_("This mediator is not taking bookings at the moment."))
    if not (req.name or "").strip():
        errors["name"].append(_("Please give your name."))
    try:
        clean_phone(req.phone)
    except ValidationError as exc:
        errors["phone"].extend(exc.messages)
    if len((req.matter or "").strip()) < 5:
        errors["matter"].append(_("Please say in a few words what the dispute is about (at least 5 characters)."))
    if req.specialty and req.specialty not in Specialty.values:
        errors["specialty"].append(_("Please choose the kind of dispute from the list."))
    if req.mode not in RESIDENT_MODES:
        errors["mode"].append(_("Please choose how you want to meet."))
    elif req.mode == MeetingMode.VIDEO and not req.mediator.video_link:
        errors["mode"].append(_("This mediator does not offer meetings by video. Please choose to meet in person."))
    hours = hours_of(req.mediator)
    taken = taken_intervals(req.mediator, start=req.starts_at - timedelta(days=1), end=req.starts_at + timedelta(days=1))
    problem = rules.slot_error(hours, req.starts_at, now=now, taken=taken)
    if problem:
        errors["starts_at"].append(problem)
    if errors:
        raise ValidationError(dict(errors))
    slot = rules.slot_at(hours, req.starts_at)
    assert slot is not None  # slot_error said it is on the grid
    return slot


def _point_for(mediator: MediatorProfile, slot: rules.Slot) -> ServicePoint | None:
    if slot.service_point_id:
        return ServicePoint.objects.select_related("region").get(pk=slot.service_point_id)
    return mediator.service_point


def _outbox_sms(phone: str, text: str, *, key: str) -> None:
    """An SMS to a resident who may have no account (the outbox; a sink unless the deployment sends SMS)."""
    if not phone or not settings.FQ_NOTIFY_CHANNELS.get("sms"):
        return
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(channel="sms", address=phone, subject=text[:200], body=text, key=key,
                       next_attempt_at=timezone.now())],
        ignore_conflicts=True,
    )
    transaction.on_commit(_enqueue_delivery)


def _enqueue_delivery() -> None:
    from fengqiao.notifications.tasks import deliver_outbox

    deliver_outbox.enqueue()


def place_text(booking: Booking) -> str:
    if booking.mode == MeetingMode.VIDEO:
        return booking.mediator.video_link
    point = booking.service_point
    if point is None:
        return booking.mediator.unit.name
    return f"{point.name}（{point.address}）" if point.address else point.name


def _tell_resident(booking: Booking, *, kind: str, title: str, key: str) -> None:
    body = _("%(name)s, %(when)s, %(place)s. Booking code %(code)s.") % {
        "name": mediator_name(booking.mediator), "when": when_text(booking.starts_at), "place": place_text(booking),
        "code": booking.code}
    _outbox_sms(booking.phone, f"{title} {body}", key=f"{key}:sms")
    if booking.resident_id:
        notify([booking.resident], kind=kind, title=title, body=body, case=booking.case, key=key)


@transaction.atomic
def booking_create(req: BookingRequest, *, now: datetime | None = None) -> Booking:
    """Book the slot and open the case, in one transaction; a ValidationError (a field → messages) when the slot or
    the details are not right, including a slot another resident took a moment ago."""
    now = now or timezone.now()
    slot = _check_request(req, now=now)
    mediator = req.mediator
    point = _point_for(mediator, slot)
    phone = clean_phone(req.phone)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                mediator=mediator, starts_at=slot.starts_at, ends_at=slot.ends_at, mode=req.mode, service_point=point,
                name=req.name.strip(), phone=phone, matter=req.matter.strip(), specialty=req.specialty,
                resident=req.resident if getattr(req.resident, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ValidationError({"starts_at": rules.taken_message()}) from None
    region = point.region if point is not None else mediator.unit.region
    case = cs.case_submit(
        channel=Channel.WEB, service_type=ServiceType.MEDIATION, title="", description=booking.matter, region=region,
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name=booking.name, phone=phone)],
        address=point.address if point is not None else "", service_point=point,
        applicant_user=booking.resident, consent_contact=True, submitted_at=now,
    )
    cs.case_accept(case=case, actor=None, at=now)
    cs.case_dispatch(case=case, actor=None, unit=mediator.unit, at=now)
    name = mediator_name(mediator)
    cs.case_record_step(
        case=case, action=Action.MEDIATE, step="booking", actor=None, at=now,
        public=gettext_noop("Booked mediator %(name)s for %(when)s"),
        public_args={"name": name, "when": when_text(booking.starts_at)},
        data={"booking": booking.code, "mediator": mediator.pk, "mode": booking.mode},
    )
    booking.case = case
    booking.save(update_fields=["case"])
    _tell_resident(booking, kind="mediation_booked", title=_("Your booking with a mediator is confirmed."),
                   key=f"booking:{booking.code}:confirmed")
    notify([mediator.user], kind="mediation_booking", key=f"booking:{booking.code}:booked", case=case,
           title=_("New booking %(code)s: %(when)s") % {"code": booking.code, "when": when_text(booking.starts_at)},
           body=booking.matter[:200])
    return booking


def booking_submit(req: BookingRequest, *, key: str, now: datetime | None = None) -> tuple[Booking, bool]:
    """The public form's way in: once per form token (a double tap answers with the first booking)."""

    def action():
        booking = booking_create(req, now=now)
        case = booking.case
        assert case is not None  # booking_create opens it
        return 201, {"booking": booking.code, "code": case.code}, case

    outcome = run_once(scope=BOOKING_SCOPE, key=key, payload=req.fingerprint(), action=action)
    return Booking.objects.select_related("case", "mediator__user").get(code=outcome.body["booking"]), outcome.replayed


# --- the resident changes their booking ---------------------------------------------------------------------


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update(of=("self",)).select_related("mediator__user", "mediator__unit", "case").get(
        pk=booking.pk)


def _check_changeable(booking: Booking, now: datetime) -> None:
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(_("This booking is no longer active."))
    if not rules.may_change_booking(booking.starts_at, now):
        raise ValidationError(
            _("Less than %(hours)d hours before the meeting, a booking can no longer be changed here. "
              "Please call the mediation committee.") % {"hours": rules.BOOKING_CHANGE_CUTOFF.seconds // 3600})


@transaction.atomic
def booking_cancel(*, booking: Booking, reason: str = "", now: datetime | None = None) -> Booking:
    """The resident cancels (until two hours before); the slot is free again and the case's timeline says so."""
    now = now or timezone.now()
    locked = _locked(booking)
    _check_changeable(locked, now)
    locked.status, locked.cancelled_at = Booking.Status.CANCELLED, now
    locked.save(update_fields=["status", "cancelled_at"])
    reason = (reason or "").strip()[:500]
    if locked.case is not None:
        cs.case_record_step(
            case=locked.case, action=Action.MEDIATE, step="booking_cancelled", actor=None, at=now, reason=reason,
            public=gettext_noop("You cancelled the booking with mediator %(name)s for %(when)s"),
            public_args={"name": mediator_name(locked.mediator), "when": when_text(locked.starts_at)},
            public_words=bool(reason), data={"booking": locked.code},
        )
    notify([locked.mediator.user], kind="mediation_booking", key=f"booking:{locked.code}:cancelled", case=locked.case,
           title=_("Booking %(code)s for %(when)s was cancelled") % {"code": locked.code,
                                                                   "when": when_text(locked.starts_at)},
           body=reason)
    booking.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return booking


@transaction.atomic
def booking_move(*, booking: Booking, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Move the booking to another free slot of the same mediator: the old slot is freed and the new one taken in
    one step; a slot taken meanwhile is refused and the booking stays as it was."""
    now = now or timezone.now()
    locked = _locked(booking)
    _check_changeable(locked, now)
    hours = hours_of(locked.mediator)
    taken = taken_intervals(locked.mediator, start=starts_at - timedelta(days=1), end=starts_at + timedelta(days=1),
                            exclude=locked)
    problem = rules.slot_error(hours, starts_at, now=now, taken=taken)
    if problem is None and starts_at == locked.starts_at:
        problem = _("This is the time you have already booked.")
    if problem:
        raise ValidationError({"starts_at": problem})
    slot = rules.slot_at(hours, starts_at)
    assert slot is not None
    before = locked.starts_at
    locked.starts_at, locked.ends_at, locked.reminded_at = slot.starts_at, slot.ends_at, None
    if locked.mode != MeetingMode.VIDEO:
        locked.service_point = _point_for(locked.mediator, slot)
    try:
        with transaction.atomic():
            locked.save(update_fields=["starts_at", "ends_at", "reminded_at", "service_point"])
    except IntegrityError:
        raise ValidationError({"starts_at": rules.taken_message()}) from None
    if locked.case is not None:
        cs.case_record_step(
            case=locked.case, action=Action.MEDIATE, step="booking_moved", actor=None, at=now,
            public=gettext_noop("You moved the booking with mediator %(name)s to %(when)s"),
            public_args={"name": mediator_name(locked.mediator), "when": when_text(locked.starts_at)},
            data={"booking": locked.code, "from": before.isoformat(), "to": locked.starts_at.isoformat()},
        )
    _tell_resident(locked, kind="mediation_booked", title=_("Your booking with a mediator was moved."),
                   key=f"booking:{locked.code}:moved:{locked.starts_at.isoformat()}")
    notify([locked.mediator.user], kind="mediation_booking", case=locked.case,
           key=f"booking:{locked.code}:moved:{locked.starts_at.isoformat()}",
           title=_("Booking %(code)s moved from %(before)s to %(when)s") % {
               "code": locked.code, "before": when_text(before), "when": when_text(locked.starts_at)})
    booking.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return booking


# --- after the meeting -----------------------------------------------------------------------------------------


def may_mark(actor, booking: Booking) -> bool:
    """The booked mediator, or whoever mediates on the booking's case."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if booking.mediator.user_id == actor.pk:
        return True
    return booking.case is not None and may(actor, Capability.CASE_MEDIATE, booking.case)


@transaction.atomic
def booking_mark(booking: Booking, actor, attended: bool, *, now: datetime | None = None) -> Booking:
    """The mediator's side records whether the resident came (from the session's start); a resident who came may
    then rate the mediator."""
    now = now or timezone.now()
    locked = _locked(booking)
    if not may_mark(actor, locked):
        raise PermissionDenied(_("Only the booked mediator or the committee handling the case records this."))
    if locked.status != Booking.Status.BOOKED:
        raise ValidationError(_("This booking is no longer open: it was cancelled or already recorded."))
    if not rules.may_mark_booking(locked.starts_at, now):
        raise ValidationError(_("The meeting has not begun yet: record whether the resident came once it starts."))
    locked.status = Booking.Status.ATTENDED if attended else Booking.Status.NO_SHOW
    locked.save(update_fields=["status"])
    if locked.case is not None:
        if attended:
            cs.case_record_step(
                case=locked.case, action=Action.MEDIATE, step="booking_attended", actor=actor, at=now,
                public=gettext_noop("You met mediator %(name)s"), public_args={"name": mediator_name(locked.mediator)},
                data={"booking": locked.code},
            )
        else:
            cs.case_record_step(case=locked.case, action=Action.MEDIATE, step="booking_no_show", actor=actor, at=now,
                                public=None, data={"booking": locked.code})
    if attended and locked.resident_id:
        notify([locked.resident], kind="mediation_rate", case=locked.case, key=f"booking:{locked.code}:rate",
               title=_("How was your meeting with mediator %(name)s?") % {"name": mediator_name(locked.mediator)},
               body=_("Rate the mediator under “Book a mediator” → “My booking” with your booking code %(code)s.")
               % {"code": locked.code})
    booking.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return booking


def may_rate(booking: Booking) -> bool:
    return booking.status == Booking.Status.ATTENDED and not Rating.objects.filter(booking=booking).exists()


@transaction.atomic
def booking_rate(*, booking: Booking, stars: int, comment: str = "") -> Rating:
    """The resident rates the mediator 1–5 stars, once per booking they attended."""
    locked = _locked(booking)
    if locked.status != Booking.Status.ATTENDED:
        raise ValidationError(_("You can rate the mediator after the meeting has taken place."))
    if stars not in rules.RATING_STARS:
        raise ValidationError({"stars": _("Choose from 1 to 5 stars.")})
    if Rating.objects.filter(booking=locked).exists():
        raise ValidationError(_("You have already rated this meeting. Thank you!"))
    try:
        with transaction.atomic():
            return Rating.objects.create(booking=locked, mediator=locked.mediator, stars=stars,
                                         comment=(comment or "").strip()[:1000])
    except IntegrityError:
        raise ValidationError(_("You have already rated this meeting. Thank you!")) from None


# --- the reminder the day before ----------------------------------------------------------------------------------


def booking_send_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Remind residents of tomorrow's bookings. Each reminder is claimed by a conditional UPDATE on `reminded_at`
    and written with its messages in one transaction: run twice or by two workers, it is sent once."""
    now = now or timezone.now()
    candidates = (Booking.objects.filter(status=Booking.Status.BOOKED, reminded_at__isnull=True, starts_at__gt=now,
                                         starts_at__lte=now + timedelta(days=2))
                  .select_related("mediator__user", "mediator__unit", "service_point", "resident", "case")
                  .order_by("starts_at")[:limit])
    sent = 0
    for booking in candidates:
        if not rules.needs_reminder(starts_at=booking.starts_at, created_at=booking.created_at, now=now):
            continue
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED, reminded_at__isnull=True,
                                             starts_at=booking.starts_at).update(reminded_at=now)
            if not claimed:
                continue
            _tell_resident(booking, kind="mediation_reminder", title=_("Reminder: you meet a mediator tomorrow."),
                           key=f"booking:{booking.code}:remind:{booking.starts_at.isoformat()}")
            sent += 1
    return sent


def bookings_of(user) -> list[Booking]:
    """A signed-in resident's bookings, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Booking.objects.filter(resident=user).select_related("mediator__user", "service_point", "case")
                .order_by("-starts_at")[:50])
