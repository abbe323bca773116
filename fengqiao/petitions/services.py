"""The one write path of formal petitions (信访). Each move: check the actor's right, lock the petition, ask the
procedure (`rules.next_state`) whether the move is allowed now, validate, write, re-time the running clock and put a
PETITION step on the case's timeline, all in one transaction (nothing half-written).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases.models import Case, Party
from fengqiao.cases.services import case_record_step
from fengqiao.cases.workflow import Action
from fengqiao.core.crypto import blind_indexes
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit, Role
from fengqiao.petitions import rules
from fengqiao.petitions.models import ClosingCheck, Hearing, Opinion, Petition, PetitionForm, Stage
from fengqiao.petitions.rules import ClockState, Move, NotAcceptedGround, State, TransitionRefused

__all__ = ["TransitionRefused"]


def _today() -> date:
    return timezone.localdate()


def _ymd(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- who may -----------------------------------------------------------------------------------------------------


def petition_offices_for(user, case: Case | None = None) -> list[OrgUnit]:
    """The petition offices whose petitions `user` works (covering `case`, when given)."""
    from fengqiao.org.access import case_in_grant

    ids = [g.unit_id for g in scope_for(user).grants if Capability.CASE_PETITION in g.capabilities
           and (case is None or case_in_grant(g, case))]
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name"))


def may_register(user, case: Case) -> bool:
    return may(user, Capability.CASE_PETITION, case)


def may_work(user, petition: Petition) -> bool:
    """Staff of the petition office the petition is registered to."""
    return any(Capability.CASE_PETITION in g.capabilities and g.unit_id == petition.office_id
               for g in scope_for(user).grants)


def is_petitioner(user, petition: Petition) -> bool:
    return bool(user is not None and user.is_authenticated and user.pk == petition.case.applicant_user_id)


def _check(actor, petition: Petition, *, petitioner_may: bool = False) -> None:
    if may_work(actor, petition):
        return
    if petitioner_may and is_petitioner(actor, petition):
        return
    raise PermissionDenied(_("You may not act on this petition."))


def approvers_for(organ: OrgUnit):
    """The heads who may approve an extension: leaders of the handling organ or of a unit above it."""
    from fengqiao.accounts.models import User

    ancestor_ids = [int(x) for x in organ.path.strip("/").split("/") if x] or [organ.pk]
    return User.objects.filter(
        memberships__role=Role.LEADER, memberships__is_active=True, memberships__unit_id__in=ancestor_ids,
        is_active=True,
    ).distinct().order_by("name")


# --- clocks ------------------------------------------------------------------------------------------------------


def petition_clock(petition: Petition, today: date | None = None) -> ClockState | None:
    """The clock running now (None when the procedure waits for nobody)."""
    today = today or _today()
    opinions = {o.stage: o for o in petition.opinions.all()}
    reply, review, re_review = opinions.get(Stage.REPLY), opinions.get(Stage.REVIEW), opinions.get(Stage.RE_REVIEW)
    return rules.clock_for(
        petition.state,
        received_on=petition.received_on,
        accepted_on=petition.accepted_on,
        extension_days=petition.extension_days,
        replied_on=reply.decided_on if reply else None,
        review_requested_on=review.requested_on if review else None,
        review_decided_on=review.decided_on if review else None,
        re_review_requested_on=re_review.requested_on if re_review else None,
        hearings=[(h.stage, h.started_on, h.ended_on) for h in petition.hearings.all()],
        today=today,
    )


def _retime(petition: Petition, today: date | None = None) -> None:
    petition.__dict__.pop("_prefetched_objects_cache", None)
    clock = petition_clock(petition, today)
    petition.clock = clock.clock if clock else ""
    petition.due_on = clock.due if clock else None
    petition.clock_paused = bool(clock and clock.paused)


# --- the common step ---------------------------------------------------------------------------------------------


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).select_related("case", "office", "organ").get(pk=petition.pk)


def _day(value: date | None, *, field: str, not_before: date | None = None, label: str = "") -> date:
    day = value or _today()
    if day > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and day < not_before:
        raise ValidationError({field: _("The date cannot be before %(what)s (%(date)s).") % {
            "what": label, "date": _ymd(not_before)}})
    return day


def _save(petition: Petition, source: Petition, today: date | None = None) -> Petition:
    _retime(petition, today)
    petition.version = F("version") + 1
    petition.save()
    petition.refresh_from_db(fields=["version"])
    source.__dict__.update({k: v for k, v in petition.__dict__.items() if not k.startswith("_")})
    source.__dict__.pop("_prefetched_objects_cache", None)
    return source


def _step(petition: Petition, move: str, actor, *, reason: str = "", public: str | None = None,
          public_args: dict[str, Any] | None = None, public_words: bool = False, data: dict | None = None) -> None:
    case_record_step(case=petition.case, action=Action.PETITION, step=f"petition_{move}", actor=actor,
                     reason=reason, public=public, public_args=public_args, public_words=public_words,
                     data={"petition": petition.number, **(data or {})})


def _required(**fields: str) -> None:
    errors = {name: _("This field is required.") for name, value in fields.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


# --- registration ------------------------------------------------------------------------------------------------


def _next_number(case: Case, day: date) -> str:
    prefix = f"{case.code.split('-')[0]}XF-{day.year}-"
    last = (Petition.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _person_keys(parties) -> set[str]:
    keys: set[str] = set()
    for p in parties:
        keys |= rules.person_keys(p.name, p.phone, p.id_number)
    return keys


def find_re_reviewed(petitioners, matter: str, *, exclude: int | None = None) -> tuple[Petition, float] | None:
    """An earlier petition of the same petitioner on similar facts whose re-review was decided, with the score."""
    keys = _person_keys(petitioners)
    if not keys:
        return None
    phones = [k.split(":", 1)[1] for k in keys if k.startswith("phone:")]
    ids = [k.split(":", 1)[1] for k in keys if k.startswith("id:")]
    names = [k.split(":", 1)[1] for k in keys if k.startswith("name:")]
    candidates = (
        Petition.objects.filter(opinions__stage=Stage.RE_REVIEW, opinions__decided_on__isnull=False)
        .filter(Q(petitioners__phone__in=phones) | Q(petitioners__id_number_index__in=blind_indexes(ids))
                | Q(petitioners__name__in=names))
        .exclude(pk=exclude).distinct().prefetch_related("petitioners")
    )
    best: tuple[Petition, float] | None = None
    for old in candidates:
        score = rules.is_repeat(keys, matter, _person_keys(old.petitioners.all()), old.matter)
        if score is not None and (best is None or score > best[1]):
            best = (old, score)
    return best


def _re_review_date(petition: Petition) -> date | None:
    opinion = petition.opinions.filter(stage=Stage.RE_REVIEW).first()
    return opinion.decided_on if opinion else None


@transaction.atomic
def petition_register(*, case: Case, actor, petitioners: list[Party], matter: str, form: str, people_count: int = 1,
                      registered_on: date | None = None, office: OrgUnit | None = None,
                      link_to: Petition | None = None) -> Petition:
    """Register a case as a formal petition with the petition office; petitions on re-reviewed facts are recognised."""
    offices = petition_offices_for(actor, case)
    if not offices:
        raise PermissionDenied(_("Only the staff of a petition office serving this place register petitions."))
    if office is None:
        office = offices[0]
    elif office.pk not in {o.pk for o in offices}:
        raise PermissionDenied(_("You do not work for this petition office."))
    errors: dict[str, str] = {}
    if not matter.strip():
        errors["matter"] = _("Say what the petition asks for.")
    if form not in PetitionForm.values:
        errors["form"] = _("Choose how the petition came in.")
    if people_count < 1:
        errors["people_count"] = _("At least one person is involved.")
    petitioners = list(petitioners)
    if not petitioners:
        errors["petitioners"] = _("Choose at least one petitioner from the parties of the case.")
    elif any(p.case_id != case.pk for p in petitioners):
        errors["petitioners"] = _("Petitioners must be parties of this case.")
    day = registered_on or _today()
    if day > _today():
        errors["registered_on"] = _("The date cannot be in the future.")
    if link_to is not None and _re_review_date(link_to) is None:
        errors["link_to"] = _("Petition %(number)s has no re-review (复核) opinion: only re-reviewed facts are "
                              "not accepted again.") % {"number": link_to.number}
    if errors:
        raise ValidationError(errors)
    petition = Petition.objects.create(
        number=_next_number(case, day), case=case, office=office, matter=matter.strip(), form=form,
        people_count=people_count, registered_on=day, received_on=day, registered_by=actor,
    )
    petition.petitioners.set(petitioners)
    found = (link_to, 1.0) if link_to is not None else find_re_reviewed(petitioners, petition.matter,
                                                                         exclude=petition.pk)
    if found is not None:
        earlier, score = found
        petition.repeat_of = earlier
        petition.repeat_basis = (_("linked by staff") if link_to is not None else
                                 _("same petitioner, similar matter (%(score)d%% alike)") % {"score": round(score * 100)})
    _retime(petition)
    petition.save()
    _step(petition, "register", actor, public=gettext_noop("Registered as a petition (信访事项), number %(number)s"),
          public_args={"number": petition.number},
          data={"form": form, "repeat_of": petition.repeat_of.number if petition.repeat_of else ""})
    if petition.repeat_of is not None:
        _step(petition, "repeat_recognised", actor,
              reason=_("Same facts as petition %(number)s, re-reviewed on %(date)s: %(basis)s") % {
                  "number": petition.repeat_of.number, "date": _ymd(_re_review_date(petition.repeat_of)),
                  "basis": petition.repeat_basis})
    return petition


@transaction.atomic
def petition_link_repeat(*, petition: Petition, actor, earlier: Petition) -> Petition:
    _check(actor, petition)
    locked = _locked(petition)
    rules.next_state(Move.LINK_REPEAT, locked.state)
    when = _re_review_date(earlier)
    if when is None or earlier.pk == locked.pk:
        raise ValidationError({"earlier": _("Petition %(number)s has no re-review (复核) opinion: only re-reviewed "
                                            "facts are not accepted again.") % {"number": earlier.number}})
    locked.repeat_of, locked.repeat_basis = earlier, _("linked by staff")
    _save(locked, petition)
    _step(locked, Move.LINK_REPEAT, actor, reason=_("Same facts as petition %(number)s, re-reviewed on %(date)s.") % {
        "number": earlier.number, "date": _ymd(when)})
    return petition


@transaction.atomic
def petition_unlink_repeat(*, petition: Petition, actor, reason: str) -> Petition:
    _check(actor, petition)
    _required(reason=reason)
    locked = _locked(petition)
    rules.next_state(Move.UNLINK_REPEAT, locked.state)
    if locked.repeat_of is None:
        raise ValidationError({"reason": _("This petition is not linked to an earlier one.")})
    earlier = locked.repeat_of.number
    locked.repeat_of, locked.repeat_basis = None, ""
    _save(locked, petition)
    _step(locked, Move.UNLINK_REPEAT, actor, reason=_("Not the same facts as petition %(number)s: %(reason)s") % {
        "number": earlier, "reason": reason.strip()})
    return petition


# --- intake decision ---------------------------------------------------------------------------------------------


def _refuse_if_repeat(petition: Petition) -> None:
    if petition.repeat_of is not None:
        raise ValidationError(_("These facts were re-reviewed on %(date)s (petition %(number)s): they are not "
                                "accepted again. Record “not accepted” with that ground, or remove the link if the "
                                "facts are new.") % {"date": _ymd(_re_review_date(petition.repeat_of)),
                                                      "number": petition.repeat_of.number})


@transaction.atomic
def petition_accept(*, petition: Petition, actor, organ: OrgUnit, on: date | None = None, note: str = "") -> Petition:
    """Accept and name the handling organ (受理告知): the 60-day handling clock starts."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.ACCEPT, locked.state)
    _refuse_if_repeat(locked)
    if locked.organ is not None and locked.organ.pk != organ.pk:
        raise ValidationError({"organ": _("The petition was transferred to %(organ)s, which decides on it.") % {
            "organ": locked.organ.name}})
    locked.organ = organ
    locked.accepted_on = _day(on, field="on", not_before=locked.received_on, label=_("the day it was received"))
    _save(locked, petition)
    _step(locked, Move.ACCEPT, actor, reason=note.strip(),
          public=gettext_noop("Petition accepted; handling organ: %(organ)s"), public_args={"organ": organ.name},
          data={"organ": organ.pk})
    return petition


