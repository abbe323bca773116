"""What Open311 carries beyond the case itself: which client sent a request, and its media_url."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Submission(models.Model):
    """One service request POSTed through Open311 (the case is created by fengqiao.cases.services.case_submit)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey("api.ApiClient", null=True, on_delete=models.SET_NULL, related_name="+")
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return f"open311:{self.case_id}"
