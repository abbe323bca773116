from __future__ import annotations

from django.core.management.base import BaseCommand

from fengqiao.imports.services import resume_stalled


class Command(BaseCommand):
    help = "Queue again the imports whose worker stopped mid-batch (rows already imported are not redone)."

    def handle(self, *args, **options):
        resumed = resume_stalled()
        self.stdout.write(f"Resumed {len(resumed)} import batch(es){': ' if resumed else ''}"
                          f"{', '.join(map(str, resumed))}")
