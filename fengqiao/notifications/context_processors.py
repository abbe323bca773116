from __future__ import annotations

from django.http import HttpRequest

from fengqiao.notifications.models import Notification


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"fq_unread": 0}
    return {"fq_unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
