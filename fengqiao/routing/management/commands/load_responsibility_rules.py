"""./fq manage load_responsibility_rules 440311 — add the shipped responsibility list of a district (idempotent)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fengqiao.routing.services import load_default_rules


class Command(BaseCommand):
    help = "Add the shipped responsibility list of a district (fengqiao/routing/data/rules_<code>.csv); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("district_code", help="e.g. 440311 for 光明区")

    def handle(self, *args, district_code: str, **options):
        try:
            added = load_default_rules(district_code)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{added} rules added for {district_code}.")
