"""Judicial confirmation (司法确认): the one write path from an effective agreement to the court's ruling.

`application_draft` prepares what the mediator sees (court suggested with its reasons, materials, the matter, the
30-day clock); `application_file` files it in one transaction; the court (a clerk of that court, or the court's
API client) accepts or not, may extend the decision time once with the president's approval, and records the
ruling; after a refusal the mediator sends the dispute back to mediation or to litigation. Every step writes a
LEGAL line on the case's timeline, in words for the resident where they concern them.

Referrals and the six linkages: `fengqiao.legal.linkages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases.services import case_record_step
from fengqiao.cases.workflow import Action
from fengqiao.legal import rules
from fengqiao.legal.models import ConfirmationApplication, Linkage, LinkageKind, MatterType
from fengqiao.mediation.models import Agreement, Mediation, MediationSource
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit, Region, RegionLevel, Role, UnitKind

AppStatus = ConfirmationApplication.Status


# --- who may act ---------------------------------------------------------------------------------------------


def clerk_court_ids(user) -> frozenset[int]:
    """The courts whose applications `user` handles (court clerks: CASE_JUDICIAL in that court)."""
    return frozenset(g.unit_id for g in scope_for(user).grants if Capability.CASE_JUDICIAL in g.capabilities)


def _check_clerk(actor, application: ConfirmationApplication) -> None:
    if application.court_id not in clerk_court_ids(actor):
        raise PermissionDenied(_("Only a clerk of %(court)s records its decisions on this application.")
                               % {"court": application.court.name})


def _check_mediator(actor, case) -> None:
    if not may(actor, Capability.CASE_MEDIATE, case):
        raise PermissionDenied(_("Only a mediator working on this case may do this."))


# --- the court and the materials ------------------------------------------------------------------------------


def courts_by_district() -> dict[str, rules.Court]:
    """The basic court of each district (a court unit serving the district)."""
    found: dict[str, rules.Court] = {}
    for unit in OrgUnit.objects.filter(kind=UnitKind.COURT, is_active=True).select_related("region").order_by("pk"):
        district = unit.region.district
        if district is not None:
            found.setdefault(district.code, rules.Court(unit.pk, unit.name))
    return found


def inviting_court(mediation: Mediation) -> OrgUnit | None:
    """The court that invited this mediation before litigation (诉前调解), if one did."""
    if mediation.source != MediationSource.COURT:
        return None
    linkage = (Linkage.objects.filter(kind=LinkageKind.COURT, pre_litigation=True, case=mediation.case)
               .select_related("from_unit").order_by("-sent_at").first())
    if linkage is not None and linkage.from_unit.kind == UnitKind.COURT:
        return linkage.from_unit
    district = mediation.case.region.district
    return OrgUnit.objects.filter(kind=UnitKind.COURT, region=district).first() if district else None


def _district_code(region: Region | None) -> str | None:
    district = region.district if region is not None else None
    return district.code if district is not None else None


def suggest_court_for(agreement: Agreement) -> rules.CourtSuggestion:
    mediation = agreement.mediation
    invited = inviting_court(mediation)
    districts = dict(Region.objects.filter(level=RegionLevel.DISTRICT).values_list("name", "code"))
    case = mediation.case
    return rules.suggest_court(
        inviting_court=rules.Court(invited.pk, invited.name) if invited else None,
        courts_by_district=courts_by_district(),
        body=(mediation.unit.name, _district_code(mediation.unit.region)),
        subject=(case.region.name, _district_code(case.region)),
        parties=[rules.districts_named(p.address, districts) for p in agreement.parties.all()],
    )


def agreement_text(agreement: Agreement) -> str:
    terms = " ".join(t.content for t in agreement.terms.all())
    return " ".join([agreement.facts, agreement.matters, agreement.responsibilities, terms])


PROPERTY_WORDS = ("房", "产权", "土地", "车", "股权", "不动产", "宅基地", "商铺", "车位")


def materials_for(agreement: Agreement) -> list[dict[str, str]]:
    """The materials the court needs (LEGAL.md): the joint application, the agreement, each party's identity
    document and service address and phone, and evidence of the property rights concerned."""
    items: list[dict[str, str]] = [
        {"item": "application", "party": "", "detail": ""},
        {"item": "agreement", "party": "", "detail": agreement.number},
    ]
    for p in agreement.parties.all():
        items.append({"item": "identity", "party": p.name, "detail": p.id_type or ""})
        items.append({"item": "service_address", "party": p.name,
                      "detail": " ".join(x for x in (p.address, p.phone) if x)})
    property_terms = [f"{t.seq}" for t in agreement.terms.all() if any(w in t.content for w in PROPERTY_WORDS)]
    items.append({"item": "property", "party": "", "detail": ",".join(property_terms)})
    return items


MATERIAL_LABELS = {
    "application": gettext_noop("Joint application for judicial confirmation (signed by all parties)"),
    "agreement": gettext_noop("The mediation agreement"),
    "identity": gettext_noop("Identity document"),
    "service_address": gettext_noop("Address for service and phone"),
    "property": gettext_noop("Evidence of the property rights concerned"),
}


@dataclass
class Draft:
    """What the mediator sees before filing: nothing is written."""

    agreement: Agreement
    suggestion: rules.CourtSuggestion
    court: OrgUnit | None
    courts: list[OrgUnit]
    matter: str
    matter_keyword: str
    matter_error: str | None
    materials: list[dict[str, str]]
    effective_at: datetime
    apply_due: datetime
    late: bool
    live: ConfirmationApplication | None
    problems: list[str] = field(default_factory=list)


def live_application(agreement: Agreement) -> ConfirmationApplication | None:
    return (ConfirmationApplication.objects.filter(agreement=agreement, status__in=rules.LIVE_STATUSES)
            .select_related("court").first())


def application_draft(*, agreement: Agreement, at: datetime | None = None) -> Draft:
    now = at or timezone.now()
    suggestion = suggest_court_for(agreement)
    matter, keyword = rules.detect_matter(agreement_text(agreement))
    effective_at = agreement.effective_at or now
    due = rules.apply_due(effective_at)
    court = OrgUnit.objects.filter(pk=suggestion.court.id).first() if suggestion.court else None
    draft = Draft(
        agreement=agreement, suggestion=suggestion, court=court,
        courts=list(OrgUnit.objects.filter(kind=UnitKind.COURT, is_active=True).order_by("name")),
        matter=matter, matter_keyword=keyword, matter_error=rules.matter_error(matter, keyword),
        materials=materials_for(agreement), effective_at=effective_at, apply_due=due, late=now > due,
        live=live_application(agreement),
    )
    if agreement.status != Agreement.Status.EFFECTIVE:
        draft.problems.append(_("Only an agreement in effect can be confirmed: this one is “%(status)s”.")
                              % {"status": agreement.get_status_display()})
    if draft.live is not None:
        draft.problems.append(_("This agreement already has an application (%(status)s) with %(court)s.")
                              % {"status": draft.live.get_status_display(), "court": draft.live.court.name})
    if draft.matter_error:
        draft.problems.append(draft.matter_error)
    return draft


# --- filing ---------------------------------------------------------------------------------------------------


def _step(case, *, step: str, actor, public: str | None = None, public_args: dict[str, Any] | None = None,
          reason: str = "", data: dict[str, Any] | None = None, at: datetime | None = None) -> None:
    case_record_step(case=case, action=Action.LEGAL, step=step, actor=actor, reason=reason, public=public,
                     public_args=public_args, data=data, at=at)


def _clerks(court: OrgUnit) -> list:
    return unit_members([court], [Role.COURT_CLERK])


@transaction.atomic
def application_file(
    *,
    agreement: Agreement,
    actor,
    court: OrgUnit | None = None,
    matter_type: str | None = None,
    late_acknowledged: bool = False,
    late_reason: str = "",
    at: datetime | None = None,
) -> ConfirmationApplication:
    """File the joint application for judicial confirmation of an effective agreement (one action).

    Refused (ValidationError, nothing written): an agreement not in effect; identity, adoption or marriage matters
    (the rule quoted); a court that is not a court; a second live application; after the 30 days, unless the
    warning is acknowledged and a reason given."""
    now = at or timezone.now()
    agreement = Agreement.objects.select_for_update().select_related("mediation__case", "mediation__unit").get(
        pk=agreement.pk)
    case = agreement.mediation.case
    _check_mediator(actor, case)
    if agreement.status != Agreement.Status.EFFECTIVE or agreement.effective_at is None:
        raise ValidationError({"agreement": _("Only an agreement in effect can be confirmed: this one is "
                                              "“%(status)s”.") % {"status": agreement.get_status_display()}})
    detected, keyword = rules.detect_matter(agreement_text(agreement))
    if matter_type and matter_type not in MatterType.values:
        raise ValidationError({"matter_type": _("Unknown kind of matter.")})
    matter = rules.effective_matter(detected, matter_type)
    error = rules.matter_error(matter, keyword if matter == detected else "")
    if error:
        raise ValidationError({"matter_type": error})
    suggestion = suggest_court_for(agreement)
    suggested = OrgUnit.objects.filter(pk=suggestion.court.id).first() if suggestion.court else None
    court = court or suggested
    if court is None:
        raise ValidationError({"court": _("Choose the court to apply to.")})
    if court.kind != UnitKind.COURT:
        raise ValidationError({"court": _("%(unit)s is not a court.") % {"unit": court.name}})
    due = rules.apply_due(agreement.effective_at)
    late = now > due
    if late and not (late_acknowledged and late_reason.strip()):
        raise ValidationError({"late_reason": _(
            "The 30 days after the agreement took effect ended on %(due)s. The parties may still apply, but the "
            "court may refuse: acknowledge the warning and give the reason for the late application.")
            % {"due": timezone.localtime(due).strftime("%Y-%m-%d")}})
    if live_application(agreement) is not None:
        raise ValidationError({"agreement": _("This agreement already has a live application for judicial "
                                              "confirmation: a second one cannot be filed.")})
    c = rules.clocks()
    reasons = suggestion.reasons if suggested is not None and court.pk == suggested.pk else [
        {"msg": gettext_noop("Chosen by the mediator instead of %(court)s"),
         "args": {"court": suggested.name if suggested else "—"}}]
    try:
        with transaction.atomic():
            application = ConfirmationApplication.objects.create(
                agreement=agreement, case=case, court=court, court_reasons=reasons, court_suggested=suggested,
                matter_type=matter, materials=materials_for(agreement), agreement_effective_at=agreement.effective_at,
                apply_due_at=due, late=late, late_reason=late_reason.strip() if late else "", filed_at=now,
                filed_by=actor, accept_due_at=rules.accept_due(now, c),
            )
    except IntegrityError:
        raise ValidationError({"agreement": _("This agreement already has a live application for judicial "
                                              "confirmation: a second one cannot be filed.")}) from None
    _step(case, step="confirmation_filed", actor=actor, at=now,
          public=gettext_noop("Application for judicial confirmation filed with %(court)s"),
          public_args={"court": court.name},
          reason=late_reason.strip() if late else "",
          data={"application": application.pk, "agreement": agreement.number, "court": court.pk, "late": late})
    notify(_clerks(court), kind="legal_filed",
           title=_("New application for judicial confirmation: %(number)s") % {"number": agreement.number},
           body=_("To accept or refuse by %(due)s.") % {"due": _fmt(application.accept_due_at)},
           case=case, key=f"legal:app:{application.pk}:filed")
    return application


def _fmt(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""


# --- the court's steps ----------------------------------------------------------------------------------------


def _locked(application: ConfirmationApplication, move: str) -> ConfirmationApplication:
    locked = ConfirmationApplication.objects.select_for_update().select_related("court", "case", "agreement").get(
        pk=application.pk)
    error = rules.application_move_error(move, locked.status)
    if error:
        raise ValidationError({"__all__": error})
    return locked


def _refresh(application: ConfirmationApplication, locked: ConfirmationApplication) -> ConfirmationApplication:
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return application


def _tell_mediators(application: ConfirmationApplication, *, title: str, key: str) -> None:
    mediation = application.agreement.mediation
    notify([application.filed_by, mediation.mediator], kind="legal_update", title=title,
           body=application.agreement.number, case=application.case, key=key)


@transaction.atomic
def application_accept(*, application: ConfirmationApplication, actor, court_case_number: str = "",
                       at: datetime | None = None) -> ConfirmationApplication:
    now = at or timezone.now()
    _check_clerk(actor, application)
    locked = _locked(application, "accept")
    locked.status, locked.accepted_at, locked.accepted_by = AppStatus.ACCEPTED, now, actor
    locked.court_case_number = court_case_number.strip()
    locked.decide_due_at = rules.decide_due(now)
    locked.save()
    _step(locked.case, step="confirmation_accepted", actor=actor, at=now,
          public=gettext_noop("%(court)s accepted the application for judicial confirmation"),
          public_args={"court": locked.court.name},
          data={"application": locked.pk, "court_case_number": locked.court_case_number,
                "decide_due_at": locked.decide_due_at.isoformat()})
    _tell_mediators(locked, title=_("%(court)s accepted the application for judicial confirmation")
                    % {"court": locked.court.name}, key=f"legal:app:{locked.pk}:accepted")
    return _refresh(application, locked)


@transaction.atomic
def application_not_accept(*, application: ConfirmationApplication, actor, reason: str,
                           at: datetime | None = None) -> ConfirmationApplication:
    now = at or timezone.now()
    _check_clerk(actor, application)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the court does not accept the application.")})
    locked = _locked(application, "not_accept")
    locked.status, locked.not_accepted_reason, locked.closed_at = AppStatus.NOT_ACCEPTED, reason.strip(), now
    locked.accepted_by = actor
    locked.save()
    _step(locked.case, step="confirmation_not_accepted", actor=actor, at=now, reason=reason.strip(),
          public=gettext_noop("%(court)s did not accept the application for judicial confirmation"),
          public_args={"court": locked.court.name}, data={"application": locked.pk})
    _tell_mediators(locked, title=_("%(court)s did not accept the application for judicial confirmation")
                    % {"court": locked.court.name}, key=f"legal:app:{locked.pk}:not_accepted")
    return _refresh(application, locked)


@transaction.atomic
def application_extend(*, application: ConfirmationApplication, actor, approved_by: str, reason: str,
                       at: datetime | None = None) -> ConfirmationApplication:
    """The decision time +10 days, once, approved by the court's president (recorded)."""
    now = at or timezone.now()
    _check_clerk(actor, application)
    errors = {}
    if not approved_by.strip():
        errors["approved_by"] = _("Name who approved the extension (the president of the court).")
    if not reason.strip():
        errors["reason"] = _("Say why the decision needs more time.")
    if errors:
        raise ValidationError(errors)
    locked = _locked(application, "extend")
    if locked.extended_at is not None:
        raise ValidationError({"__all__": _("The decision time was already extended once (10 days); it cannot be "
                                            "extended again.")})
    assert locked.decide_due_at is not None
    locked.decide_due_at = rules.extended_due(locked.decide_due_at)
    locked.extended_at, locked.extension_approved_by = now, approved_by.strip()
    locked.extension_reason = reason.strip()
    locked.save()
    _step(locked.case, step="confirmation_extended", actor=actor, at=now, reason=reason.strip(),
          data={"application": locked.pk, "approved_by": locked.extension_approved_by,
                "decide_due_at": locked.decide_due_at.isoformat()})
    return _refresh(application, locked)


