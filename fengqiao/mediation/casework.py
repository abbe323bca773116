"""The mediator's work (MISSION §8, LEGAL.md): opening a mediation on a dispute, the team (话聊: mediator + lawyer +
psychologist), sessions in person, by video or back to back, their attendees and the record (笔录) the parties sign,
extending the time limit with both parties' consent, and the outcome with its referral route.

Every write is one transaction that checks the actor's right first; each step goes on the case's timeline through
`cases.services.case_record_step` (words for the resident where they concern them), and the lifecycle moves (sign,
start, resolve) go through the case services. Rules (time limit, what a session needs, which outcome needs a
referral) live in `fengqiao.mediation.rules`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Party
from fengqiao.cases.workflow import Action, Status, TransitionError
from fengqiao.mediation import rules
from fengqiao.mediation.models import (
    Attendee,
    AttendeeRole,
    Booking,
    Mediation,
    MediationOutcome,
    MediationSource,
    MediatorKind,
    MediatorProfile,
    MeetingMode,
    Referral,
    Session,
    TeamMember,
    TeamRole,
)
from fengqiao.notifications.services import notify
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit, Role, ServicePoint, UnitKind

log = logging.getLogger("fengqiao.mediation")

READER_ROLES = frozenset({Role.LEADER, Role.AUDITOR})
KIND_TEAM_ROLE: dict[str, str] = {
    MediatorKind.LAWYER: TeamRole.LAWYER,
    MediatorKind.PSYCHOLOGIST: TeamRole.PSYCHOLOGIST,
    MediatorKind.JUDGE: TeamRole.JUDGE,
}
PARTY_ATTENDEE_ROLE: dict[str, str] = {
    Party.PartyRole.APPLICANT: AttendeeRole.APPLICANT,
    Party.PartyRole.RESPONDENT: AttendeeRole.RESPONDENT,
    Party.PartyRole.OTHER: AttendeeRole.OTHER_PARTY,
}


# --- who sees and who works a mediation -----------------------------------------------------------------------


def mediator_unit_ids(user) -> frozenset[int]:
    """The units in which `user` is a mediator (their committees)."""
    return frozenset(g.unit_id for g in scope_for(user).grants if g.role == Role.MEDIATOR)


def reader_unit_ids(user) -> frozenset[int]:
    """The units whose mediations `user` reads as a leader or auditor (a district one: the whole district)."""
    return frozenset().union(*(g.unit_ids for g in scope_for(user).grants if g.role in READER_ROLES))


def mediations_visible_to(user) -> QuerySet[Mediation]:
    """A mediator sees the mediations of their committees and those they lead or are on the team of; leaders and
    auditors read those of the units under them; anyone else sees none."""
    if user is None or not user.is_authenticated:
        return Mediation.objects.none()
    q = Q(mediator=user) | Q(team__user=user)
    units = mediator_unit_ids(user) | reader_unit_ids(user)
    if units:
        q |= Q(unit_id__in=units)
    return Mediation.objects.filter(pk__in=Mediation.objects.filter(q).values("pk"))


def may_work(user, mediation: Mediation) -> bool:
    """May `user` act on `mediation`: its lead mediator, a team member, or a mediator of its committee."""
    if user is None or not user.is_authenticated:
        return False
    if mediation.mediator_id == user.pk or mediation.unit_id in mediator_unit_ids(user):
        return True
    return mediation.team.filter(user=user).exists()


def has_workspace(user) -> bool:
    """Whether /mediation/ has anything for `user` (a mediator, a reader, or a member of some team)."""
    if mediator_unit_ids(user) or reader_unit_ids(user):
        return True
    return user.is_authenticated and TeamMember.objects.filter(user=user).exists()


def _check_work(actor, mediation: Mediation) -> None:
    if not may_work(actor, mediation):
        raise PermissionDenied(_("You may not work on this mediation."))


def _check_open(mediation: Mediation) -> None:
    if mediation.status != Mediation.Status.OPEN:
        raise ValidationError(_("This mediation is concluded; nothing more can be added to it."))


def _lock(mediation: Mediation) -> Mediation:
    """Lock the mediation row for the rest of the transaction and refresh the caller's object."""
    locked = Mediation.objects.select_for_update().get(pk=mediation.pk)
    mediation.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return mediation


