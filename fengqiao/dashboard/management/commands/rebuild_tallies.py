"""Recount the big screen's counters from the cases (`--check`: only compare, exit 1 when they differ)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fengqiao.dashboard import tallies


class Command(BaseCommand):
    help = "Recount the big screen's counters from every case, in batches; --check only compares."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="print the differences and exit 1 if any")
        parser.add_argument("--batch", type=int, default=2000, help="cases read at a time")

    def handle(self, *args, check: bool = False, batch: int = 2000, **options):
        if check:
            differences = tallies.compare(tallies.recount(batch), tallies.stored())
            for line in differences[:200]:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences)} counter rows differ from a full recount")
            self.stdout.write("counters agree with a full recount")
            return
        written = tallies.rebuild(batch)
        self.stdout.write(f"counters rebuilt: {written} rows")
