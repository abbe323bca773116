"""Scoped reads of commands: the command group (the issuing centre's staff and the commanded departments' staff)
sees a command; so does anyone who may see its case. Nobody else learns it exists (404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fengqiao.cases.models import Case
from fengqiao.commands.models import Command, CommandTarget
from fengqiao.commands.services import DEPARTMENT_ROLES, ISSUER_ROLES
from fengqiao.org.access import scope_for


def _units(user, roles) -> list[int]:
    """The units where `user` holds one of `roles` (from the scope, computed once per request)."""
    return [g.unit_id for g in scope_for(user).grants if g.role in roles]


def commands_visible_to(user) -> QuerySet[Command]:
    if not (user and user.is_authenticated):
        return Command.objects.none()
    issuing = _units(user, ISSUER_ROLES)
    commanded = _units(user, DEPARTMENT_ROLES)
    return Command.objects.filter(
        Q(issuer_unit_id__in=issuing) | Q(targets__unit_id__in=commanded)
        | Q(case__in=Case.objects.visible_to(user).values("pk"))).distinct()


def in_command_group(user, command: Command) -> bool:
    """Is `user` on the issuing centre's staff or a commanded department's?"""
    return command.issuer_unit_id in _units(user, ISSUER_ROLES) or CommandTarget.objects.filter(
        command=command, unit_id__in=_units(user, DEPARTMENT_ROLES)).exists()


def waiting_for(user) -> QuerySet[CommandTarget]:
    """The commanded departments of `user` that still have to check in, soonest clock first."""
    return (CommandTarget.objects.filter(unit_id__in=_units(user, DEPARTMENT_ROLES),
                                         command__status=Command.Status.ISSUED,
                                         status__in=[CommandTarget.Status.WAITING, CommandTarget.Status.MISSING])
            .select_related("command__case", "command__issuer_unit", "unit").order_by("command__due_at"))


def issued_by(user) -> QuerySet[Command]:
    return (Command.objects.filter(issuer_unit_id__in=_units(user, ISSUER_ROLES))
            .select_related("case", "issuer_unit").prefetch_related("targets__unit"))


def to_sign(user) -> QuerySet[Command]:
    from fengqiao.commands.services import HEAD_ROLES

    return (Command.objects.filter(issuer_unit_id__in=_units(user, HEAD_ROLES),
                                   status=Command.Status.AWAITING_SIGNATURE)
            .select_related("case", "issuer_unit"))


def issuing_units(user) -> list:
    """The centres `user` may issue commands for."""
    from fengqiao.org.models import OrgUnit
    from fengqiao.org.rules import CENTRE_KINDS

    return list(OrgUnit.objects.filter(pk__in=_units(user, ISSUER_ROLES), kind__in=CENTRE_KINDS).order_by("path"))
