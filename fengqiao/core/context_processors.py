from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from fengqiao.org.access import scope_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {
        "fq_roles": sorted(scope.roles),
        "fq_capabilities": {str(c) for c in scope.capabilities},
        "fq_is_demo": settings.FQ_DEMO,
        "fq_env": settings.FQ_ENV,
    }
