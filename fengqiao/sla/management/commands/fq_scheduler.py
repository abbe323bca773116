from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fengqiao.api.tasks import deliver_webhooks
from fengqiao.audit.tasks import anchor_audit_chains
from fengqiao.commands.tasks import command_daily_reminder, sweep_commands
from fengqiao.legal.tasks import sweep_legal_clocks
from fengqiao.mediation.tasks import send_booking_reminders
from fengqiao.mediation.tasks_agreement import remind_followups
from fengqiao.notifications.tasks import deliver_outbox
from fengqiao.petitions.tasks import sweep_petition_clocks
from fengqiao.privacy.tasks import sweep_privacy_requests
from fengqiao.sla.tasks import sweep_deadlines
from fengqiao.triage.tasks import retrain_models
from fengqiao.warnings.tasks import run_radar

RETRAIN_EVERY = 24 * 3600  # the models learn from the day's closed cases and corrections once a day
RADAR_EVERY = 5 * 60  # the early-warning radar passes over every district (and after submissions: warnings.hooks)


class Command(BaseCommand):
    help = ("Enqueue the periodic work every --interval seconds (deadline sweep, outbox and webhook delivery) "
            "and, once a day, the retraining of the triage models (a no-op when nothing new was learned).")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true", help="enqueue one round and exit")

    def handle(self, *args, interval: int, once: bool, **options):
        last_retrain = time.monotonic()  # not at start-up: `./fq setup` has just trained
        last_radar = None  # at start-up, then every RADAR_EVERY seconds
        while True:
            sweep_deadlines.enqueue()
            deliver_outbox.enqueue()
            deliver_webhooks.enqueue()
            sweep_petition_clocks.enqueue()
            sweep_legal_clocks.enqueue()
            sweep_privacy_requests.enqueue()  # residents' data requests due soon or overdue
            sweep_commands.enqueue()  # flags departments that did not check in when a command's clock runs out
            command_daily_reminder.enqueue()  # once a day per department (after 08:00), what yesterday's check-ins cost
            send_booking_reminders.enqueue()
            remind_followups.enqueue()
            anchor_audit_chains.enqueue()  # seals the audit chains once a day (a no-op until the day is over)
            if last_radar is None or time.monotonic() - last_radar >= RADAR_EVERY:
                run_radar.enqueue()
                last_radar = time.monotonic()
            if time.monotonic() - last_retrain >= RETRAIN_EVERY:
                retrain_models.enqueue()
                last_retrain = time.monotonic()
            if once:
                return
            time.sleep(interval)