@transaction.atomic
def petition_not_accept(*, petition: Petition, actor, ground: str, reason: str, on: date | None = None) -> Petition:
    """Do not accept, with the ground and the reason the notice gives the petitioner (不予受理告知)."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.NOT_ACCEPT, locked.state)
    if ground not in NotAcceptedGround.values:
        raise ValidationError({"ground": _("Choose the ground for not accepting.")})
    earlier = locked.repeat_of
    if ground == NotAcceptedGround.RE_REVIEWED and earlier is None:
        raise ValidationError({"ground": _("Link the earlier re-reviewed petition first.")})
    note = reason.strip()
    if ground == NotAcceptedGround.RE_REVIEWED and earlier is not None:
        # The record says it in the reader's language; the notice (PDF) says it in its own words.
        note = _("Not re-accepted: re-reviewed on %(date)s, petition %(number)s.") % {
            "date": _ymd(_re_review_date(earlier)), "number": earlier.number} + (f" {note}" if note else "")
    else:
        _required(reason=reason)
    locked.not_accepted_ground, locked.decision_reason = ground, reason.strip()
    day = _day(on, field="on", not_before=locked.received_on, label=_("the day it was received"))
    locked.accepted_on = None
    locked.closed_on = day
    _save(locked, petition)
    if ground == NotAcceptedGround.RE_REVIEWED and earlier is not None:
        public = gettext_noop("Not accepted again: these facts were re-reviewed on %(date)s (petition %(number)s)")
        args = {"date": _ymd(_re_review_date(earlier)), "number": earlier.number}
    else:
        public, args = gettext_noop("Petition not accepted; the written notice gives the reason"), {}
    _step(locked, Move.NOT_ACCEPT, actor, reason=note, public=public, public_args=args,
          public_words=bool(locked.decision_reason), data={"ground": ground})
    return petition


@transaction.atomic
def petition_transfer(*, petition: Petition, actor, organ: OrgUnit, reason: str = "", on: date | None = None) -> Petition:
    """Transfer to the organ that has the power to handle it; it decides on acceptance within 15 days of receipt."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.TRANSFER, locked.state)
    _refuse_if_repeat(locked)
    if organ.pk == locked.office_id:
        raise ValidationError({"organ": _("Choose the organ the petition goes to, not the petition office itself.")})
    locked.organ = organ
    locked.received_on = _day(on, field="on", not_before=locked.registered_on, label=_("registration"))
    locked.transferred_on = locked.received_on
    _save(locked, petition)
    _step(locked, Move.TRANSFER, actor, reason=reason.strip(),
          public=gettext_noop("Petition transferred to %(organ)s, which decides whether to accept it"),
          public_args={"organ": organ.name}, data={"organ": organ.pk})
    return petition


