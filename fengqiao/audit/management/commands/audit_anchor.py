"""./fq manage audit_anchor: seal now what the scheduler would seal after midnight."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from fengqiao.audit.anchors import anchor_write


class Command(BaseCommand):
    help = ("Write the audit anchor of today (the scheduler writes one per day, after it ends): seals the heads "
            "of every case timeline that moved since the previous anchor. Does nothing if today is sealed.")

    def handle(self, *args, **options):
        anchor = anchor_write(day=timezone.localdate())
        if anchor is None:
            self.stdout.write("today is sealed already")
        else:
            self.stdout.write(f"sealed {anchor.day}: {len(anchor.heads)} timelines, seal {anchor.seal}")
