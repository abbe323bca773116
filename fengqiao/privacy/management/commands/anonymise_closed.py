"""./fq manage anonymise_closed [--apply] [--limit N]: anonymise closed cases whose retention has ended.

Dry run by default: it lists what is due and what is kept (and why: open petition, court pending, legal hold) and
changes nothing. With --apply it anonymises in place (fengqiao/privacy/anonymise.py): statistics stay intact.
Retention per service type: the editable RetentionRule rows (admin), defaults in fengqiao/privacy/policy.py.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from fengqiao.privacy.services import anonymise_closed


class Command(BaseCommand):
    help = "Anonymise the personal data of closed cases past their retention (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Anonymise (without it: only report).")
        parser.add_argument("--limit", type=int, default=None, help="At most this many cases in one run.")

    def handle(self, *args, apply: bool = False, limit: int | None = None, **options):
        translation.activate("en")
        report = anonymise_closed(apply=apply, limit=limit)
        for code, blockers in report.kept.items():
            reasons = "; ".join(b["msg"] % b["args"] for b in blockers)
            self.stdout.write(f"kept {code}: {reasons}")
        if apply:
            for code in report.anonymised:
                self.stdout.write(f"anonymised {code}")
        done = len(report.anonymised) if apply else len(report.due) - len(report.kept)
        self.stdout.write(
            f"{'anonymised' if apply else 'would anonymise'} {done} cases, kept {len(report.kept)}, "
            f"{'anonymised' if apply else 'would anonymise'} {report.bookings} bookings without a case"
            + ("" if apply else " (dry run: add --apply)")
        )