# --- handling ----------------------------------------------------------------------------------------------------


@transaction.atomic
def petition_start(*, petition: Petition, actor, on: date | None = None) -> Petition:
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.START, locked.state)
    locked.started_on = _day(on, field="on", not_before=locked.accepted_on, label=_("acceptance"))
    _save(locked, petition)
    _step(locked, Move.START, actor, public=gettext_noop("The handling organ is working on the petition"))
    return petition


@transaction.atomic
def petition_extend(*, petition: Petition, actor, days: int, reason: str, approved_by) -> Petition:
    """One extension of ≤ 30 days, approved by the head of the handling organ; the petitioner is told why."""
    _check(actor, petition)
    locked = _locked(petition)
    rules.next_state(Move.EXTEND, locked.state)
    approved = approved_by is not None and locked.organ is not None and \
        approvers_for(locked.organ).filter(pk=approved_by.pk).exists()
    errors = rules.validate_extension(days, already_extended=locked.extension_days > 0, approved=approved)
    if not reason.strip():
        errors.append(_("Give the reason the petitioner will be told."))
    if errors:
        raise ValidationError(errors)
    locked.extension_days, locked.extension_reason, locked.extension_approved_by = days, reason.strip(), approved_by
    locked.extended_on = _today()
    _save(locked, petition)
    assert locked.accepted_on is not None  # accepted or handling: acceptance was recorded
    due = rules.handling_due(locked.accepted_on, days)
    _step(locked, Move.EXTEND, actor, reason=locked.extension_reason,
          public=gettext_noop("Handling time extended by %(days)s days, until %(date)s"),
          public_args={"days": days, "date": _ymd(due)}, public_words=True,
          data={"days": days, "approved_by": approved_by.pk})
    return petition


