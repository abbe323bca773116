"""Writes to the category catalogue (admin and loaders call this)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.cases.models import Category, ServiceType


@transaction.atomic
def category_save(*, code: str, name: str, parent: Category | None, service_type: str) -> Category:
    if service_type not in ServiceType.values:
        raise ValidationError({"default_service_type": _("Unknown service type.")})
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": _("The catalogue has two levels: a sub-category cannot have children.")})
    category, _created = Category.objects.update_or_create(
        code=code, defaults={"name": name, "parent": parent, "default_service_type": service_type}
    )
    return category
