"""The big screen (/screen/: 指挥中心大屏). The page is a frame: its script draws /screen/data.json (the figures,
scoped to the viewer) and polls it; the page itself carries only the settings and the translated labels."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.dashboard.selectors import may_see_screen

POLL_SECONDS = 5
COUNTERS = (
    "received",
    "resolved",
    "resolution_rate",
    "on_time_rate",
    "satisfied_rate",
    "people",
    "money",
    "judicial_confirmations",
    "open",
    "open_red",
    "open_yellow",
)


def _labels() -> dict[str, str]:
    """Every word the script writes, in the viewer's language."""
    return {
        "received": pgettext("big screen", "Received"),
        "resolved": pgettext("big screen", "Resolved"),
        "resolution_rate": pgettext("big screen", "Resolution rate"),
        "satisfied_rate": pgettext("big screen", "Satisfaction"),
        "on_time_rate": pgettext("big screen", "On time"),
        "people": pgettext("big screen", "People involved"),
        "money": pgettext("big screen", "Money involved"),
        "judicial_confirmations": pgettext("big screen", "Confirmed by court"),
        "open": pgettext("big screen", "Open now"),
        "open_red": pgettext("big screen", "Red, open"),
        "open_yellow": pgettext("big screen", "Yellow, open"),
        "collective": pgettext("big screen", "Collective"),
        "live": pgettext("big screen", "live"),
        "updated": pgettext("big screen", "updated"),
        "offline": pgettext("big screen", "No answer from the server: showing the figures of"),
        "empty": pgettext("big screen", "Nothing in this period."),
        "no_warnings": pgettext("big screen", "No open warning."),
        "no_cases": pgettext("big screen", "No case yet."),
        "no_children": pgettext("big screen", "No smaller area below this one."),
        "not_found": pgettext("big screen", "This area is not in your scope."),
        "open_short": pgettext("big screen", "open"),
        "new": pgettext("big screen", "new"),
        "service_point": pgettext("big screen", "Service point"),
        "mediator": pgettext("big screen", "Mediator on duty"),
        "approximate": pgettext("big screen", "approximate position"),
        "grade_red": pgettext("big screen", "Red"),
        "grade_yellow": pgettext("big screen", "Yellow"),
        "grade_green": pgettext("big screen", "Green"),
        "level_red": pgettext("big screen", "Red warning"),
        "level_orange": pgettext("big screen", "Orange warning"),
        "level_yellow": pgettext("big screen", "Yellow warning"),
        "yuan": pgettext("big screen", "yuan"),
        "drill": pgettext("big screen", "Show this area"),
        "wan": "万",
        "yi": "亿",
        "wan_yuan": "万元",
        "yi_yuan": "亿元",
    }


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    if not may_see_screen(request.user):  # the same readers as /screen/data.json
        raise PermissionDenied(_("The big screen is for the staff of a service centre, its leaders and auditors."))
    labels = _labels()
    config = {
        "dataUrl": reverse("dashboard:data"),
        "pageUrl": request.path,
        "region": request.GET.get("region", ""),
        "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
        "pollSeconds": POLL_SECONDS,
        "lang": request.LANGUAGE_CODE,
        "timeZone": settings.TIME_ZONE,
    }
    return render(
        request,
        "dashboard/screen.html",
        {
            "config": config,
            "labels": labels,
            "counters": [(key, labels[key]) for key in COUNTERS],
            "tiles": settings.FQ_MAP_TILES,
            "attribution": settings.FQ_MAP_ATTRIBUTION,
        },
    )