def default_review_organ(organ: OrgUnit | None) -> str:
    """Where a review is asked for by default: the district government above a district organ."""
    if organ is None:
        return ""
    district = organ.region.district if organ.region_id else None
    return f"深圳市{district.name}人民政府" if district else ""


def _decided(record: Opinion) -> date:
    assert record.decided_on is not None  # an opinion that was issued
    return record.decided_on


def _opinion(locked: Petition, stage: str, actor, *, facts: str, opinion: str, basis: str, next_organ: str,
             on: date | None, not_before: date | None, label: str) -> Opinion:
    _required(facts=facts, opinion=opinion, basis=basis)
    record = Opinion.objects.filter(petition=locked, stage=stage).first() or Opinion(petition=locked, stage=stage)
    record.organ_name = record.organ_name or (locked.organ.name if locked.organ else locked.office.name)
    record.decided_on = _day(on, field="on", not_before=not_before, label=label)
    record.facts, record.opinion, record.basis = facts.strip(), opinion.strip(), basis.strip()
    record.next_organ_name = next_organ.strip()
    record.decided_by = actor
    record.save()
    return record


@transaction.atomic
def petition_reply(*, petition: Petition, actor, facts: str, opinion: str, basis: str, review_organ: str = "",
                   on: date | None = None) -> Petition:
    """The written reply (信访答复意见书); the petitioner may ask `review_organ` for a review within 30 days."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.REPLY, locked.state)
    review_organ = review_organ.strip() or default_review_organ(locked.organ)
    _required(review_organ=review_organ)
    record = _opinion(locked, Stage.REPLY, actor, facts=facts, opinion=opinion, basis=basis, next_organ=review_organ,
                      on=on, not_before=locked.accepted_on, label=_("acceptance"))
    _save(locked, petition)
    _step(locked, Move.REPLY, actor,
          public=gettext_noop("Written reply issued; you may ask %(organ)s for a review (复查) until %(date)s"),
          public_args={"organ": review_organ, "date": _ymd(rules.request_until(_decided(record)))})
    return petition


def _request(locked: Petition, stage: str, prior: Stage, on: date | None, organ_name: str) -> Opinion:
    before = locked.opinions.get(stage=prior)
    day = _day(on, field="on", not_before=before.decided_on, label=_("the previous opinion"))
    until = rules.request_until(_decided(before))
    if day > until:
        raise ValidationError({"on": _("The time to ask for this ended on %(date)s (30 days after the written "
                                       "opinion of %(decided)s).") % {"date": _ymd(until),
                                                                     "decided": _ymd(before.decided_on)}})
    organ_name = organ_name.strip() or before.next_organ_name
    return Opinion.objects.create(petition=locked, stage=stage, organ_name=organ_name, requested_on=day)


@transaction.atomic
def petition_request_review(*, petition: Petition, actor, on: date | None = None, organ_name: str = "") -> Petition:
    """The petitioner asks for a review (复查) ≤ 30 days after the written reply (they may do it themselves)."""
    _check(actor, petition, petitioner_may=True)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.REQUEST_REVIEW, locked.state)
    record = _request(locked, Stage.REVIEW, Stage.REPLY, on, organ_name)
    _save(locked, petition)
    _step(locked, Move.REQUEST_REVIEW, actor, public=gettext_noop("Review (复查) requested from %(organ)s"),
          public_args={"organ": record.organ_name})
    return petition


@transaction.atomic
def petition_request_re_review(*, petition: Petition, actor, on: date | None = None, organ_name: str = "") -> Petition:
    """The petitioner asks for a re-review (复核) ≤ 30 days after the review opinion."""
    _check(actor, petition, petitioner_may=True)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.REQUEST_RE_REVIEW, locked.state)
    record = _request(locked, Stage.RE_REVIEW, Stage.REVIEW, on, organ_name)
    _save(locked, petition)
    _step(locked, Move.REQUEST_RE_REVIEW, actor, public=gettext_noop("Re-review (复核) requested from %(organ)s"),
          public_args={"organ": record.organ_name})
    return petition


def _stage_of(state: str) -> str:
    return Stage.REVIEW if state == State.REVIEW_REQUESTED else Stage.RE_REVIEW


@transaction.atomic
def petition_hearing_start(*, petition: Petition, actor, on: date | None = None, note: str = "") -> Petition:
    """A hearing (听证) starts: the decision clock stands still until it ends."""
    _check(actor, petition)
    locked = _locked(petition)
    rules.next_state(Move.HEARING_START, locked.state)
    stage = _stage_of(locked.state)
    if locked.hearings.filter(ended_on__isnull=True).exists():
        raise ValidationError({"on": _("A hearing is already running; record its end first.")})
    requested = locked.opinions.get(stage=stage).requested_on
    day = _day(on, field="on", not_before=requested, label=_("the request"))
    last = locked.hearings.filter(stage=stage).order_by("-ended_on").first()
    if last and last.ended_on and day <= last.ended_on:
        raise ValidationError({"on": _("A hearing cannot start before the previous one ended.")})
    Hearing.objects.create(petition=locked, stage=stage, started_on=day, note=note.strip())
    _save(locked, petition)
    _step(locked, Move.HEARING_START, actor, reason=note.strip(),
          public=gettext_noop("Hearing (听证) started on %(date)s; its days are not counted in the time limit"),
          public_args={"date": _ymd(day)})
    return petition


@transaction.atomic
def petition_hearing_end(*, petition: Petition, actor, on: date | None = None) -> Petition:
    _check(actor, petition)
    locked = _locked(petition)
    rules.next_state(Move.HEARING_END, locked.state)
    hearing = locked.hearings.filter(ended_on__isnull=True).first()
    if hearing is None:
        raise ValidationError({"on": _("No hearing is running.")})
    hearing.ended_on = _day(on, field="on", not_before=hearing.started_on, label=_("the start of the hearing"))
    hearing.save(update_fields=["ended_on"])
    _save(locked, petition)
    _step(locked, Move.HEARING_END, actor, public=gettext_noop("Hearing (听证) ended on %(date)s"),
          public_args={"date": _ymd(hearing.ended_on)})
    return petition


def default_re_review_organ(review_organ: str) -> str:
    return "深圳市人民政府" if review_organ.startswith("深圳市") and "区" in review_organ else ""


@transaction.atomic
def petition_decide_review(*, petition: Petition, actor, facts: str, opinion: str, basis: str,
                           re_review_organ: str = "", on: date | None = None) -> Petition:
    """The review opinion (复查意见), ≤ 30 days after the request, hearing time not counted."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.DECIDE_REVIEW, locked.state)
    if locked.hearings.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("A hearing is still running: record its end before the opinion."))
    record = locked.opinions.get(stage=Stage.REVIEW)
    re_review_organ = re_review_organ.strip() or default_re_review_organ(record.organ_name)
    _required(re_review_organ=re_review_organ)
    record = _opinion(locked, Stage.REVIEW, actor, facts=facts, opinion=opinion, basis=basis,
                      next_organ=re_review_organ, on=on, not_before=record.requested_on, label=_("the request"))
    _save(locked, petition)
    _step(locked, Move.DECIDE_REVIEW, actor,
          public=gettext_noop("Review opinion issued by %(organ)s; you may ask %(next)s for a re-review (复核) "
                              "until %(date)s"),
          public_args={"organ": record.organ_name, "next": re_review_organ,
                       "date": _ymd(rules.request_until(_decided(record)))})
    return petition


