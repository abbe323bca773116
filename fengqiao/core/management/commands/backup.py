from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup / pg_dump) and the uploaded files, consistently, into a new "
            "directory with a manifest of checksums and row counts. The encryption keys are not included.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory")

    def handle(self, *args, directory: Path, **options):
        try:
            manifest = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"Backup written to {directory}: {manifest['engine']} database "
                          f"({len(manifest['tables'])} tables, {rows} rows), {len(manifest['files'])} files.")
        if manifest["missing_files"]:
            self.stderr.write(f"Warning: {len(manifest['missing_files'])} file(s) named by the database were not "
                              f"found, e.g. {manifest['missing_files'][0]}.")
        self.stdout.write(manifest["note"])
