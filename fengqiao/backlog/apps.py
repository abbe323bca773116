from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BacklogConfig(AppConfig):
    name = "fengqiao.backlog"
    label = "backlog"
    verbose_name = _("Backlog clearing and special campaigns")
