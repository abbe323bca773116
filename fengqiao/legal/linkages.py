"""Referrals to arbitration or litigation, and the six linkages (诉调、检调、警调、访调、证调、仲调), with
court-invited pre-litigation mediation (诉前调解): one write path per step, each in one transaction, each with its
LEGAL line on the case's timeline.

A receiving body that is not on the platform (an arbitration commission, say) answers on paper; the mediator who
sent the referral records its receipt and its decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, ServiceType
from fengqiao.legal import rules
from fengqiao.legal.models import Linkage, LinkageKind, Referral, ReferralKind, ReferralOutcome
from fengqiao.legal.services import _step
from fengqiao.mediation.models import Mediation, MediationOutcome, MediationSource
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import Capability, case_in_grant, scope_for
from fengqiao.org.models import OrgUnit, Region, Role, UnitKind

ACTING = frozenset({Capability.CASE_MEDIATE, Capability.CASE_HANDLE})


def acting_unit(actor, case: Case) -> OrgUnit | None:
    """The unit through which `actor` mediates or handles `case` (None: they may not)."""
    for grant in scope_for(actor).grants:
        if grant.capabilities & ACTING and case_in_grant(grant, case):
            return OrgUnit.objects.get(pk=grant.unit_id)
    return None


def member_units(actor) -> frozenset[int]:
    """The units in which `actor` may act on linkages (not as auditor, volunteer …)."""
    return frozenset(g.unit_id for g in scope_for(actor).grants if g.role in rules.LINKAGE_ACTOR_ROLES)


# --- referrals -------------------------------------------------------------------------------------------------


def _mediation_record(mediation: Mediation | None) -> str:
    if mediation is None:
        return ""
    lines = []
    for session in mediation.sessions.filter(status="held").order_by("seq"):
        when = timezone.localtime(session.held_at or session.scheduled_at).strftime("%Y-%m-%d")
        lines.append(f"{session.seq}. {when} {session.get_mode_display()}：{session.record.strip()}")
    return "\n".join(lines)


def _no_agreement(mediation: Mediation | None) -> str:
    if mediation is None:
        return ""
    if mediation.outcome in (MediationOutcome.NONE, MediationOutcome.PARTIAL, MediationOutcome.WITHDRAWN) or \
            mediation.status == Mediation.Status.OPEN:
        note = mediation.outcome_note.strip()
        base = _("Mediated by %(unit)s from %(start)s; the parties did not reach an agreement.") % {
            "unit": mediation.unit.name, "start": timezone.localtime(mediation.opened_at).strftime("%Y-%m-%d")}
        return f"{base} {note}".strip()
    return ""


@transaction.atomic
def referral_send(*, case: Case, actor, kind: str, to_unit: OrgUnit, summary: str = "",
                  mediation: Mediation | None = None, application=None, at: datetime | None = None) -> Referral:
    """Send the dispute to labour arbitration or to litigation with its package: the case summary, the mediation
    record, the statement that no agreement was reached."""
    now = at or timezone.now()
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": _("Choose arbitration or litigation.")})
    case = Case.objects.select_related("region").get(pk=case.pk)
    from_unit = acting_unit(actor, case)
    if from_unit is None:
        raise PermissionDenied(_("Only a mediator or handler working on this case may refer it."))
    error = rules.referral_unit_error(kind, to_unit.name, to_unit.kind)
    if error:
        raise ValidationError({"to_unit": error})
    if Referral.objects.filter(case=case, kind=kind, status__in=[Referral.Status.SENT, Referral.Status.RECEIVED]
                               ).exists():
        raise ValidationError({"kind": _("This case is already referred there and waiting for the outcome.")})
    mediation = mediation or case.mediations.order_by("-opened_at").first()
    rule = rules.REFERRAL_RULES[kind]
    referral = Referral.objects.create(
        kind=kind, case=case, mediation=mediation, application=application, from_unit=from_unit, to_unit=to_unit,
        summary=(summary or f"{case.title}\n{case.description}").strip(), mediation_record=_mediation_record(mediation),
        no_agreement_statement=_no_agreement(mediation), sent_at=now, sent_by=actor,
        receive_due_at=rules.period_end(now, rule.receive_days),
    )
    if mediation is not None and not mediation.referral:
        Mediation.objects.filter(pk=mediation.pk).update(referral=kind)
    _step(case, step=f"referral_{kind}", actor=actor, at=now,
          public=gettext_noop("Referred to %(unit)s"), public_args={"unit": to_unit.name},
          data={"referral": referral.pk, "to_unit": to_unit.pk, "kind": kind})
    notify(unit_members([to_unit], [Role.HANDLER, Role.COURT_CLERK, Role.OPERATOR]), kind="legal_referral",
           title=_("Referral received: %(code)s") % {"code": case.code}, body=case.title, case=case,
           key=f"legal:referral:{referral.pk}:sent")
    return referral


def _check_referral_actor(actor, referral: Referral) -> None:
    if referral.to_unit_id in member_units(actor):
        return
    if acting_unit(actor, referral.case) is not None:
        return
    raise PermissionDenied(_("Only the receiving body or the mediators on the case record this."))


@transaction.atomic
def referral_receive(*, referral: Referral, actor, reference: str = "", at: datetime | None = None) -> Referral:
    now = at or timezone.now()
    locked = Referral.objects.select_for_update().select_related("case", "to_unit").get(pk=referral.pk)
    _check_referral_actor(actor, locked)
    if locked.status != Referral.Status.SENT:
        raise ValidationError({"__all__": _("This referral was already received.")})
    rule = rules.REFERRAL_RULES[locked.kind]
    locked.status, locked.received_at, locked.reference = Referral.Status.RECEIVED, now, reference.strip()
    locked.decide_due_at = rules.period_end(now, rule.decide_days)
    locked.save()
    _step(locked.case, step="referral_received", actor=actor, at=now,
          public=gettext_noop("%(unit)s took the case"), public_args={"unit": locked.to_unit.name},
          data={"referral": locked.pk, "reference": locked.reference})
    referral.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return referral


@transaction.atomic
def referral_decide(*, referral: Referral, actor, outcome: str, result: str, at: datetime | None = None) -> Referral:
    now = at or timezone.now()
    locked = Referral.objects.select_for_update().select_related("case", "to_unit").get(pk=referral.pk)
    _check_referral_actor(actor, locked)
    errors = {}
    if outcome not in ReferralOutcome.values or not outcome:
        errors["outcome"] = _("Choose the outcome.")
    if not result.strip():
        errors["result"] = _("Write the result (what was awarded, judged or settled).")
    if errors:
        raise ValidationError(errors)
    if locked.status == Referral.Status.DECIDED:
        raise ValidationError({"__all__": _("The outcome of this referral is already recorded.")})
    if locked.status == Referral.Status.SENT and outcome != ReferralOutcome.DISMISSED:
        raise ValidationError({"outcome": _("The body has not taken the case yet: record its receipt first.")})
    locked.status, locked.decided_at, locked.outcome, locked.result = (Referral.Status.DECIDED, now, outcome,
                                                                        result.strip())
    locked.save()
    _step(locked.case, step="referral_decided", actor=actor, at=now, reason=result.strip(),
          public=gettext_noop("%(unit)s decided: %(outcome)s"),
          public_args={"unit": locked.to_unit.name, "outcome": str(ReferralOutcome(outcome).label)},
          data={"referral": locked.pk, "outcome": outcome})
    referral.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return referral


# --- linkages --------------------------------------------------------------------------------------------------


def _linkage_check(kind: str, from_unit: OrgUnit, to_unit: OrgUnit) -> None:
    if from_unit.pk == to_unit.pk:
        raise ValidationError({"to_unit": _("A hand-over goes to another unit.")})
    error = rules.linkage_units_error(kind, from_unit.kind, to_unit.kind, to_name=to_unit.name)
    if error:
        raise ValidationError({"to_unit": error})


def _notify_receiver(linkage: Linkage) -> None:
    notify(unit_members([linkage.to_unit], list(rules.LINKAGE_ACTOR_ROLES)), kind="legal_linkage",
           title=_("%(kind)s from %(unit)s: %(code)s") % {"kind": linkage.get_kind_display(),
                                                        "unit": linkage.from_unit.name, "code": linkage.case.code},
           body=linkage.note[:200], case=linkage.case, key=f"legal:linkage:{linkage.pk}:sent")


@transaction.atomic
def linkage_send(*, kind: str, case: Case, from_unit: OrgUnit, to_unit: OrgUnit, actor, note: str,
                 reference: str = "", mediation: Mediation | None = None, at: datetime | None = None) -> Linkage:
    """Hand a case over to the linked body, or from it to the mediators (a unit of the wrong kind is refused)."""
    now = at or timezone.now()
    if kind not in LinkageKind.values:
        raise ValidationError({"kind": _("Unknown kind of linkage.")})
    if from_unit.pk not in member_units(actor):
        raise PermissionDenied(_("You may only send hand-overs from your own unit."))
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not do this on this case."))
    _linkage_check(kind, from_unit, to_unit)
    if not note.strip():
        raise ValidationError({"note": _("Say what is handed over and why.")})
    accept_by, due = rules.linkage_clocks(kind, now)
    linkage = Linkage.objects.create(kind=kind, case=case, mediation=mediation, from_unit=from_unit, to_unit=to_unit,
                                     note=note.strip(), reference=reference.strip(), sent_at=now, sent_by=actor,
                                     accept_due_at=accept_by, due_at=due)
    _step(case, step=f"linkage_{kind}_sent", actor=actor, at=now,
          public=gettext_noop("Handed over to %(unit)s"), public_args={"unit": to_unit.name},
          data={"linkage": linkage.pk, "kind": kind, "from_unit": from_unit.pk, "to_unit": to_unit.pk})
    _notify_receiver(linkage)
    return linkage


@transaction.atomic
def pre_litigation_send(*, court: OrgUnit, committee: OrgUnit, actor, title: str, description: str,
                        region: Region, parties: Sequence[cs.PartyInput] = (), reference: str = "",
                        channel: str = Channel.WALK_IN, amount=None, at: datetime | None = None) -> Linkage:
    """Court-invited pre-litigation mediation (诉前调解): the court's dispute arrives as a case (service type
    mediation) dispatched to the mediation committee, with a court linkage that goes back with the result."""
    now = at or timezone.now()
    if court.kind != UnitKind.COURT or court.pk not in member_units(actor):
        raise PermissionDenied(_("Only a clerk of the court invites pre-litigation mediation."))
    if committee.kind != UnitKind.MEDIATION_COMMITTEE:
        raise ValidationError({"to_unit": _("%(unit)s is not a mediation committee.") % {"unit": committee.name}})
    if reference.strip():
        existing = Linkage.objects.filter(from_unit=court, reference=reference.strip(), pre_litigation=True).first()
        if existing is not None:
            return existing
    if not description.strip() or len(description.strip()) < 5:
        raise ValidationError({"description": _("Describe the dispute (at least 5 characters).")})
    case = cs.case_submit(channel=channel, service_type=ServiceType.MEDIATION, title=title, description=description,
                          region=region, parties=list(parties), reporter=actor, amount=amount,
                          source_system=f"court:{court.pk}" if reference.strip() else "",
                          source_id=reference.strip(), submitted_at=now)
    note = _("Pre-litigation mediation invited by %(court)s") % {"court": court.name}
    cs.case_accept(case=case, actor=None, at=now)
    cs.case_dispatch(case=case, actor=None, unit=committee, note=note, at=now)
    accept_by, due = rules.linkage_clocks(LinkageKind.COURT, now)
    linkage = Linkage.objects.create(kind=LinkageKind.COURT, pre_litigation=True, case=case, from_unit=court,
                                     to_unit=committee, note=description.strip(), reference=reference.strip(),
                                     sent_at=now, sent_by=actor, accept_due_at=accept_by, due_at=due)
    _step(case, step="pre_litigation_invited", actor=actor, at=now,
          public=gettext_noop("%(court)s invited mediation before litigation (诉前调解) by %(unit)s"),
          public_args={"court": court.name, "unit": committee.name},
          data={"linkage": linkage.pk, "court": court.pk, "reference": linkage.reference})
    _notify_receiver(linkage)
    return linkage


def _locked_linkage(linkage: Linkage, actor, *, statuses: Sequence[str]) -> Linkage:
    locked = Linkage.objects.select_for_update().select_related("case", "from_unit", "to_unit").get(pk=linkage.pk)
    if locked.to_unit_id not in member_units(actor):
        raise PermissionDenied(_("Only the receiving unit acts on this hand-over."))
    if locked.status not in statuses:
        raise ValidationError({"__all__": _("This hand-over is “%(status)s”: that step is not possible now.")
                               % {"status": locked.get_status_display()}})
    return locked


def _copy(target: Linkage, locked: Linkage) -> Linkage:
    target.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return target


@transaction.atomic
def linkage_accept(*, linkage: Linkage, actor, at: datetime | None = None) -> Linkage:
    """The receiving unit takes the hand-over; for a pre-litigation mediation the mediation opens (source court),
    led by the mediator who accepted it."""
    now = at or timezone.now()
    locked = _locked_linkage(linkage, actor, statuses=[Linkage.Status.SENT])
    locked.status, locked.accepted_at, locked.accepted_by = Linkage.Status.ACCEPTED, now, actor
    if locked.pre_litigation and locked.mediation_id is None:
        from fengqiao.mediation.casework import mediation_open

        locked.mediation = Mediation.objects.filter(case=locked.case, status=Mediation.Status.OPEN).first() or \
            mediation_open(case=locked.case, actor=actor, facts=locked.note, source=MediationSource.COURT, at=now)
    locked.save()
    _step(locked.case, step=f"linkage_{locked.kind}_accepted", actor=actor, at=now,
          public=gettext_noop("%(unit)s took over the case"), public_args={"unit": locked.to_unit.name},
          data={"linkage": locked.pk})
    return _copy(linkage, locked)


@transaction.atomic
def linkage_return(*, linkage: Linkage, actor, reason: str, at: datetime | None = None) -> Linkage:
    now = at or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hand-over is returned.")})
    locked = _locked_linkage(linkage, actor, statuses=[Linkage.Status.SENT, Linkage.Status.ACCEPTED])
    locked.status, locked.return_reason, locked.concluded_at = Linkage.Status.RETURNED, reason.strip(), now
    locked.save()
    _step(locked.case, step=f"linkage_{locked.kind}_returned", actor=actor, at=now, reason=reason.strip(),
          data={"linkage": locked.pk})
    notify(unit_members([locked.from_unit], list(rules.LINKAGE_ACTOR_ROLES)), kind="legal_linkage",
           title=_("Hand-over returned by %(unit)s: %(code)s") % {"unit": locked.to_unit.name, "code": locked.case.code},
           body=reason.strip()[:200], case=locked.case, key=f"legal:linkage:{locked.pk}:returned")
    return _copy(linkage, locked)


@transaction.atomic
def linkage_conclude(*, linkage: Linkage, actor, outcome: str, settled: bool | None,
                     at: datetime | None = None) -> Linkage:
    now = at or timezone.now()
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write the outcome.")})
    locked = _locked_linkage(linkage, actor, statuses=[Linkage.Status.ACCEPTED])
    return _copy(linkage, _conclude(locked, actor=actor, outcome=outcome.strip(), settled=settled, at=now))


def _conclude(locked: Linkage, *, actor, outcome: str, settled: bool | None, at: datetime) -> Linkage:
    locked.status, locked.outcome, locked.settled = Linkage.Status.CONCLUDED, outcome, settled
    locked.concluded_at, locked.concluded_by = at, actor
    locked.save()
    if locked.pre_litigation:
        public = gettext_noop("The mediation result was sent back to %(court)s")
        args = {"court": locked.from_unit.name}
    else:
        public, args = gettext_noop("%(unit)s recorded the outcome of the hand-over"), {"unit": locked.to_unit.name}
    _step(locked.case, step=f"linkage_{locked.kind}_concluded", actor=actor, at=at, public=public, public_args=args,
          reason=outcome, data={"linkage": locked.pk, "settled": settled})
    notify(unit_members([locked.from_unit], list(rules.LINKAGE_ACTOR_ROLES)), kind="legal_linkage",
           title=_("Outcome of the hand-over %(code)s: %(result)s")
           % {"code": locked.case.code, "result": _("settled") if settled else _("not settled")},
           body=outcome[:200], case=locked.case, key=f"legal:linkage:{locked.pk}:concluded")
    return locked


def mediation_result_text(mediation: Mediation) -> tuple[str, bool]:
    """The result of a concluded mediation in words for the court, and whether it settled the dispute."""
    settled = mediation.outcome in (MediationOutcome.AGREEMENT_WRITTEN, MediationOutcome.AGREEMENT_ORAL)
    parts = [str(MediationOutcome(mediation.outcome).label) if mediation.outcome else ""]
    agreement = getattr(mediation, "agreement", None) if hasattr(mediation, "agreement") else None
    if agreement is not None:
        parts.append(_("agreement %(number)s") % {"number": agreement.number})
    if mediation.outcome_note.strip():
        parts.append(mediation.outcome_note.strip())
    return "；".join(p for p in parts if p), settled


@transaction.atomic
def pre_litigation_report(*, linkage: Linkage, actor=None, at: datetime | None = None) -> Linkage | None:
    """Send the result of a concluded pre-litigation mediation back to the inviting court (the court's inbox shows
    it). Idempotent: claims the linkage by a conditional update; None when there is nothing to report."""
    now = at or timezone.now()
    if actor is not None and linkage.to_unit_id not in member_units(actor):
        raise PermissionDenied(_("Only the receiving unit acts on this hand-over."))
    mediation = (Mediation.objects.filter(pk=linkage.mediation_id).select_related("unit").first()
                 if linkage.mediation_id is not None else None)
    if mediation is None or mediation.status != Mediation.Status.CONCLUDED:
        if actor is not None:
            raise ValidationError({"__all__": _("The mediation has not concluded yet: there is no result to send.")})
        return None
    text, settled = mediation_result_text(mediation)
    text = text or "—"
    claimed = Linkage.objects.filter(pk=linkage.pk, status=Linkage.Status.ACCEPTED, pre_litigation=True).update(
        status=Linkage.Status.CONCLUDED, concluded_at=now, outcome=text, settled=settled)
    if not claimed:
        if actor is not None:
            raise ValidationError({"__all__": _("The result was already sent back to the court.")})
        return None
    locked = Linkage.objects.select_related("case", "from_unit", "to_unit").get(pk=linkage.pk)
    _conclude(locked, actor=actor, outcome=text, settled=settled, at=now)
    return _copy(linkage, locked)


def pre_litigation_due_reports() -> list[Linkage]:
    """Accepted pre-litigation mediations whose mediation has concluded: results to send back."""
    return list(Linkage.objects.filter(pre_litigation=True, status=Linkage.Status.ACCEPTED,
                                       mediation__status=Mediation.Status.CONCLUDED))


def linkages_for_unit(unit_ids) -> tuple:
    """(received, sent) hand-overs of these units, newest first."""
    base = Linkage.objects.select_related("case", "from_unit", "to_unit")
    return (base.filter(to_unit_id__in=unit_ids), base.filter(Q(from_unit_id__in=unit_ids)))
