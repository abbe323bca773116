from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fengqiao.core.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo: real Guangming/Luohu organisation, one login per role, a history of cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=160, help="how many demo cases to create (default 160)")

    def handle(self, *args, cases: int, **options):
        try:
            logins, stats = seed_demo(cases=cases)
        except ValidationError as exc:
            raise CommandError(f"Demo data is invalid, nothing was written: {exc}") from exc
        self.stdout.write(
            "Demo ready: {regions} regions, {units} units, {service_points} service points, "
            "{categories} categories, {cases_total} cases ({cases_created} new).".format(**stats)
        )
        self.stdout.write(
            "Mediation: {mediator_bookings} bookings, {mediations_opened} mediations opened, {agreements} agreements, "
            "{judicial_confirmations} judicial confirmations, {referrals} referrals and hand-overs (new in this run).".format(**stats)
        )
        self.stdout.write("")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}; the 2FA page shows the current code in demo mode):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role} · {login.unit}")
        resident = _("Resident (no second factor)")
        self.stdout.write(f"  {'gm_resident':<{width}}  {resident} · 13800138000")
        self.stdout.write("")
        self.stdout.write("TOTP keys for an authenticator app: ./fq manage demo_totp")
