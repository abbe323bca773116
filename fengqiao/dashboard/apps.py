from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "fengqiao.dashboard"
    label = "dashboard"
    verbose_name = _("Big screen and figures")
