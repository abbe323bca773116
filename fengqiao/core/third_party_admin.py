"""The third-party pages of the administration with headings in the reader's language.

django-otp names its columns after the model fields (“name”, “confirmed”) and its QR-code column in plain
English; django-axes and django-tasks-db have method columns (“status”, “expiration”, “task name”) with no
translatable heading. Their ModelAdmins are registered again as subclasses whose columns and filters carry our
translated headings; nothing else changes (the queries, the actions, the QR-code views). Field headings these
packages do mark for translation are translated by our catalogue (THIRD_PARTY_MESSAGES keeps the msgids).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Headings django-axes and django-tasks-db mark for translation but ship no Chinese for (our catalogue has it).
THIRD_PARTY_MESSAGES = (
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"), gettext_noop("HTTP Accept"),
    gettext_noop("Path"), gettext_noop("Attempt Time"), gettext_noop("Access lock out"), gettext_noop("GET Data"),
    gettext_noop("POST Data"), gettext_noop("Failed Logins"), gettext_noop("Access Attempt"),
    gettext_noop("Expires At"), gettext_noop("Logout Time"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"), gettext_noop("Attempt Remaining"), gettext_noop("Not set"),
    gettext_noop("Clean up expired attempts"), gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("enqueued at"), gettext_noop("finished at"), gettext_noop("args kwargs"), gettext_noop("priority"),
    gettext_noop("task path"), gettext_noop("worker id"), gettext_noop("queue name"), gettext_noop("backend name"),
    gettext_noop("run after"), gettext_noop("return value"), gettext_noop("exception class path"),
    gettext_noop("traceback"),
    # Django 5.2's navigation sidebar (read by screen readers) is missing from its Chinese catalogue
    gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"),
)


def _column(model, name: str, label, original):
    """A list column showing what `name` shows, under `label`."""
    if callable(original):  # a method of the ModelAdmin
        def column(self, obj):
            return original(self, obj)

        return admin.display(description=label, boolean=getattr(original, "boolean", False),
                             ordering=getattr(original, "admin_order_field", None))(column)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None

    def value(self, obj):
        return getattr(obj, name)

    return admin.display(description=label, boolean=isinstance(field, models.BooleanField),
                         ordering=name if field is not None else None)(value)


def _titled(base, title):
    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def relabel(model, labels: dict, filters: dict | None = None, **extra) -> None:
    """Register `model` again with a subclass of its ModelAdmin whose columns in `labels` ({name: heading}) and
    whose field filters in `filters` ({name: heading}) carry these headings; `extra`: other attributes."""
    site = admin.site
    if not site.is_registered(model):
        return
    base = type(site._registry[model])
    attrs: dict = {}
    renamed: dict[str, str] = {}
    for name, label in labels.items():
        original = getattr(base, name, None)
        if callable(original):
            attrs[name] = _column(model, name, label, original)  # a method keeps its name
        else:
            renamed[name] = f"{name}_column"  # a field's heading comes from the field: use a column of our own
            attrs[renamed[name]] = _column(model, name, label, None)
    if renamed:
        attrs["list_display"] = [renamed.get(n, n) if isinstance(n, str) else n for n in base.list_display]
        attrs["list_display_links"] = [renamed.get(n, n) for n in (base.list_display_links or base.list_display[:1])
                                       if isinstance(n, str)]
    if filters:
        kinds = {models.BooleanField: admin.BooleanFieldListFilter, models.DateTimeField: admin.DateFieldListFilter,
                 models.DateField: admin.DateFieldListFilter}
        out = []
        for item in base.list_filter:
            if isinstance(item, str) and item in filters:
                field = model._meta.get_field(item)
                kind = next((k for t, k in kinds.items() if isinstance(field, t)), admin.AllValuesFieldListFilter)
                out.append((item, _titled(kind, filters[item])))
            else:
                out.append(item)
        attrs["list_filter"] = out
    attrs.update(extra)
    site.unregister(model)
    site.register(model, type(base.__name__, (base,), attrs))


DEVICE_COLUMNS = {"user": _("user"), "name": _("name"), "created_at": _("created at"),
                  "last_used_at": _("last used at"), "confirmed": _("confirmed")}
DEVICE_FILTERS = {"created_at": _("created at"), "last_used_at": _("last used at"), "confirmed": _("confirmed")}
DEVICE_SEARCH = _("Search by the user's username or e-mail address.")


@admin.display(description=_("QR code"))
def qrcode_link(self, device):
    """The link to the device's QR code page (django-otp's own column, its link worded for the reader)."""
    try:
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
    except NoReverseMatch:
        return ""
    return format_html('<a href="{}">{}</a>', href, _("show"))


def relabel_otp_totp() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    relabel(TOTPDevice, DEVICE_COLUMNS, DEVICE_FILTERS, qrcode_link=qrcode_link, search_help_text=DEVICE_SEARCH)


def relabel_otp_static() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    relabel(StaticDevice, DEVICE_COLUMNS, DEVICE_FILTERS, search_help_text=DEVICE_SEARCH)


def relabel_axes() -> None:
    from axes.models import AccessAttempt

    relabel(AccessAttempt, {"status": _("status"), "expiration": _("expires at")})


def relabel_tasks_db() -> None:
    from django_tasks_db.models import DBTaskResult

    relabel(DBTaskResult, {"id": _("task id"), "task_name": _("task name")})
