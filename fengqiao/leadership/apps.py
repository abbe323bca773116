from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    name = "fengqiao.leadership"
    label = "leadership"
    verbose_name = _("Leaders: case ownership and sink-down duty")