@transaction.atomic
def application_rule(*, application: ConfirmationApplication, actor, confirmed: bool, ruling_number: str,
                     ruling_date: date | None = None, reason: str = "", at: datetime | None = None
                     ) -> ConfirmationApplication:
    """Record the court's ruling: confirmed (the agreement is enforceable) or refused (with the grounds).
    A ruling before acceptance is refused."""
    now = at or timezone.now()
    _check_clerk(actor, application)
    locked = _locked(application, "confirm" if confirmed else "refuse")
    errors = {}
    if not ruling_number.strip():
        errors["ruling_number"] = _("Enter the number of the ruling, e.g. (2026)粤0311民特123号.")
    ruling_date = ruling_date or timezone.localdate(now)
    if locked.accepted_at and ruling_date < timezone.localtime(locked.accepted_at).date():
        errors["ruling_date"] = _("The ruling cannot be dated before the application was accepted.")
    if ruling_date > timezone.localdate(now):
        errors["ruling_date"] = _("The ruling cannot be dated in the future.")
    if not confirmed and not reason.strip():
        errors["reason"] = _("Give the grounds on which the court refused to confirm the agreement.")
    if errors:
        raise ValidationError(errors)
    locked.status = AppStatus.CONFIRMED if confirmed else AppStatus.REFUSED
    locked.ruling_number, locked.ruling_date, locked.ruling_reason = ruling_number.strip(), ruling_date, reason.strip()
    locked.ruled_at, locked.ruled_by, locked.closed_at = now, actor, now
    locked.save()
    if confirmed:
        public = gettext_noop("The court confirmed the mediation agreement as valid: it can be enforced")
    else:
        public = gettext_noop("The court did not confirm the mediation agreement")
    _step(locked.case, step="confirmation_confirmed" if confirmed else "confirmation_refused", actor=actor, at=now,
          public=public, reason=reason.strip(),
          data={"application": locked.pk, "ruling_number": locked.ruling_number,
                "ruling_date": ruling_date.isoformat(), "confirmed": confirmed})
    title = (_("Agreement %(number)s confirmed by the court") if confirmed
             else _("The court refused to confirm agreement %(number)s")) % {"number": locked.agreement.number}
    _tell_mediators(locked, title=title, key=f"legal:app:{locked.pk}:ruled")
    return _refresh(application, locked)