@transaction.atomic
def petition_decide_re_review(*, petition: Petition, actor, facts: str, opinion: str, basis: str,
                              on: date | None = None) -> Petition:
    """The re-review opinion (复核意见): after it, the same facts are not accepted again."""
    _check(actor, petition)
    locked = _locked(petition)
    locked.state = rules.next_state(Move.DECIDE_RE_REVIEW, locked.state)
    if locked.hearings.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("A hearing is still running: record its end before the opinion."))
    record = locked.opinions.get(stage=Stage.RE_REVIEW)
    record = _opinion(locked, Stage.RE_REVIEW, actor, facts=facts, opinion=opinion, basis=basis, next_organ="",
                      on=on, not_before=record.requested_on, label=_("the request"))
    _save(locked, petition)
    _step(locked, Move.DECIDE_RE_REVIEW, actor,
          public=gettext_noop("Re-review opinion issued by %(organ)s: a petition on the same facts and reasons is "
                              "not accepted again"),
          public_args={"organ": record.organ_name})
    return petition


# --- closing -----------------------------------------------------------------------------------------------------


@transaction.atomic
def petition_closing_check(*, petition: Petition, actor, lines: list[rules.CheckLine]) -> Petition:
    """Record the 三到位一处理 check (all four items, each applicable or not, with a note)."""
    _check(actor, petition)
    locked = _locked(petition)
    rules.next_state(Move.CLOSING_CHECK, locked.state)
    if {line.item for line in lines} != set(rules.ClosingItem.values):
        raise ValidationError(_("Mark each of the four items as applicable or not."))
    now = timezone.now()
    for line in lines:
        ClosingCheck.objects.update_or_create(petition=locked, item=line.item, defaults={
            "applicable": line.applicable, "done": line.done and line.applicable, "note": line.note.strip(),
            "checked_by": actor, "checked_at": now})
    _save(locked, petition)
    done, not_done = _("done"), _("not done")
    summary = "；".join(
        f"{rules.ClosingItem(line.item).label}：{done if line.done else not_done}"
        for line in lines if line.applicable)
    _step(locked, Move.CLOSING_CHECK, actor, reason=summary)
    return petition


