"""./fq manage create_api_key --name NAME --scopes open311,cases [--unit "unit name"] [--role operator]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fengqiao.api.models import ApiScope
from fengqiao.api.services import DEFAULT_ROLE, DEFAULT_UNIT, api_client_create
from fengqiao.org.models import OrgUnit, Role


class Command(BaseCommand):
    help = "Create a partner API client with its service account and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="unique name of the partner system")
        parser.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(ApiScope.values)}")
        parser.add_argument("--unit", action="append", default=None,
                            help=f"unit the service account belongs to (repeatable; default {DEFAULT_UNIT})")
        parser.add_argument("--role", default=DEFAULT_ROLE, choices=Role.values, help="its role in those units")
        parser.add_argument("--source-system", default="", help="recorded on its cases (default: the name)")
        parser.add_argument("--days", type=int, default=None, help="days the key works (default FQ_API_KEY_DAYS)")

    def handle(self, *args, name: str, scopes: str, unit: list[str] | None, role: str, source_system: str,
               days: int | None = None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        units = []
        for unit_name in unit or [DEFAULT_UNIT]:
            matches = list(OrgUnit.objects.filter(name=unit_name, is_active=True))
            if len(matches) != 1:
                raise CommandError(f"No single active unit is called {unit_name!r} ({len(matches)} found).")
            units.append(matches[0])
        try:
            client, key = api_client_create(
                name=name, scopes=scopes.split(","), memberships=[(u, role) for u in units], source_system=source_system,
                days=days,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())) from exc
        where = ", ".join(u.name for u in units)
        self.stderr.write(
            f"API client {client.name!r} (id {client.pk}, source system {client.source_system!r}) created: "
            f"scopes {', '.join(client.scopes)}; {Role(role).label} of {where}; expires {client.expires_at:%Y-%m-%d}.\n"
            "The key below is shown only now; only its hash is stored. Send it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(key)
