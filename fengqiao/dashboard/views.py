"""The big screen (/screen/: 指挥中心大屏). The page is a frame: its script draws /screen/data.json (the figures,
scoped to the viewer) and polls it; the page itself carries only the settings and the translated labels."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.org.access import Capability, scope_for

# Who sees the big screen: the same people as /screen/data.json (centre staff, leaders, auditors).
SCREEN_READERS = frozenset({Capability.CASE_DISPATCH, Capability.CASE_OWN, Capability.AUDIT_READ})

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


def may_see_screen(user) -> bool:
    return bool(SCREEN_READERS & scope_for(user).capabilities)


def _labels() -> dict[str, str]:
    """Every word the script writes, in the viewer's language."""
    return {
        "received": _("Received"),
        "resolved": _("Resolved"),
        "resolution_rate": _("Resolution rate"),
        "satisfied_rate": _("Satisfaction"),
        "on_time_rate": _("On time"),
        "people": _("People involved"),
        "money": _("Money involved"),
        "judicial_confirmations": _("Judicial confirmations"),
        "open": _("Open now"),
        "open_red": _("Red"),
        "open_yellow": _("Yellow"),
        "collective": _("Collective"),
        "live": _("live"),
        "updated": _("updated"),
        "offline": _("No answer from the server: showing the figures of"),
        "loading": _("Loading…"),
        "empty": _("Nothing in this period."),
        "no_warnings": _("No open warning."),
        "no_cases": _("No case yet."),
        "no_children": _("No smaller area below this one."),
        "error": _("The figures could not be loaded."),
        "not_found": _("This area is not in your scope."),
        "people_unit": pgettext("count of people", "people"),
        "cases_unit": pgettext("count of cases", "cases"),
        "open_short": _("open"),
        "new": _("new"),
        "service_point": _("Service point"),
        "mediator": _("Mediator on duty"),
        "approximate": _("approximate position"),
        "open_case": _("Open the case"),
        "grade_red": _("Red"),
        "grade_yellow": _("Yellow"),
        "grade_green": _("Green"),
        "level_red": _("Red warning"),
        "level_orange": _("Orange warning"),
        "level_yellow": _("Yellow warning"),
        "yuan": _("yuan"),
        "wan": "万",
        "yi": "亿",
        "wan_yuan": "万元",
        "yi_yuan": "亿元",
        "drill": _("Show this area"),
    }


def _data_url(request: HttpRequest) -> str:
    try:
        return reverse("dashboard:data")
    except NoReverseMatch:  # the figures' endpoint is not routed yet: it sits beside the page
        return request.path + "data.json"


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    if not may_see_screen(request.user):
        raise Http404(_("The big screen is for centre staff, leaders and auditors."))
    today = timezone.localdate()
    labels = _labels()
    config = {
        "dataUrl": _data_url(request),
        "pageUrl": request.path,
        "region": request.GET.get("region", ""),
        "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
        "today": today.isoformat(),
        "pollSeconds": POLL_SECONDS,
        "lang": request.LANGUAGE_CODE,
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
