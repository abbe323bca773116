"""./fq manage audit_verify: check every case timeline's hash chain, the daily anchors and the access-log seals."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, no_translations

from fengqiao.audit.verify import Report, audit_problems, audit_warnings


class Command(BaseCommand):
    help = ("Verify the audit trail: each case timeline's hash chain, the daily anchors (which find a deleted last "
            "line) and the counselling access log. Prints the first broken link (case code, event id, what is "
            "wrong) and exits with status 1; 0 when everything verifies.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="list every broken link, not only the first")
        parser.add_argument("--case", action="append", default=[], metavar="CODE",
                            help="check only this case's timeline (repeatable; anchors are not checked then)")

    @no_translations  # operators' output in English, like the other commands
    def handle(self, *args, all: bool, case: list[str], **options):
        from fengqiao.cases.models import Case

        case_ids = None
        if case:
            found = dict(Case.objects.filter(code__in=case).values_list("code", "pk"))
            unknown = sorted(set(case) - set(found))
            if unknown:
                raise CommandError(f"no case with the code {', '.join(unknown)}")
            case_ids = list(found.values())
        report = Report()
        problems = []
        for problem in audit_problems(report, case_ids=case_ids):
            problems.append(problem)
            self.stderr.write(f"BROKEN {problem}")
            if not all:
                break
        for warning in audit_warnings():
            self.stderr.write(f"warning: {warning}")
        if problems:
            raise CommandError(f"audit trail broken: {len(problems)} broken link(s) shown" +
                               ("" if all else " (the first; --all lists every one)"), returncode=1)
        self.stdout.write(f"audit trail verified: {report.cases} case timelines, {report.events} lines "
                          f"({report.redacted} redacted through the recorded path), {report.anchors} anchors")
