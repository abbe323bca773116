"""Every write of the psychological service, and the one door to its records (`engagement_for_reader`).

Writes check the actor's right, validate, and write in one transaction (nothing half-written). The case
timeline only learns, staff-only and without contents, that counselling was opened or closed
(`cases.services.case_record_step`, action MEDIATE, public=None). A high or crisis risk level tells the
counsellor's unit leader — who, which case, which level — never what the records say.

Reading goes through `engagement_for_reader`, which writes an `AccessLog` row for every read and for every
refused attempt; a refused reader gets `RecordsHidden` (the views answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases.models import Case, ServiceType
from fengqiao.cases.services import case_record_step
from fengqiao.cases.workflow import Action
from fengqiao.counselling import rules
from fengqiao.counselling.models import (
    AccessLog,
    ConsentMethod,
    Engagement,
    Grant,
    RiskLevel,
    SessionMode,
    SessionRecord,
)
from fengqiao.mediation.models import Mediation, MediatorKind, MediatorProfile, TeamMember, TeamRole
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import Capability, may
from fengqiao.org.models import Membership, OrgUnit, Role

STEP_OPENED = "counselling_opened"
STEP_CLOSED = "counselling_closed"
# What staff read on the case timeline: the fact, never the contents.
OPENED_LINE = gettext_noop("Psychological service opened (confidential: records are kept apart)")
CLOSED_LINE = gettext_noop("Psychological service closed (confidential: records are kept apart)")


class RecordsHidden(Exception):
    """The user may not read this engagement's records (or it does not exist): answer as if there were none."""


# --- who may be a counsellor on a case ----------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    unit: OrgUnit
    mediation: Mediation | None


def counsellor_eligibility(user, case: Case) -> Eligibility | None:
    """May `user` counsel on `case`, and from which unit: as the psychologist of a mediation team working the
    case, or as a psychologist (mediator profile) on a psychological-service case they can see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    member = (TeamMember.objects.filter(user=user, role=TeamRole.PSYCHOLOGIST, mediation__case=case,
                                        mediation__status=Mediation.Status.OPEN)
              .select_related("mediation__unit").first())
    if member is not None:
        return Eligibility(unit=member.mediation.unit, mediation=member.mediation)
    if case.service_type != ServiceType.PSYCHOLOGICAL:
        return None
    profile = MediatorProfile.objects.filter(user=user, kind=MediatorKind.PSYCHOLOGIST).select_related("unit").first()
    if profile is None or not may(user, Capability.CASE_VIEW, case):
        return None
    return Eligibility(unit=profile.unit, mediation=None)


def is_counsellor(user) -> bool:
    """Is `user` a psychologist at all (a profile or a place on a team)? Used to offer the opening form."""
    if user is None or not user.is_authenticated:
        return False
    return (MediatorProfile.objects.filter(user=user, kind=MediatorKind.PSYCHOLOGIST).exists()
            or TeamMember.objects.filter(user=user, role=TeamRole.PSYCHOLOGIST).exists())


def unit_leaders(unit: OrgUnit) -> list:
    """The leaders of `unit`, or of the nearest unit above it that has any."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i] or [unit.pk]
    for unit_id in reversed(ids):
        leaders = unit_members(OrgUnit.objects.filter(pk=unit_id), [Role.LEADER])
        if leaders:
            return leaders
    return []


# --- writes --------------------------------------------------------------------------------------------


def _counsellor_only(engagement: Engagement, actor) -> None:
    if actor is None or actor.pk != engagement.counsellor_id:
        raise PermissionDenied(_("Only the counsellor may do this."))


def _open_only(engagement: Engagement) -> None:
    if engagement.status != Engagement.Status.OPEN:
        raise ValidationError(_("This psychological service is closed."))


def _alert_leaders(engagement: Engagement) -> int:
    """The crisis protocol: tell the counsellor's unit leader who, which case and which level — no contents."""
    level = RiskLevel(engagement.risk_level).label
    title = _("Psychological service on %(code)s: risk level %(level)s") % {"code": engagement.case.code,
                                                                            "level": level}
    body = _("Counsellor %(name)s has set the risk level to %(level)s and started the crisis protocol. Contact "
             "the counsellor; the records stay confidential.") % {"name": engagement.counsellor, "level": level}
    return notify(unit_leaders(engagement.unit), kind="counselling_risk", title=title, body=body,
                  case=engagement.case, key=f"counselling:{engagement.pk}:risk:{engagement.risk_changes}")