# --- after a refusal ------------------------------------------------------------------------------------------


@transaction.atomic
def application_after_refusal(*, application: ConfirmationApplication, actor, route: str,
                               to_unit: OrgUnit | None = None, summary: str = "", at: datetime | None = None):
    """A refused (or not accepted) agreement goes back to mediation (a new mediation, source "remediation") or to
    litigation (a referral with the document package). Returns the new Mediation or Referral."""
    from fengqiao.legal.linkages import referral_send
    from fengqiao.legal.models import ReferralKind
    from fengqiao.mediation.rules import mediation_due_at

    now = at or timezone.now()
    locked = ConfirmationApplication.objects.select_for_update().select_related(
        "case", "court", "agreement__mediation__unit").get(pk=application.pk)
    _check_mediator(actor, locked.case)
    if locked.status not in (AppStatus.REFUSED, AppStatus.NOT_ACCEPTED):
        raise ValidationError({"__all__": _("Only a refused or not accepted application goes back to mediation "
                                            "or to litigation.")})
    if locked.after_refusal:
        raise ValidationError({"__all__": _("The next step after this refusal was already chosen: %(route)s.")
                               % {"route": locked.get_after_refusal_display()}})
    if route not in (ConfirmationApplication.AfterRefusal.REMEDIATION, ConfirmationApplication.AfterRefusal.LITIGATION):
        raise ValidationError({"route": _("Choose: back to mediation, or to litigation.")})
    old = locked.agreement.mediation
    if route == ConfirmationApplication.AfterRefusal.REMEDIATION:
        if Mediation.objects.filter(case=locked.case, status=Mediation.Status.OPEN).exists():
            raise ValidationError({"route": _("This case is already in mediation again.")})
        result: Any = Mediation.objects.create(
            case=locked.case, unit=old.unit, mediator=actor, source=MediationSource.REMEDIATION,
            facts=old.facts, matters=old.matters, opened_at=now, due_at=mediation_due_at(now),
        )
        locked.remediation = result
        _step(locked.case, step="remediation_opened", actor=actor, at=now,
              public=gettext_noop("Back to mediation after the court did not confirm the agreement"),
              data={"application": locked.pk, "mediation": result.pk})
    else:
        result = referral_send(case=locked.case, actor=actor, kind=ReferralKind.LITIGATION,
                               to_unit=to_unit or locked.court, mediation=old, application=locked,
                               summary=summary, at=now)
    locked.after_refusal = route
    locked.save(update_fields=["after_refusal", "remediation"])
    _refresh(application, locked)
    return result


