from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandsConfig(AppConfig):
    name = "fengqiao.commands"
    label = "commands"
    verbose_name = _("Commands and check-in")
