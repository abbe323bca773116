from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a resident or a member of staff.

    What a user may see and do follows from their memberships (org.Membership),
    never from flags on this row; see fengqiao.org.access.
    """

    name = models.CharField(_("name"), max_length=64, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username
