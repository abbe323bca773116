from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.mediation.models import MediatorKind, MediatorProfile, Specialty
from fengqiao.org.grants import membership_request
from fengqiao.org.models import GrantRequest, Membership, OrgUnit, Role, ServicePoint
from fengqiao.org.services import membership_grant


@transaction.atomic
def mediator_register(
    *,
    user,
    unit: OrgUnit,
    kind: str,
    specialties: list[str],
    languages: str = "普通话",
    service_point: ServicePoint | None = None,
    bio: str = "",
    actor=None,
) -> MediatorProfile:
    """Register `user` as a mediator of `unit`. The mediator role comes with it: set up at once by the platform
    (`actor` None: demo, tests), or, when a person registers someone (the administration), asked for and in effect
    once a security officer approves it (fengqiao.org.grants; nobody registers themselves)."""
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": _("Unknown kind of mediator.")})
    unknown = [s for s in specialties if s not in Specialty.values]
    if unknown:
        raise ValidationError({"specialties": _("Unknown specialty: %(s)s") % {"s": ", ".join(unknown)}})
    if actor is None:
        membership_grant(user=user, unit=unit, role=Role.MEDIATOR)
    elif not (
        Membership.objects.filter(user=user, unit=unit, role=Role.MEDIATOR, is_active=True).exists()
        or GrantRequest.objects.filter(user=user, unit=unit, role=Role.MEDIATOR, status="pending").exists()
    ):
        membership_request(actor=actor, user=user, unit=unit, role=Role.MEDIATOR, reason=_("Registered as a mediator"))
    profile, _created = MediatorProfile.objects.update_or_create(
        user=user,
        defaults={
            "unit": unit,
            "kind": kind,
            "specialties": specialties,
            "languages": languages,
            "service_point": service_point,
            "bio": bio,
        },
    )
    return profile