def _lock_session(session: Session) -> Session:
    """Lock the session row and refresh the caller's object (so it sees what this transaction writes)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    session.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return session


def _name(user) -> str:
    return (getattr(user, "name", "") or user.get_username()).strip()


def _step(mediation: Mediation, *, step: str, actor, public: str | None = None, public_args: dict | None = None,
          reason: str = "", public_words: bool = False, data: dict | None = None, at: datetime | None = None) -> None:
    cs.case_record_step(case=mediation.case, action=Action.MEDIATE, step=step, actor=actor, reason=reason,
                        public=public, public_args=public_args, public_words=public_words,
                        data={"mediation": mediation.pk, **(data or {})}, at=at)


# --- opening ----------------------------------------------------------------------------------------------------


def open_refusal(user, case: Case) -> str | None:
    """Why `user` may not open a mediation on `case` now (None: they may). The words are for the mediator."""
    if not may(user, Capability.CASE_MEDIATE, case):
        return _("Only a mediator of the committee that holds this case can open a mediation on it.")
    holder = case.holder_unit
    if holder.kind != UnitKind.MEDIATION_COMMITTEE or holder.pk not in mediator_unit_ids(user):
        return _("The case must be dispatched to your mediation committee before a mediation can be opened.")
    if case.service_type not in rules.MEDIATION_SERVICE_TYPES:
        return _("Only a dispute (service type: dispute mediation) can be mediated.")
    if case.status not in rules.MEDIATION_OPENABLE_STATES:
        return _("A mediation can be opened only on a case that is dispatched, signed for or in progress "
                 "(this one is “%(status)s”).") % {"status": Status(case.status).label}
    if Mediation.objects.filter(case=case, status=Mediation.Status.OPEN).exists():
        return _("This case already has an open mediation.")
    return None


@transaction.atomic
def mediation_open(*, case: Case, actor, facts: str | None = None, matters: str | None = None,
                   booking: Booking | None = None, source: str | None = None, at: datetime | None = None) -> Mediation:
    """Open a mediation on a dispute the actor's committee holds: sign for and start the case if not yet, the time
    limit from today (one month), the facts and matters from the case unless given, a public step naming the
    mediator. A second open mediation on the case is refused (the database refuses it too)."""
    case = Case.objects.select_for_update().select_related("holder_unit").get(pk=case.pk)
    refusal = open_refusal(actor, case)
    if refusal:
        if not may(actor, Capability.CASE_MEDIATE, case):
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)
    if booking is not None and booking.case_id not in (None, case.pk):
        raise ValidationError({"booking": _("This booking is about another case.")})
    now = at or timezone.now()
    if case.status == Status.DISPATCHED:
        cs.case_sign(case=case, actor=actor, at=now)
    if case.status == Status.SIGNED:
        cs.case_start(case=case, actor=actor, at=now)
    facts = (facts if facts is not None else case.description).strip()
    matters = (matters if matters is not None else case.title).strip()
    if not facts:
        raise ValidationError({"facts": _("Write down the main facts of the dispute.")})
    if not matters:
        raise ValidationError({"matters": _("Write down what the parties disagree about.")})
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(
                case=case, unit=case.holder_unit, mediator=actor,
                source=source or (MediationSource.BOOKING if booking is not None else MediationSource.DISPATCH),
                booking=booking, facts=facts, matters=matters, opened_at=now, due_at=rules.mediation_due_at(now),
            )
    except IntegrityError as exc:  # two mediators racing: the one-open-mediation constraint decides
        raise ValidationError(_("This case already has an open mediation.")) from exc
    _step(mediation, step="opened", actor=actor, at=now,
          public=gettext_noop("Mediation accepted; mediator: %(name)s"), public_args={"name": _name(actor)},
          data={"due_at": mediation.due_at.isoformat(), "booking": booking.pk if booking else None})
    return mediation


def booking_refusal(user, booking: Booking) -> str | None:
    """Why `user` may not open a mediation from `booking` (None: they may)."""
    if booking.mediator.user_id != user.pk and booking.mediator.unit_id not in mediator_unit_ids(user):
        return _("This booking is with a mediator of another committee.")
    if booking.status == Booking.Status.CANCELLED:
        return _("This booking was cancelled.")
    if booking.mediations.filter(status=Mediation.Status.OPEN).exists():
        return _("A mediation is already open for this booking.")
    if booking.case is not None:
        return open_refusal(user, booking.case)
    return None


@transaction.atomic
def mediation_open_from_booking(*, booking: Booking, actor, facts: str | None = None, matters: str | None = None,
                                at: datetime | None = None) -> Mediation:
    """Open a mediation from a resident's booking (线上预约、线下调解). A booking about no case yet becomes one: the
    platform takes the dispute in as a walk-in at the committee (the resident chose its mediator, so the platform
    accepts it and sends it straight to the committee), then the mediation is opened on it."""
    booking = Booking.objects.select_for_update().select_related("mediator", "mediator__unit").get(pk=booking.pk)
    refusal = booking_refusal(actor, booking)
    if refusal:
        raise ValidationError(refusal)
    now = at or timezone.now()
    case = booking.case
    if case is None:
        from fengqiao.cases.models import Channel, ServiceType
        from fengqiao.cases.titles import title_from_description

        committee = booking.mediator.unit
        point = booking.service_point or booking.mediator.service_point
        region = point.region if point is not None else committee.region
        case = cs.case_submit(
            channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title=title_from_description(booking.matter),
            description=booking.matter, region=region, service_point=point, reporter=actor,
            applicant_user=booking.resident, submitted_at=booking.created_at,
            parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name=booking.name, phone=booking.phone)],
            source_system="booking", source_id=booking.code,
        )
        cs.case_accept(case=case, actor=None, at=now)
        cs.case_dispatch(case=case, actor=None, unit=committee, note=_("Booked with a mediator of this committee "
                                                                       "(booking %(code)s).") % {"code": booking.code},
                         at=now)
        booking.case = case
        booking.save(update_fields=["case"])
    return mediation_open(case=case, actor=actor, facts=facts, matters=matters, booking=booking,
                          source=MediationSource.BOOKING, at=now)


# --- the team (话聊) ----------------------------------------------------------------------------------------------


def team_candidates(mediation: Mediation) -> QuerySet[MediatorProfile]:
    """Who may join the team: available mediators (lawyers, psychologists …) of the committee or of the district."""
    district = mediation.unit.region.district
    q = Q(unit=mediation.unit)
    if district is not None:
        q |= Q(unit__region__path__startswith=district.path)
    taken = [mediation.mediator_id, *mediation.team.values_list("user_id", flat=True)]
    return (MediatorProfile.objects.filter(q, is_available=True, user__is_active=True).exclude(user_id__in=taken)
            .select_related("user", "unit").order_by("unit__name", "kind", "user__name"))


@transaction.atomic
def team_add(*, mediation: Mediation, actor, user, role: str = "", at: datetime | None = None) -> TeamMember:
    _lock(mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    profile = MediatorProfile.objects.filter(user=user).first()
    if user.pk == mediation.mediator_id:
        raise ValidationError({"user": _("The lead mediator is already working on this mediation.")})
    if mediation.team.filter(user=user).exists():
        raise ValidationError({"user": _("%(name)s is already on the team.") % {"name": _name(user)}})
    if profile is None or not team_candidates(mediation).filter(pk=profile.pk).exists():
        raise ValidationError(
            {"user": _("Choose a mediator, lawyer or psychologist of the committee or the district.")})
    role = role or KIND_TEAM_ROLE.get(profile.kind, TeamRole.MEDIATOR)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Choose a role in the team.")})
    member = TeamMember.objects.create(mediation=mediation, user=user, role=role)
    notify([user], kind="mediation_team", case=mediation.case, key=f"mediation:{mediation.pk}:team:{user.pk}",
           title=_("You are on the mediation team of %(code)s") % {"code": mediation.case.code},
           body=mediation.case.title)
    _step(mediation, step="team_added", actor=actor, at=at, data={"user": user.pk, "role": role},
          reason=_("%(name)s joins the team as %(role)s.") % {"name": _name(user), "role": TeamRole(role).label})
    return member


@transaction.atomic
def team_remove(*, member: TeamMember, actor, at: datetime | None = None) -> None:
    mediation = _lock(member.mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    name = _name(member.user)
    member.delete()
    _step(mediation, step="team_removed", actor=actor, at=at, data={"user": member.user_id},
          reason=_("%(name)s leaves the team.") % {"name": name})


# --- sessions ------------------------------------------------------------------------------------------------------


def session_places(mediation: Mediation) -> QuerySet[ServicePoint]:
    """Service points where a session can be held: those of the committee's district."""
    district = mediation.unit.region.district
    qs = ServicePoint.objects.filter(is_active=True)
    if district is not None:
        qs = qs.filter(region__path__startswith=district.path)
    return qs.select_related("region").order_by("level", "name")


