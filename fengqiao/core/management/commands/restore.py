from __future__ import annotations

from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from fengqiao.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by `backup`: checks every checksum first, refuses a database that holds users or "
            "cases unless --force, then compares the row count of every table. Stop the web server and the worker "
            "first.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a directory written by `backup`")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args, directory: Path, force: bool, **options):
        try:
            report = restore(directory, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the backup of {report['created_at']}: {report['tables']} tables, "
                          f"{report['rows']} rows, {report['files']} files; every table has the rows of the backup.")
        self.stdout.write("If this code is newer than the backup, run `./fq manage migrate` now.")
        if "audit_verify" in get_commands():  # the hash-chained audit log, when present, must still verify
            call_command("audit_verify", stdout=self.stdout, stderr=self.stderr)
