"""Django's `flush`, able to empty the append-only audit tables: on SQLite their triggers refuse DELETE to
everyone but the application inside fengqiao.audit.guard.unlocked() (on PostgreSQL flush is a TRUNCATE, which
row triggers do not see). Emptying the whole database is for test databases; the audit chain would say so."""

from django.core.management.commands.flush import Command as FlushCommand

from fengqiao.audit.guard import unlocked_for_flush


class Command(FlushCommand):
    def handle(self, **options):
        with unlocked_for_flush():
            return super().handle(**options)