@transaction.atomic
def session_schedule(*, mediation: Mediation, actor, scheduled_at: datetime, mode: str = MeetingMode.IN_PERSON,
                     service_point: ServicePoint | None = None, place: str = "", video_link: str = "",
                     booking: Booking | None = None, at: datetime | None = None) -> Session:
    """Schedule the next session: not in the past, on an open mediation; in person (or back to back) at a service
    point or a named place, by video with a link (the lead mediator's room unless another is typed)."""
    _lock(mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    now = at or timezone.now()
    errors: dict[str, str] = {}
    if mode not in MeetingMode.values:
        errors["mode"] = _("Choose how the session is held.")
    if scheduled_at < now - rules.SESSION_PAST_GRACE:
        errors["scheduled_at"] = _("A session cannot be scheduled in the past.")
    place = place.strip()
    video_link = video_link.strip()
    if mode in rules.SESSION_NEEDS_PLACE and service_point is None and not place:
        errors["place"] = _("Say where the parties meet: a service point or a place.")
    if mode in rules.SESSION_NEEDS_LINK and not video_link:
        profile = MediatorProfile.objects.filter(user_id=mediation.mediator_id).first()
        video_link = profile.video_link if profile else ""
        if not video_link:
            errors["video_link"] = _("Give the link of the video meeting (the lead mediator has no meeting room set).")
    if service_point is not None and not session_places(mediation).filter(pk=service_point.pk).exists():
        errors["service_point"] = _("Choose a service point of the district.")
    if booking is not None and booking.mediator.user_id not in (
            mediation.mediator_id, *mediation.team.values_list("user_id", flat=True)):
        errors["booking"] = _("This booking is with a mediator who is not working on this mediation.")
    if errors:
        raise ValidationError(errors)
    seq = (mediation.sessions.aggregate(m=Max("seq"))["m"] or 0) + 1
    session = Session.objects.create(
        mediation=mediation, seq=seq, mode=mode, scheduled_at=scheduled_at, service_point=service_point, place=place,
        video_link=video_link if mode == MeetingMode.VIDEO else "", booking=booking,
    )
    when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
    _step(mediation, step="session_scheduled", actor=actor, at=now,
          public=gettext_noop("Mediation session %(n)s scheduled for %(when)s"), public_args={"n": seq, "when": when},
          data={"session": session.pk, "mode": mode})
    return session


@dataclass(frozen=True)
class AttendeeInput:
    """Someone at a session: a party of the case, a member of staff, or someone else named (an agent, a witness)."""

    name: str = ""
    role: str = ""
    party: Party | None = None
    user: Any = None
    part: int | None = None


def _attendee_rows(session: Session, attendees: list[AttendeeInput] | tuple[AttendeeInput, ...]) -> list[Attendee]:
    mediation = session.mediation
    staff_ids = {mediation.mediator_id, *mediation.team.values_list("user_id", flat=True)}
    rows: list[Attendee] = []
    seen_parties: set[int] = set()
    seen_users: set[int] = set()
    for a in attendees:
        if a.party is not None:
            if a.party.case_id != mediation.case_id:
                raise ValidationError({"attendees": _("Only parties of this case can be recorded as parties.")})
            if a.party.pk in seen_parties:
                continue
            seen_parties.add(a.party.pk)
            role = a.role or PARTY_ATTENDEE_ROLE.get(a.party.role, AttendeeRole.OTHER_PARTY)
            rows.append(Attendee(session=session, name=a.party.name, role=role, party=a.party, part=a.part))
        elif a.user is not None:
            user_pk = getattr(a.user, "pk", None)
            if user_pk not in staff_ids:
                raise ValidationError(
                    {"attendees": _("Only the mediator and the team can be recorded as staff present.")})
            if user_pk in seen_users:
                continue
            seen_users.add(user_pk)
            role = a.role or AttendeeRole.MEDIATOR
            rows.append(Attendee(session=session, name=_name(a.user), role=role, user=a.user, part=a.part))
        else:
            name = a.name.strip()
            if not name:
                continue
            if a.role not in AttendeeRole.values:
                raise ValidationError({"attendees": _("Say in what role %(name)s was present.") % {"name": name}})
            rows.append(Attendee(session=session, name=name[:100], role=a.role, part=a.part))
        if rows[-1].part is not None and rows[-1].part < 1:
            raise ValidationError({"attendees": _("Separate talks are numbered from 1.")})
    return rows


@transaction.atomic
def session_hold(*, session: Session, actor, attendees: list[AttendeeInput] | tuple[AttendeeInput, ...], record: str,
                 at: datetime | None = None) -> Session:
    """Record that a scheduled session took place: who was there (in a back-to-back session, in which separate
    talk), and the record (笔录). Marks a booked resident as attended (fengqiao.mediation.bookings, if present)."""
    mediation = _lock(session.mediation)
    session = _lock_session(session)
    _check_work(actor, mediation)
    _check_open(mediation)
    now = at or timezone.now()
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be recorded as held (this one is “%(status)s”).")
                              % {"status": session.get_status_display()})
    if now < session.scheduled_at - rules.SESSION_HOLD_EARLY:
        raise ValidationError(_("This session is scheduled for later: record it when it has taken place."))
    record = record.strip()
    errors: dict[str, str] = {}
    if rules.SESSION_HELD_NEEDS_RECORD and not record:
        errors["record"] = _("Write the record (笔录) of the session.")
    rows = _attendee_rows(session, attendees)
    parties = [r for r in rows if r.role in rules.PARTY_ATTENDEE_ROLES]
    if rules.SESSION_HELD_NEEDS_PARTY and not parties:
        errors["attendees"] = _("Record at least one party who came to the session.")
    if session.mode in rules.SESSION_PARTS_REQUIRED and any(r.part is None for r in parties):
        errors["attendees"] = _("In a back-to-back session, say in which separate talk each party was heard.")
    if errors:
        raise ValidationError(errors)
    Attendee.objects.bulk_create(rows)
    session.status = Session.Status.HELD
    session.held_at = now
    session.record = record
    session.recorded_by = actor
    session.save(update_fields=["status", "held_at", "record", "recorded_by"])
    _step(mediation, step="session_held", actor=actor, at=now,
          public=gettext_noop("Mediation session %(n)s held"), public_args={"n": session.seq},
          data={"session": session.pk, "attendees": len(rows)})
    if session.booking_id:
        _booking_mark(session.booking, actor, attended=True, at=now)
    return session