def closing_lines(petition: Petition) -> list[rules.CheckLine]:
    return [rules.CheckLine(c.item, c.applicable, c.done, c.note) for c in petition.closing_checks.all()]


@transaction.atomic
def petition_close(*, petition: Petition, actor, petitioner_accepts: bool = False, on: date | None = None) -> Petition:
    """Close after the closing check; while the petitioner may still ask for the next step, only if they accept."""
    _check(actor, petition)
    locked = _locked(petition)
    clock = petition_clock(locked)  # the window still open, before the state moves on
    locked.state = rules.next_state(Move.CLOSE, locked.state)
    errors = rules.closing_check_errors(closing_lines(locked))
    day = _day(on, field="on")
    if clock is not None and not clock.organ and day <= clock.due and not petitioner_accepts:
        errors.append(_("The petitioner may still ask for the next step until %(date)s: close now only if they "
                        "accept the opinion.") % {"date": _ymd(clock.due)})
    if errors:
        raise ValidationError(errors)
    locked.closed_on = day
    _save(locked, petition)
    _step(locked, Move.CLOSE, actor, public=gettext_noop("Petition closed"),
          data={"petitioner_accepts": petitioner_accepts})
    return petition


# --- the clock sweep (scheduler) ----------------------------------------------------------------------------------


