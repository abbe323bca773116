"""The one write path for roles: ask, approve, refuse, revoke, and the platform's own set-ups.

The rules are fengqiao.org.duties; each function here checks them, writes in a transaction and appends one line to
the append-only `GrantRecord` (who, whose role, which role in which unit, when, why). A refused attempt is recorded
too (event "denied"), so the auditor sees who tried to give themselves a role.

- `membership_request` (people: the administration): the role waits for a second person;
- `membership_approve` / `membership_refuse` (a security officer who neither asked nor receives it);
- `membership_revoke` (the administrator or a security officer; needs no second person: it only narrows);
- `membership_seed` (the platform: demo, tests, loaders, the shell command): in effect at once, recorded "seeded"
  with what set it up. `org.services.membership_grant` is this path.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.org import duties
from fengqiao.org.access import scope_for
from fengqiao.org.models import GrantRecord, GrantRequest, Membership, OrgUnit
from fengqiao.org.rules import role_unit_error

Event = GrantRecord.Event


def _record(
    event: str,
    *,
    actor,
    subject,
    unit: OrgUnit,
    role: str,
    reason: str = "",
    basis: str = "",
    request: GrantRequest | None = None,
    at: datetime | None = None,
) -> GrantRecord:
    return GrantRecord.objects.create(
        at=at or timezone.now(), event=event, actor=actor if actor is not None and actor.pk else None,
        subject=subject, unit=unit, role=role, reason=reason[:300], basis=basis[:100], request=request,
    )


def held_roles(user) -> set[str]:
    """The roles `user` holds now (active memberships in active units)."""
    return set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))


def _capabilities(actor) -> frozenset[str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    actor.__dict__.pop("_fq_scope", None)  # judged on the roles held now, not on a scope cached earlier
    return frozenset(str(c) for c in scope_for(actor).capabilities)


def _activate(*, user, unit: OrgUnit, role: str, title: str) -> tuple[Membership, bool]:
    """Put the membership in effect; (membership, whether it was not in effect before)."""
    existing = Membership.objects.filter(user=user, unit=unit, role=role).first()
    was_active = existing is not None and existing.is_active
    membership, _created = Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"title": title, "is_active": True}
    )
    return membership, not was_active


# --- people: ask -------------------------------------------------------------------------------------------------


def membership_request_error(*, actor, user, unit: OrgUnit, role: str) -> str | None:
    """Why `actor` may not ask for `role` in `unit` for `user`, or None (no record, no write)."""
    error = duties.request_error(
        actor_id=getattr(actor, "pk", None), subject_id=user.pk, actor_capabilities=_capabilities(actor), role=role,
        held=held_roles(user),
    )
    return error or role_unit_error(role=role, unit_kind=unit.kind)


def membership_request_check(*, actor, user, unit: OrgUnit, role: str, at: datetime | None = None) -> None:
    """Raise ValidationError when the request may not be made; a refusal by the rules is recorded ("denied")."""
    error = membership_request_error(actor=actor, user=user, unit=unit, role=role)
    if error is None:
        return
    if getattr(actor, "pk", None) is not None and user.pk is not None:
        _record(Event.DENIED, actor=actor, subject=user, unit=unit, role=role, basis=error, at=at)
    raise ValidationError({"role": error})


def membership_request(
    *, actor, user, unit: OrgUnit, role: str, title: str = "", reason: str = "", at: datetime | None = None
) -> GrantRequest:
    """Ask for `role` in `unit` for `user`: nothing changes until a second person approves (membership_approve)."""
    membership_request_check(actor=actor, user=user, unit=unit, role=role, at=at)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this person needs the role.")})
    with transaction.atomic():
        pending = GrantRequest.objects.filter(user=user, unit=unit, role=role, status=GrantRequest.Status.PENDING)
        if pending.exists():
            raise ValidationError({"role": _("This role is already waiting for approval for this person.")})
        now = at or timezone.now()
        request = GrantRequest.objects.create(
            user=user, unit=unit, role=role, title=title, reason=reason[:300], requested_by=actor, requested_at=now
        )
        _record(Event.REQUESTED, actor=actor, subject=user, unit=unit, role=role, reason=reason, request=request, at=now)
    return request


# --- the second person: approve or refuse --------------------------------------------------------------------------


def _decision_check(*, actor, request: GrantRequest) -> None:
    error = duties.approval_error(
        approver_id=actor.pk, requester_id=request.requested_by_id, subject_id=request.user_id,
        approver_capabilities=_capabilities(actor),
    )
    if error is not None:
        _record(Event.DENIED, actor=actor, subject=request.user, unit=request.unit, role=request.role, basis=error,
                request=request)
        raise ValidationError(error)


def _locked_pending(request: GrantRequest) -> GrantRequest:
    locked = GrantRequest.objects.select_for_update().select_related("user", "unit").get(pk=request.pk)
    if locked.status != GrantRequest.Status.PENDING:
        raise ValidationError(_("This request was decided already."))
    return locked


def membership_approve(*, actor, request: GrantRequest, reason: str = "", at: datetime | None = None) -> Membership:
    """The second person approves: the role takes effect now."""
    _decision_check(actor=actor, request=request)
    with transaction.atomic():
        locked = _locked_pending(request)
        conflict = duties.duty_conflict(role=locked.role, held=held_roles(locked.user))
        error = conflict or role_unit_error(role=locked.role, unit_kind=locked.unit.kind)
        if error:
            raise ValidationError(error)
        now = at or timezone.now()
        membership, _changed = _activate(user=locked.user, unit=locked.unit, role=locked.role, title=locked.title)
        GrantRequest.objects.filter(pk=locked.pk).update(
            status=GrantRequest.Status.APPROVED, decided_by=actor, decided_at=now, decision_reason=reason.strip()[:300],
            membership=membership,
        )
        _record(Event.APPROVED, actor=actor, subject=locked.user, unit=locked.unit, role=locked.role,
                reason=reason.strip(), request=locked, at=now)
    request.refresh_from_db()
    return membership


def membership_refuse(*, actor, request: GrantRequest, reason: str, at: datetime | None = None) -> GrantRequest:
    """The second person refuses, saying why: nothing is given."""
    _decision_check(actor=actor, request=request)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the role is refused.")})
    with transaction.atomic():
        locked = _locked_pending(request)
        now = at or timezone.now()
        GrantRequest.objects.filter(pk=locked.pk).update(
            status=GrantRequest.Status.REFUSED, decided_by=actor, decided_at=now, decision_reason=reason.strip()[:300]
        )
        _record(Event.REFUSED, actor=actor, subject=locked.user, unit=locked.unit, role=locked.role,
                reason=reason.strip(), request=locked, at=now)
    request.refresh_from_db()
    return request


# --- taking a role away -----------------------------------------------------------------------------------------


def membership_revoke(*, actor, membership: Membership, reason: str, at: datetime | None = None) -> Membership:
    """Take the role away at once (no second person: it only narrows what someone may do), saying why."""
    error = duties.revoke_error(actor_capabilities=_capabilities(actor))
    if error is not None:
        _record(Event.DENIED, actor=actor, subject=membership.user, unit=membership.unit, role=membership.role,
                basis=error)
        raise ValidationError(error)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the role is taken away.")})
    with transaction.atomic():
        changed = Membership.objects.filter(pk=membership.pk, is_active=True).update(is_active=False)
        if changed:
            _record(Event.REVOKED, actor=actor, subject=membership.user, unit=membership.unit, role=membership.role,
                    reason=reason.strip(), at=at)
    membership.refresh_from_db()
    return membership


# --- the platform itself ------------------------------------------------------------------------------------------


@transaction.atomic
def membership_seed(*, user, unit: OrgUnit, role: str, title: str = "", seed: str = "system") -> Membership:
    """A role set up by the platform (demo, tests, loaders, a command at the server's shell), in effect at once.

    No person asks and no person approves, so nobody can give it to themselves this way; it is recorded ("seeded",
    with `seed` naming the set-up) when it comes into effect. The duties stay apart here too.
    """
    error = role_unit_error(role=role, unit_kind=unit.kind) or duties.duty_conflict(role=role, held=held_roles(user))
    if error:
        raise ValidationError({"role": error})
    membership, changed = _activate(user=user, unit=unit, role=role, title=title)
    if changed:
        _record(Event.SEEDED, actor=None, subject=user, unit=unit, role=role, basis=seed)
    return membership


def membership_title(*, membership: Membership, title: str) -> Membership:
    """Change only the job title (gives nothing, so needs no second person)."""
    Membership.objects.filter(pk=membership.pk).update(title=title)
    membership.title = title
    return membership


# --- reads ---------------------------------------------------------------------------------------------------------


def pending_requests():
    return GrantRequest.objects.filter(status=GrantRequest.Status.PENDING).select_related(
        "user", "unit", "requested_by").order_by("requested_at", "pk")


def grant_records():
    return GrantRecord.objects.select_related("actor", "subject", "unit", "request").order_by("-at", "-pk")
