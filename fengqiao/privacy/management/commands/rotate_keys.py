"""./fq manage rotate_keys [--check]: re-encrypt every stored personal-data value with the newest FQ_FIELD_KEYS key.

Rotation: generate a key (`./fq manage rotate_keys --new-key`), put it FIRST in FQ_FIELD_KEYS (keep the old ones
after it), restart, run this command, then remove the old keys and restart again. `--check` changes nothing and
exits 1 while any value still needs the old key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fengqiao.core.crypto import generate_key
from fengqiao.privacy.keys import encrypted_columns, rotate_column


class Command(BaseCommand):
    help = "Re-encrypt identity numbers (and every encrypted field) with the newest key in FQ_FIELD_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Change nothing; fail if a value needs rotating.")
        parser.add_argument("--new-key", action="store_true", help="Print a new key to put first in FQ_FIELD_KEYS.")

    def handle(self, *args, check: bool = False, new_key: bool = False, **options):
        if new_key:
            self.stdout.write(generate_key())
            return
        pending = 0
        for col in encrypted_columns():
            total, changed = rotate_column(col, apply=not check)
            pending += changed
            verb = "need rotating" if check else "re-encrypted"
            self.stdout.write(f"{col.label}: {total} stored, {changed} {verb}")
        if check and pending:
            raise CommandError(f"{pending} values still use an older key: run `./fq manage rotate_keys`.")
        self.stdout.write("ok" if not check else "all values use the newest key")
