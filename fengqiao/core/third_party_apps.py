"""The third-party apps, named in the reader's language (settings.INSTALLED_APPS lists these configurations).

Each configuration keeps the app's module and label (so no migration changes) and only adds a translated
name; where a package names its models in English only (django-otp writes them as plain strings, django-axes
and django-tasks-db ship no Chinese), ``ready`` sets the models' names to ours. Setting ``Model._meta`` names at
start-up is what Django's own ``verbose_name`` would do; migrations read the class's original Meta, so nothing
changes there. The msgids are written here so that makemessages keeps them. The admin runs first in
INSTALLED_APPS, so when these ``ready`` run the packages' ModelAdmins are registered, and
``fengqiao.core.third_party_admin`` registers them again with translated column headings.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesDefault
from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticDefault
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpDefault
from django_tasks.apps import TasksAppConfig as TasksDefault
from django_tasks_db.apps import TasksAppConfig as TasksDbDefault
from template_partials.apps import LoaderAppConfig


def name_models(label: str, names: dict) -> None:
    """Give the models of app `label` our (translated) names: {model name: (singular, plural)}."""
    for model_name, (singular, plural) in names.items():
        meta = apps.get_model(label, model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class RunserverNostaticConfig(AppConfig):
    name = "whitenoise.runserver_nostatic"
    label = "runserver_nostatic"
    verbose_name = _("Static files in development")


class HtmxConfig(AppConfig):
    name = "django_htmx"
    label = "django_htmx"
    verbose_name = _("Partial page updates (htmx)")


class TemplatePartialsConfig(LoaderAppConfig):
    default = False
    verbose_name = _("Template partials")


class OtpConfig(AppConfig):
    name = "django_otp"
    label = "django_otp"
    verbose_name = _("Second factor")


class OtpTotpConfig(OtpTotpDefault):
    verbose_name = _("Authenticator app codes")

    def ready(self) -> None:
        super().ready()
        name_models(self.label, {"TOTPDevice": (_("authenticator device"), _("authenticator devices"))})
        from fengqiao.core.third_party_admin import relabel_otp_totp  # the admin is loaded by now

        relabel_otp_totp()


class OtpStaticConfig(OtpStaticDefault):
    verbose_name = _("Backup codes")

    def ready(self) -> None:
        super().ready()
        name_models(self.label, {"StaticDevice": (_("backup code set"), _("backup code sets")),
                                 "StaticToken": (_("backup code"), _("backup codes"))})
        from fengqiao.core.third_party_admin import relabel_otp_static  # the admin is loaded by now

        relabel_otp_static()


class AxesConfig(AxesDefault):
    verbose_name = _("Sign-in throttling")

    def ready(self) -> None:
        super().ready()
        name_models(self.label, {
            "AccessAttempt": (_("access attempt"), _("access attempts")),
            "AccessLog": (_("access log"), _("access logs")),
            "AccessFailureLog": (_("access failure"), _("access failures")),
            "AccessAttemptExpiration": (_("access attempt expiration"), _("access attempt expirations")),
        })
        from fengqiao.core.third_party_admin import relabel_axes  # the admin is loaded by now

        relabel_axes()


class TasksConfig(TasksDefault):
    verbose_name = _("Background tasks")


class TasksDbConfig(TasksDbDefault):
    verbose_name = _("Background task queue")

    def ready(self) -> None:
        super().ready()
        name_models(self.label, {"DBTaskResult": (_("task result"), _("task results"))})
        from fengqiao.core.third_party_admin import relabel_tasks_db  # the admin is loaded by now

        relabel_tasks_db()


class RqConfig(AppConfig):
    """django-rq (only with REDIS_URL): its admin page of the queues."""

    name = "django_rq"
    label = "django_rq"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Background task queue (Redis)")

    def ready(self) -> None:
        name_models(self.label, {"Dashboard": (_("queues"), _("queues"))})