def _booking_mark(booking: Booking | None, actor, *, attended: bool, at: datetime | None = None) -> None:
    """Tell the booking (fengqiao.mediation.bookings) whether the resident came. Advice to the booking only: a booking
    already recorded, or one the booking rules will not mark yet, leaves the session as recorded."""
    if booking is None or booking.status != Booking.Status.BOOKED:
        return
    try:
        from fengqiao.mediation.bookings import booking_mark
    except ImportError:
        return
    try:
        with transaction.atomic():
            booking_mark(booking, actor, attended, now=at)
    except (ValidationError, PermissionDenied) as exc:
        log.info("booking %s not marked from the session: %s", booking.code, exc)


@transaction.atomic
def session_cancel(*, session: Session, actor, reason: str, no_show: bool = False,
                   at: datetime | None = None) -> Session:
    """Cancel a scheduled session with a reason; `no_show`: the booked resident did not come."""
    mediation = _lock(session.mediation)
    session = _lock_session(session)
    _check_work(actor, mediation)
    _check_open(mediation)
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    _step(mediation, step="session_cancelled", actor=actor, at=at, reason=reason.strip(),
          public=gettext_noop("Mediation session %(n)s cancelled"), public_args={"n": session.seq},
          data={"session": session.pk, "no_show": no_show})
    if session.booking_id and no_show:
        _booking_mark(session.booking, actor, attended=False, at=at)
    return session


