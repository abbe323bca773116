"""Who is asking: the `api_key` (fengqiao.api.auth.client_for_key, scope "open311") and what they may read.

- POST needs a key whose client holds the "open311" scope and whose service account takes in demands.
- GET needs no key. Without one the answer covers the public requests only: every case except the
  confidential kinds (psychological service). With a valid key it also covers the cases the client's
  service account may see (fengqiao.org.access). No answer ever carries personal data (fengqiao.open311.present).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fengqiao.api.auth import client_for_key
from fengqiao.api.models import ApiClient, ApiScope
from fengqiao.cases.models import Case, ServiceType
from fengqiao.open311.formats import Open311Error

CONFIDENTIAL_SERVICE_TYPES = frozenset({ServiceType.PSYCHOLOGICAL})


def key_param(request: HttpRequest) -> str:
    return (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()


def client_for_request(request: HttpRequest, *, required: bool) -> ApiClient | None:
    """The client of the request's api_key; 403 for a bad key, a key without the open311 scope, or none when required."""
    raw = key_param(request)
    if not raw:
        if required:
            raise Open311Error(403, _("api_key was not provided: ask the platform's administrator for a key."))
        return None
    client = client_for_key(raw)
    if client is None:
        raise Open311Error(403, _("api_key is not valid."))
    if not client.has_scope(ApiScope.OPEN311):
        raise Open311Error(403, _("This api_key does not have the open311 scope."))
    return client


def public_filter() -> Q:
    return ~Q(service_type__in=CONFIDENTIAL_SERVICE_TYPES)


def readable_cases(client: ApiClient | None) -> QuerySet[Case]:
    """The cases a GET may return: the public ones, plus those the client's account may see."""
    if client is None:
        return Case.objects.filter(public_filter())
    return Case.objects.filter(public_filter() | Q(pk__in=Case.objects.visible_to(client.user).values("pk")))