def _risk_errors(level: str, note: str) -> dict[str, str]:
    if level not in RiskLevel.values:
        return {"risk_level": _("Choose a risk level from the list.")}
    if rules.needs_crisis_note(level) and len(note.strip()) < 5:
        return {"crisis_note": _("At high or crisis risk, write the crisis protocol note: what you did and who "
                                 "was told (at least 5 characters).")}
    return {}


@transaction.atomic
def engagement_open(*, case: Case, counsellor, actor, risk_level: str = RiskLevel.NONE, crisis_note: str = "",
                    at: datetime | None = None) -> Engagement:
    """Open psychological service on `case` with `counsellor` (by the counsellor, or by a case worker who may
    mediate or dispatch the case and asks a psychologist to help)."""
    now = at or timezone.now()
    if actor is None or not (actor.pk == counsellor.pk or may(actor, Capability.CASE_MEDIATE, case)
                             or may(actor, Capability.CASE_DISPATCH, case)):
        raise PermissionDenied(_("You may not open psychological service on this case."))
    eligible = counsellor_eligibility(counsellor, case)
    if eligible is None:
        raise ValidationError(_("%(name)s cannot counsel on this case: only a psychologist on a psychological-"
                                "service case they can see, or the psychologist of a mediation team working the "
                                "case.") % {"name": counsellor})
    errors = _risk_errors(risk_level, crisis_note)
    if errors:
        raise ValidationError(errors)
    if Engagement.objects.filter(case=case, counsellor=counsellor, status=Engagement.Status.OPEN).exists():
        raise ValidationError(_("%(name)s already has open psychological service on this case.")
                              % {"name": counsellor})
    engagement = Engagement.objects.create(
        case=case, counsellor=counsellor, unit=eligible.unit, mediation=eligible.mediation, opened_by=actor,
        opened_at=now, risk_level=risk_level, crisis_note=crisis_note.strip(),
        risk_changes=1 if risk_level != RiskLevel.NONE else 0,
    )
    case_record_step(case=case, action=Action.MEDIATE, step=STEP_OPENED, actor=actor, reason=_(OPENED_LINE),
                     public=None, data={"engagement": engagement.pk}, at=now)
    if actor.pk != counsellor.pk:
        notify([counsellor], kind="counselling_opened",
               title=_("You are asked to provide psychological service on %(code)s") % {"code": case.code},
               body=_("Opened by %(name)s.") % {"name": actor}, case=case,
               key=f"counselling:{engagement.pk}:opened")
    if rules.alerts_leader(risk_level):
        _alert_leaders(engagement)
    return engagement


@transaction.atomic
def engagement_consent_record(*, engagement: Engagement, actor, consent_by: str, consent_at: datetime,
                              method: str, at: datetime | None = None) -> Engagement:
    """Record the separate consent to psychological records: who gave it, when and how."""
    now = at or timezone.now()
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    _counsellor_only(engagement, actor)
    _open_only(engagement)
    errors: dict[str, str] = {}
    if engagement.has_consent:
        errors["consent_by"] = _("Consent is already recorded for this psychological service.")
    if len((consent_by or "").strip()) < 2:
        errors["consent_by"] = _("Write who gave consent (the person, or their guardian).")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose how consent was given.")
    if consent_at is None or consent_at > now + timedelta(minutes=5):
        errors["consent_at"] = _("Consent cannot be dated in the future.")
    elif consent_at < engagement.case.submitted_at - timedelta(days=1):
        errors["consent_at"] = _("Consent cannot be dated before the case was raised.")
    if errors:
        raise ValidationError(errors)
    engagement.consent_by, engagement.consent_at, engagement.consent_method = consent_by.strip(), consent_at, method
    engagement.consent_recorded_by = actor
    engagement.save(update_fields=["consent_by", "consent_at", "consent_method", "consent_recorded_by"])
    return engagement


@transaction.atomic
def engagement_risk_set(*, engagement: Engagement, actor, level: str, crisis_note: str = "",
                        at: datetime | None = None) -> Engagement:
    """Change the risk level; high or crisis needs a crisis protocol note and tells the unit leader."""
    engagement = Engagement.objects.select_for_update().select_related("case", "counsellor").get(pk=engagement.pk)
    _counsellor_only(engagement, actor)
    _open_only(engagement)
    errors = _risk_errors(level, crisis_note)
    if errors:
        raise ValidationError(errors)
    changed = level != engagement.risk_level
    engagement.risk_level = level
    if crisis_note.strip():
        engagement.crisis_note = crisis_note.strip()
    if changed:
        engagement.risk_changes += 1
    engagement.save(update_fields=["risk_level", "crisis_note", "risk_changes"])
    if changed and rules.alerts_leader(level):
        _alert_leaders(engagement)
    return engagement


