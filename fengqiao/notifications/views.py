from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fengqiao.notifications.models import Notification

PAGE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(recipient=request.user).select_related("case").order_by("-created_at")[:PAGE])
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if request.POST.get("id"):
        qs = qs.filter(pk=request.POST["id"])
    qs.update(read_at=timezone.now())
    return redirect("notifications:inbox")
