from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using, **kwargs) -> None:
    from django.db import connections

    from fengqiao.audit.guard import install_all

    install_all(connections[using])


class AuditConfig(AppConfig):
    name = "fengqiao.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from fengqiao.audit.guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="fq_audit_sqlite_function")
        # After every migrate: a migration that rebuilt an audit table on SQLite dropped its triggers.
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="fq_audit_triggers")
