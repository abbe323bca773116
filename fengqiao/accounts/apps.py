from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "fengqiao.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class FqAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (fengqiao.accounts.admin_site.FqAdminSite): second factor required."""

    default = False
    default_site = "fengqiao.accounts.admin_site.FqAdminSite"
