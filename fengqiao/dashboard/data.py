"""GET /screen/data.json: the big screen's figures (contract A), scoped to the viewer.

?region=<code>&from=<YYYY-MM-DD>&to=<YYYY-MM-DD>; defaults: the viewer's top region, the last 30 days. Bad input
answers 400 {"errors": {field: [message]}} in the viewer's language; a region outside the viewer's scope 404.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.dashboard import rules, selectors
from fengqiao.org.models import Region


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


@login_required
@require_GET
def data(request: HttpRequest) -> JsonResponse:
    allowed = selectors.screen_region_ids(request.user)
    if not allowed:
        raise PermissionDenied(_("The big screen is for the staff of a service centre, its leaders and auditors."))
    errors: dict[str, list[str]] = {}
    code = request.GET.get("region", "").strip()
    region = None
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            errors["region"] = [_("No region has the code %(code)s.") % {"code": code[:20]}]
        elif region.pk not in allowed:
            raise Http404(_("This area is not in your scope."))
    else:
        tops = selectors.top_regions(allowed)
        region = tops[0] if tops else None
    default_from, default_to = rules.default_period(selectors.today())
    dates = {}
    for field, default in (("from", default_from), ("to", default_to)):
        text = request.GET.get(field, "").strip()
        dates[field] = _date(text) if text else default
        if dates[field] is None:
            errors[field] = [_("Write the date as YYYY-MM-DD, e.g. 2026-12-07.")]
    if not errors:
        errors.update(rules.period_errors(dates["from"], dates["to"]))
    if errors or region is None:
        return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
    answer = selectors.screen_data(request.user, region, dates["from"], dates["to"])
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
