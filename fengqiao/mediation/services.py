from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.mediation.models import MediatorKind, MediatorProfile, Specialty
from fengqiao.org.models import OrgUnit, Role, ServicePoint
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
) -> MediatorProfile:
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": _("Unknown kind of mediator.")})
    unknown = [s for s in specialties if s not in Specialty.values]
    if unknown:
        raise ValidationError({"specialties": _("Unknown specialty: %(s)s") % {"s": ", ".join(unknown)}})
    membership_grant(user=user, unit=unit, role=Role.MEDIATOR)
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
