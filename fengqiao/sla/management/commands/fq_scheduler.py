from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fengqiao.api.tasks import deliver_webhooks
from fengqiao.notifications.tasks import deliver_outbox
from fengqiao.sla.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "Enqueue the periodic work (deadline sweep, outbox delivery) every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true", help="enqueue one round and exit")

    def handle(self, *args, interval: int, once: bool, **options):
        while True:
            sweep_deadlines.enqueue()
            deliver_outbox.enqueue()
            deliver_webhooks.enqueue()
            if once:
                return
            time.sleep(interval)