@transaction.atomic
def record_add(*, engagement: Engagement, actor, held_on: date, mode: str, duration_minutes: int, notes: str,
               assessment: str = "", plan: str = "", at: datetime | None = None) -> SessionRecord:
    """Write a session record (counsellor only; needs the separate consent)."""
    now = at or timezone.now()
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    _counsellor_only(engagement, actor)
    _open_only(engagement)
    if not engagement.has_consent:
        raise ValidationError(_("Record the person's consent to psychological records first: no record without "
                                "consent."))
    errors: dict[str, str] = {}
    if held_on is None or held_on > timezone.localdate(now):
        errors["held_on"] = _("The session date cannot be in the future.")
    if mode not in SessionMode.values:
        errors["mode"] = _("Choose how the session was held.")
    if duration_minutes is None or not rules.DURATION_MIN <= duration_minutes <= rules.DURATION_MAX:
        errors["duration_minutes"] = _("A session lasts between %(min)d and %(max)d minutes.") % {
            "min": rules.DURATION_MIN, "max": rules.DURATION_MAX}
    if len((notes or "").strip()) < 5:
        errors["notes"] = _("Write the session notes (at least 5 characters).")
    if errors:
        raise ValidationError(errors)
    seq = (engagement.records.aggregate(m=Max("seq"))["m"] or 0) + 1
    return SessionRecord.objects.create(
        engagement=engagement, seq=seq, held_on=held_on, mode=mode, duration_minutes=duration_minutes,
        notes=notes.strip(), assessment=(assessment or "").strip(), plan=(plan or "").strip(), written_by=actor,
        written_at=now,
    )


@transaction.atomic
def engagement_close(*, engagement: Engagement, actor, note: str = "", at: datetime | None = None) -> Engagement:
    now = at or timezone.now()
    engagement = Engagement.objects.select_for_update().select_related("case").get(pk=engagement.pk)
    _counsellor_only(engagement, actor)
    _open_only(engagement)
    engagement.status, engagement.closed_at, engagement.closing_note = Engagement.Status.CLOSED, now, note.strip()
    engagement.save(update_fields=["status", "closed_at", "closing_note"])
    case_record_step(case=engagement.case, action=Action.MEDIATE, step=STEP_CLOSED, actor=actor,
                     reason=_(CLOSED_LINE), public=None, data={"engagement": engagement.pk}, at=now)
    return engagement


def has_staff_membership(user) -> bool:
    return bool(user is not None and user.is_active
                and Membership.objects.filter(user=user, is_active=True, unit__is_active=True).exists())