def _office_staff(office_id: int):
    from fengqiao.accounts.models import User
    from fengqiao.org.access import PETITION_ROLES

    return User.objects.filter(memberships__unit_id=office_id, memberships__is_active=True,
                               memberships__role__in=PETITION_ROLES, is_active=True).distinct()


def petition_sweep(today: date | None = None) -> dict[str, int]:
    """Tell the petition office of clocks about to run out and of overdue ones; each alert once (claimed by a
    conditional UPDATE on `alerted`, so two workers never both send it, and a re-run sends nothing new)."""
    from fengqiao.notifications.services import notify

    today = today or _today()
    counts = {"reminders": 0, "overdue": 0}
    horizon = date.fromordinal(today.toordinal() + rules.REMIND_DAYS_BEFORE)
    for petition in (Petition.objects.open().filter(due_on__lte=horizon).select_related("case")
                     .prefetch_related("opinions", "hearings")):
        clock = petition_clock(petition, today)
        if clock is None or not clock.organ:
            continue
        kind = "overdue" if clock.overdue(today) else "reminder" if clock.reminder(today) else ""
        if not kind:
            continue
        key = f"petition:{petition.pk}:{clock.clock}:{_ymd(clock.due)}:{kind}"
        with transaction.atomic():
            if not Petition.objects.filter(pk=petition.pk).exclude(alerted=key).update(alerted=key):
                continue  # another worker, or an earlier run, sent it
            label = rules.Clock(clock.clock).label
            if kind == "overdue":
                title = _("Petition %(number)s overdue: %(clock)s (due %(date)s)")
            else:
                title = _("Petition %(number)s due soon: %(clock)s (due %(date)s)")
            title = title % {"number": petition.number, "clock": label, "date": _ymd(clock.due)}
            notify(_office_staff(petition.office_id), kind=f"petition_{kind}", title=title,
                   body=petition.matter[:200], case=petition.case, key=key)
            if kind == "overdue":
                _step(petition, "clock_overdue", None, reason=title, data={"clock": clock.clock})
            counts["overdue" if kind == "overdue" else "reminders"] += 1
    return counts