# --- what others show -----------------------------------------------------------------------------------------


def confirmation_status(agreement: Agreement) -> str | None:
    """The judicial confirmation of `agreement` in one line for the public verification page (no personal data),
    in the active language; None when no application was filed."""
    app = (ConfirmationApplication.objects.filter(agreement=agreement).select_related("court")
           .order_by("-filed_at", "-pk").first())
    if app is None:
        return None
    court = app.court.name
    day = timezone.localtime(app.filed_at).strftime("%Y-%m-%d")
    if app.status == AppStatus.CONFIRMED:
        return _("Confirmed as valid by %(court)s on %(date)s (ruling %(number)s): enforceable") % {
            "court": court, "date": app.ruling_date.isoformat() if app.ruling_date else "", "number": app.ruling_number}
    if app.status == AppStatus.REFUSED:
        return _("%(court)s did not confirm this agreement (ruling %(number)s)") % {
            "court": court, "number": app.ruling_number}
    if app.status == AppStatus.NOT_ACCEPTED:
        return _("%(court)s did not accept the application for judicial confirmation") % {"court": court}
    if app.status == AppStatus.ACCEPTED:
        return _("Judicial confirmation accepted by %(court)s; the ruling is pending") % {"court": court}
    return _("Application for judicial confirmation filed with %(court)s on %(date)s") % {"court": court, "date": day}


def application_clocks(app: ConfirmationApplication, now: datetime | None = None) -> list[rules.Clock]:
    """The clocks of an application as its pages show them."""
    now = now or timezone.now()
    c = rules.clocks()
    soon = c.remind_hours
    shown = [rules.clock(_("Apply within 30 days of the agreement"), app.apply_due_at, app.filed_at, done=not app.late,
                         soon_hours=soon)]
    shown.append(rules.clock(_("Court accepts or refuses within 3 days"), app.accept_due_at, now,
                             done=app.status != AppStatus.FILED, soon_hours=soon))
    if app.decide_due_at:
        label = (_("Court decides within 15 days (+10 approved)") if app.extended_at
                 else _("Court decides within 15 days of acceptance"))
        shown.append(rules.clock(label, app.decide_due_at, now, done=app.status != AppStatus.ACCEPTED,
                                 soon_hours=soon))
    return shown