@transaction.atomic
def grant_create(*, engagement: Engagement, actor, user, reason: str, expires_at: datetime,
                 at: datetime | None = None) -> Grant:
    """Let `user` read the engagement's records until `expires_at`, for `reason` (counsellor only)."""
    now = at or timezone.now()
    engagement = Engagement.objects.select_for_update().select_related("case").get(pk=engagement.pk)
    _counsellor_only(engagement, actor)
    errors: dict[str, str] = {}
    if user is None:
        errors["user"] = _("Name the colleague who may read the records.")
    elif user.pk == engagement.counsellor_id:
        errors["user"] = _("You cannot grant access to yourself: as the counsellor you read these records already.")
    elif not has_staff_membership(user):
        errors["user"] = _("%(name)s is not a member of staff: records may only be shared with staff.") % {
            "name": user}
    if len((reason or "").strip()) < 4:
        errors["reason"] = _("Say why this colleague needs to read the records (at least 4 characters).")
    window = rules.grant_window_error(expires_at, now) if expires_at is not None else "past"
    if window == "past":
        errors["expires_at"] = _("The access must end in the future.")
    elif window == "too_far":
        errors["expires_at"] = _("Access can be granted for at most %(days)d days.") % {"days": rules.GRANT_MAX_DAYS}
    if not errors:
        current = Grant.objects.select_for_update().filter(engagement=engagement, user=user,
                                                           revoked_at__isnull=True).first()
        if current is not None and current.expires_at > now:
            errors["user"] = _("%(name)s may already read these records until %(until)s. Revoke that access first "
                               "to change it.") % {"name": user, "until": timezone.localtime(current.expires_at)
                                                   .strftime("%Y-%m-%d %H:%M")}
        elif current is not None:  # an expired grant makes way for the new one
            current.revoked_at, current.revoked_by = now, actor
            current.revoke_reason = _("Expired; replaced by a new grant.")
            current.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(engagement=engagement, user=user, granted_by=actor, reason=reason.strip(),
                                 granted_at=now, expires_at=expires_at)
    notify([user], kind="counselling_grant",
           title=_("You may read confidential psychological-service records on %(code)s")
           % {"code": engagement.case.code},
           body=_("Granted by %(name)s until %(until)s. Every read is recorded.")
           % {"name": actor, "until": timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M")},
           case=None, key=f"counselling:grant:{grant.pk}")
    return grant


@transaction.atomic
def grant_revoke(*, grant: Grant, actor, reason: str, at: datetime | None = None) -> Grant:
    now = at or timezone.now()
    grant = Grant.objects.select_for_update().select_related("engagement").get(pk=grant.pk)
    _counsellor_only(grant.engagement, actor)
    if grant.revoked_at is not None:
        raise ValidationError(_("This access was already revoked."))
    if len((reason or "").strip()) < 4:
        raise ValidationError({"reason": _("Say why the access ends (at least 4 characters).")})
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = now, actor, reason.strip()
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return grant


# --- reads ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    engagement: Engagement
    basis: rules.Basis
    grant: Grant | None


def live_grant(engagement: Engagement, user, now: datetime) -> Grant | None:
    if user is None or not user.is_authenticated:
        return None
    return (Grant.objects.filter(engagement=engagement, user=user, revoked_at__isnull=True, expires_at__gt=now)
            .order_by("-expires_at").first())


def reader_basis(user, engagement: Engagement, now: datetime | None = None) -> tuple[rules.Basis | None, Grant | None]:
    """On what ground `user` reads `engagement` (no log written: for links and checks, never for showing)."""
    now = now or timezone.now()
    if user is None or not user.is_authenticated or not user.is_active:
        return None, None
    grant = live_grant(engagement, user, now)
    views = [rules.GrantView(user_id=grant.user_id, expires_at=grant.expires_at, revoked_at=grant.revoked_at)] \
        if grant else []
    basis = rules.read_basis(user.pk, counsellor_id=engagement.counsellor_id, grants=views, now=now)
    if basis == rules.Basis.GRANT and not has_staff_membership(user):
        return None, None  # a grantee who has left the staff reads no more
    return basis, grant if basis == rules.Basis.GRANT else None


def access_denied_log(*, user, pk: int, engagement: Engagement | None = None, at: datetime | None = None) -> None:
    """Write down a refused attempt on the records of engagement `pk` (which may not exist)."""
    who = user if user is not None and user.is_authenticated else None
    AccessLog.objects.create(engagement=engagement, engagement_ref=pk, user=who, at=at or timezone.now(),
                             what=AccessLog.What.DENIED)


def engagement_for_reader(*, user, pk: int, what: str = AccessLog.What.RECORDS,
                          at: datetime | None = None) -> Reading:
    """The engagement `pk` for `user` to read, with its access-log row written; `RecordsHidden` (and a
    "denied" row) when they may not — whether or not it exists."""
    now = at or timezone.now()
    engagement = Engagement.objects.select_related("case", "counsellor", "unit").filter(pk=pk).first()
    basis, grant = reader_basis(user, engagement, now) if engagement is not None else (None, None)
    if engagement is None or basis is None:
        access_denied_log(user=user, pk=pk, engagement=engagement, at=now)
        raise RecordsHidden(pk)
    who = user if user.is_authenticated else None
    AccessLog.objects.create(engagement=engagement, engagement_ref=pk, user=who, at=now, what=what,
                             purpose=(grant.reason[:300] if grant else ""), grant=grant)
    return Reading(engagement=engagement, basis=basis, grant=grant)


def engagements_for(user, now: datetime | None = None):
    """What `user` may open from their list: their own engagements and those shared with them now."""
    now = now or timezone.now()
    return (Engagement.objects.filter(Q(counsellor=user) | Q(grants__user=user, grants__revoked_at__isnull=True,
                                                             grants__expires_at__gt=now))
            .distinct().annotate(n_records=Count("records", distinct=True))
            .select_related("case", "counsellor").order_by("status", "-opened_at"))


def may_see_log(user, engagement: Engagement) -> bool:
    """The counsellor sees who read their records; an auditor whose scope covers the case sees the log (never
    the records)."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk == engagement.counsellor_id:
        return True
    return may(user, Capability.AUDIT_READ, engagement.case)


def access_log_for_auditor(user):
    """Every access-log row an auditor may see: those of engagements on cases in their scope."""
    if not may(user, Capability.AUDIT_READ):
        return AccessLog.objects.none()
    cases = Case.objects.visible_to(user).values("pk")
    return (AccessLog.objects.filter(engagement__case__in=cases)
            .select_related("user", "engagement", "engagement__case", "engagement__counsellor", "grant"))