@transaction.atomic
def attendee_add(*, session: Session, actor, attendee: AttendeeInput, at: datetime | None = None) -> Attendee:
    """Add someone to a held session's list who was left out (the record itself does not change)."""
    mediation = _lock(session.mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    if session.status != Session.Status.HELD:
        raise ValidationError(_("Record the session as held first, with the people who came."))
    rows = _attendee_rows(session, [attendee])
    if not rows:
        raise ValidationError({"attendees": _("Give the name of the person who was present.")})
    row = rows[0]
    if row.party_id and session.attendees.filter(party_id=row.party_id).exists():
        raise ValidationError({"attendees": _("%(name)s is already on the list.") % {"name": row.name}})
    if row.user_id and session.attendees.filter(user_id=row.user_id).exists():
        raise ValidationError({"attendees": _("%(name)s is already on the list.") % {"name": row.name}})
    row.save()
    _step(mediation, step="attendee_added", actor=actor, at=at, data={"session": session.pk, "attendee": row.pk},
          reason=_("%(name)s added to those present at session %(n)s.") % {"name": row.name, "n": session.seq})
    return row


@transaction.atomic
def record_sign(*, attendee: Attendee, actor, at: datetime | None = None) -> Attendee:
    """Record that an attendee signed the session's record (笔录); signing twice is refused."""
    session = Session.objects.select_related("mediation").get(pk=attendee.session_id)
    mediation = _lock(session.mediation)
    _check_work(actor, mediation)
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if session.status != Session.Status.HELD or not session.record:
        raise ValidationError(_("There is no record to sign yet: record the session as held first."))
    if attendee.signed_at is not None:
        raise ValidationError(_("%(name)s already signed this record on %(when)s.") % {
            "name": attendee.name, "when": timezone.localtime(attendee.signed_at).strftime("%Y-%m-%d %H:%M")})
    now = at or timezone.now()
    attendee.signed_at = now
    attendee.save(update_fields=["signed_at"])
    _step(mediation, step="record_signed", actor=actor, at=now, data={"session": session.pk, "attendee": attendee.pk},
          reason=_("%(name)s signed the record of session %(n)s.") % {"name": attendee.name, "n": session.seq})
    return attendee


# --- the time limit -------------------------------------------------------------------------------------------------


@transaction.atomic
def mediation_extend(*, mediation: Mediation, actor, days: int, reason: str, applicant_consents: bool,
                     respondent_consents: bool, at: datetime | None = None) -> Mediation:
    """Extend the time limit: only with both parties' consent, recorded with a reason (LEGAL.md)."""
    _lock(mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    errors: dict[str, str] = {}
    if not (applicant_consents and respondent_consents):
        errors["consent"] = _("A mediation runs longer than its time limit only if both parties agree.")
    if not reason.strip():
        errors["reason"] = _("Say why more time is needed.")
    if not 1 <= days <= rules.MEDIATION_EXTENSION_MAX_DAYS:
        errors["days"] = _("Extend by 1 to %(max)d days at a time.") % {"max": rules.MEDIATION_EXTENSION_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    before = mediation.due_at
    mediation.due_at = max(before, now) + timedelta(days=days)
    mediation.extended_with_consent = True
    mediation.save(update_fields=["due_at", "extended_with_consent"])
    _step(mediation, step="extended", actor=actor, at=now, reason=reason.strip(),
          public=gettext_noop("Mediation time extended to %(date)s with both parties' consent"),
          public_args={"date": timezone.localtime(mediation.due_at).strftime("%Y-%m-%d")},
          data={"days": days, "from": before.isoformat(), "to": mediation.due_at.isoformat()})
    return mediation


# --- the outcome ------------------------------------------------------------------------------------------------------

CONCLUDED_PUBLIC: dict[str, str] = {
    MediationOutcome.AGREEMENT_WRITTEN: gettext_noop("Mediation concluded: a written agreement was reached"),
    MediationOutcome.AGREEMENT_ORAL: gettext_noop("Mediation concluded: an oral agreement was reached"),
    MediationOutcome.PARTIAL: gettext_noop("Mediation concluded: agreement on part of the dispute"),
    MediationOutcome.NONE: gettext_noop("Mediation concluded without agreement; route: %(route)s"),
    MediationOutcome.WITHDRAWN: gettext_noop("Mediation ended: the request was withdrawn"),
}


def _agreement(mediation: Mediation):
    try:
        return mediation.agreement
    except Mediation.agreement.RelatedObjectDoesNotExist:
        return None


@transaction.atomic
def mediation_conclude(*, mediation: Mediation, actor, outcome: str, note: str, referral: str = "",
                       at: datetime | None = None) -> Mediation:
    """Close the mediation with its outcome and move the case: agreement → resolved, partial → partly resolved,
    none → not resolved with the referral route in the note (a route is required); withdrawn leaves the case to
    the committee. Sessions still scheduled are cancelled. All or nothing."""
    _lock(mediation)
    _check_work(actor, mediation)
    _check_open(mediation)
    case = mediation.case
    now = at or timezone.now()
    note = note.strip()
    referral = referral or ""
    errors: dict[str, str] = {}
    if outcome not in MediationOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the mediation.")})
    if outcome in rules.REFERRAL_REQUIRED and not referral:
        errors["referral"] = _("Without an agreement, say where the dispute goes next (arbitration, litigation, "
                               "a department or the petition procedure).")
    if referral and (referral not in Referral.values or outcome not in rules.REFERRAL_ALLOWED):
        errors["referral"] = _("A referral route goes with no agreement or a partial one.")
    if not note:
        oral = outcome == MediationOutcome.AGREEMENT_ORAL
        errors["note"] = (_("Write down the terms the parties agreed orally.") if oral
                          else _("Describe the result for the parties."))
    if outcome in rules.OUTCOME_NEEDS_HELD_SESSION and not mediation.sessions.filter(
            status=Session.Status.HELD).exists():
        errors["outcome"] = _("Hold at least one session before recording this outcome.")
    agreement = _agreement(mediation)
    if outcome in rules.OUTCOME_NEEDS_EFFECTIVE_AGREEMENT and (
            agreement is None or agreement.status != agreement.Status.EFFECTIVE):
        errors["outcome"] = _("A written agreement must be signed by everyone and in effect before the mediation "
                              "can be concluded with it.")
    case_outcome = rules.OUTCOME_CASE[outcome]
    if case_outcome is not None and not may(actor, Capability.CASE_HANDLE, case):
        errors["outcome"] = _("Only a mediator of the committee that holds the case can record this outcome.")
    if errors:
        raise ValidationError(errors)
    for session in mediation.sessions.filter(status=Session.Status.SCHEDULED):
        session.status = Session.Status.CANCELLED
        session.save(update_fields=["status"])
    mediation.status = Mediation.Status.CONCLUDED
    mediation.outcome = outcome
    mediation.outcome_note = note
    mediation.referral = referral
    mediation.concluded_at = now
    mediation.save(update_fields=["status", "outcome", "outcome_note", "referral", "concluded_at"])
    route = str(Referral(referral).label) if referral else ""
    _step(mediation, step="concluded", actor=actor, at=now, reason=note,
          public=CONCLUDED_PUBLIC[outcome], public_args={"route": route} if outcome == MediationOutcome.NONE else {},
          data={"outcome": outcome, "referral": referral})
    if case_outcome is not None:
        referred = _("Referred to: %(route)s") % {"route": route}
        text = note if not route else f"{note}\n{referred}"
        try:
            if case.status == Status.ON_HOLD:
                cs.case_resume(case=case, actor=actor, at=now)
            cs.case_resolve(case=case, actor=actor, outcome=case_outcome, note=text, at=now)
        except TransitionError as exc:
            raise ValidationError(_("The case cannot record the result now: %(why)s") % {"why": exc}) from exc
    return mediation


# --- what the mediator's home lists -------------------------------------------------------------------------------


def awaiting_mediation(user) -> QuerySet[Case]:
    """Disputes held by the user's committees, not yet in mediation, in a state a mediation can start from."""
    units = mediator_unit_ids(user)
    if not units:
        return Case.objects.none()
    committees = OrgUnit.objects.filter(pk__in=units, kind=UnitKind.MEDIATION_COMMITTEE)
    return (Case.objects.visible_to(user)
            .filter(holder_unit__in=committees, status__in=rules.MEDIATION_OPENABLE_STATES)
            .exclude(mediations__status=Mediation.Status.OPEN)
            .select_related("region", "holder_unit").order_by("due_at", "submitted_at"))


def week_sessions(user, start: datetime, end: datetime) -> QuerySet[Session]:
    """Sessions between start and end of mediations the user leads or is on the team of."""
    return (Session.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
            .filter(Q(mediation__mediator=user) | Q(mediation__team__user=user))
            .exclude(status=Session.Status.CANCELLED).distinct()
            .select_related("mediation", "mediation__case", "service_point").order_by("scheduled_at"))


def week_bookings(user, start: datetime, end: datetime) -> QuerySet[Booking]:
    """The residents' bookings of the user's mediator profile between start and end (not cancelled)."""
    return (Booking.objects.filter(mediator__user=user, starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Booking.Status.CANCELLED)
            .select_related("service_point", "case").prefetch_related("mediations").order_by("starts_at"))
