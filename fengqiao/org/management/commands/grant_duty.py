"""./fq manage grant_duty USERNAME --duty security_officer [--unit "unit name"] --reason "…"

Installs one of the three duties (system administrator, security officer, auditor) at the server's shell, e.g. the
first security officer of a new installation, who then approves every other role in the platform. A platform set-up:
recorded in the grant record as "seeded" by this command, with the reason. Case roles are never given here: the
administrator asks for them and a security officer approves (fengqiao.org.grants).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fengqiao.accounts.models import User
from fengqiao.org.duties import DUTY_ROLES
from fengqiao.org.grants import membership_seed
from fengqiao.org.models import OrgUnit, Role

DEFAULT_UNIT = "光明区群众诉求服务大厅"


class Command(BaseCommand):
    help = "Give one of the three duties (administrator, security officer, auditor) at the shell; recorded."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--duty", required=True, choices=sorted(DUTY_ROLES))
        parser.add_argument("--unit", default=DEFAULT_UNIT, help=f"the unit (default {DEFAULT_UNIT})")
        parser.add_argument("--reason", required=True, help="why (recorded for the auditor)")

    def handle(self, *args, username: str, duty: str, unit: str, reason: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        units = list(OrgUnit.objects.filter(name=unit, is_active=True))
        if len(units) != 1:
            raise CommandError(f"No single active unit is called {unit!r} ({len(units)} found).")
        if not reason.strip():
            raise CommandError("Say why (--reason).")
        try:
            membership_seed(user=user, unit=units[0], role=duty, seed=f"grant_duty: {reason.strip()}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username}: {Role(duty).label} of {units[0].name}.")
