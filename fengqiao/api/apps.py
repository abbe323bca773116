from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default = True
    name = "fengqiao.api"
    label = "api"
    verbose_name = _("Partner API")
