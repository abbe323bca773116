"""Every API error is JSON `{"code", "message", "fields"}`, in Chinese unless the client asks for English.

The handlers translate what the domain raises (services: ValidationError,
PermissionDenied, TransitionError, ConcurrentUpdate; intake: IdempotencyConflict)
and what ninja raises (bad key, pydantic validation, malformed body) into that
shape, with the HTTP status a partner's client can act on.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from fengqiao.cases.services import ConcurrentUpdate
from fengqiao.cases.workflow import TransitionError
from fengqiao.intake.idempotency import IdempotencyConflict


class ApiError(Exception):
    """An error the API answers with as it is: status, code, message, fields."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        super().__init__(message)


class MissingScope(Exception):
    def __init__(self, scopes: list[str]):
        self.scopes = scopes
        super().__init__(scopes)


class IdempotencyKeyMissing(Exception):
    def __init__(self, *, too_long: bool = False):
        self.too_long = too_long
        super().__init__()


# --- language -------------------------------------------------------------------------------


def request_language(request: HttpRequest) -> str:
    """zh-hans unless the client's first supported preference in Accept-Language is English."""
    for lang, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        lang = lang.lower()
        if lang.startswith("en"):
            return "en"
        if lang.startswith("zh"):
            return "zh-hans"
    return "zh-hans"


def in_request_language(run):
    """Operation decorator (mode "view": around auth, parsing and the view): answer in the asked language."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        language = request_language(request)
        with translation.override(language):
            response = run(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapper


# --- the error shape ------------------------------------------------------------------------------


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
                   fields: dict[str, str] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": str(message), "fields": fields or {}}, status=status)


def validation_fields(exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """A service's ValidationError as {api field: first message}."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        return {rename.get(field, field): " ".join(str(m) for m in messages)
                for field, messages in exc.message_dict.items()}
    return {"__all__": " ".join(str(m) for m in exc.messages)}


_PYDANTIC_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_long": lambda ctx: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
    "string_too_short": lambda ctx: _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
    "too_long": lambda ctx: _("At most %(n)s items.") % {"n": ctx.get("max_length")},
    "greater_than_equal": lambda ctx: _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
    "greater_than": lambda ctx: _("Must be more than %(n)s.") % {"n": ctx.get("gt")},
    "less_than_equal": lambda ctx: _("Must be at most %(n)s.") % {"n": ctx.get("le")},
    "literal_error": lambda ctx: _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")},
    "enum": lambda ctx: _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")},
    "decimal_max_places": lambda ctx: _("At most %(n)s decimal places.") % {"n": ctx.get("decimal_places")},
    "decimal_max_digits": lambda ctx: _("The number is too large."),
    "value_error": lambda ctx: str(ctx.get("error", "")),
}
# A pattern says what a field must look like (openapi.json shows it); the person reads what is wrong in words.
_PATTERN_MESSAGES = {
    "cursor": lambda: _("This cursor is not valid; start again without it."),
    "description": lambda: _("Please describe what happened in a few words (at least 5 characters)."),
}
_BODY_PARAMS = {"payload"}  # the name every operation gives its JSON body


def pydantic_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header", "form", "file"}:
            loc = loc[1:]
        if loc and loc[0] in _BODY_PARAMS:
            loc = loc[1:]
        name = ".".join(loc) or "__all__"
        kind = error.get("type", "")
        make = _PYDANTIC_MESSAGES.get(kind)
        if kind == "string_pattern_mismatch":
            message = _PATTERN_MESSAGES[loc[-1]]() if loc and loc[-1] in _PATTERN_MESSAGES else _(
                "This may not be blank or in this form.")
        else:
            message = make(error.get("ctx") or {}) if make else _("Enter a valid value.")
        fields.setdefault(name, message)
    return fields


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`."""

    def handle(exc_class):
        def register(func):
            api.add_exception_handler(exc_class, lambda request, exc: func(request, exc))
            return func

        return register

    @handle(ApiError)
    def _api_error(request, exc: ApiError):
        return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)

    @handle(AuthenticationError)
    def _unauthorised(request, exc):
        response = error_response(
            api, request, 401, "unauthorized",
            _("A valid API key is required: send it as “Authorization: Bearer <key>” or “X-API-Key: <key>”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="fengqiao"'
        return response

    @handle(MissingScope)
    def _missing_scope(request, exc: MissingScope):
        return error_response(
            api, request, 403, "insufficient_scope",
            _("This API key does not have the scope this operation needs (%(scopes)s).")
            % {"scopes": " / ".join(exc.scopes)},
        )

    @handle(IdempotencyKeyMissing)
    def _idempotency_missing(request, exc: IdempotencyKeyMissing):
        message = (
            _("The Idempotency-Key header is too long (at most 100 characters).")
            if exc.too_long
            else _("Every POST needs an Idempotency-Key header (a unique value per operation, e.g. a UUID), "
                   "so that a retry never does the work twice.")
        )
        return error_response(api, request, 400, "idempotency_key_required", message)

    @handle(IdempotencyConflict)
    def _idempotency_conflict(request, exc):
        return error_response(
            api, request, 422, "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request. Use a new key for a new operation."),
        )

    @handle(NinjaValidationError)
    def _invalid_input(request, exc: NinjaValidationError):
        return error_response(api, request, 422, "invalid", _("Please correct the fields listed."),
                              pydantic_fields(exc.errors))

    @handle(ValidationError)
    def _invalid(request, exc: ValidationError):
        return error_response(api, request, 422, "invalid", _("Please correct the fields listed."),
                              validation_fields(exc))

    @handle(PermissionDenied)
    def _forbidden(request, exc):
        return error_response(api, request, 403, "forbidden", str(exc) or _("You may not do this on this case."))

    @handle(TransitionError)
    def _transition(request, exc):
        return error_response(api, request, 409, "transition_not_allowed", str(exc))

    @handle(ConcurrentUpdate)
    def _stale(request, exc):
        return error_response(api, request, 409, "stale_version", str(exc))

    @handle(Http404)
    def _not_found(request, exc):
        return error_response(api, request, 404, "not_found", _("Not found, or not visible to this API key."))

    @handle(Throttled)
    def _throttled(request, exc):
        return error_response(api, request, 429, "rate_limited", _("Too many requests. Please slow down and retry later."))

    # A locked or lost database, a full disk: 503 with Retry-After in this shape (fengqiao.core.faults), also with
    # DEBUG on, where ninja would answer with the traceback; other database and OS errors go on as before.
    from django.db import InterfaceError, OperationalError

    from fengqiao.core.faults import api_exception_handler

    for fault_class in (OperationalError, InterfaceError, OSError):
        api.add_exception_handler(fault_class, api_exception_handler(api))

    @handle(HttpError)
    def _http_error(request, exc: HttpError):
        # ninja's own refusals, e.g. a body that is not JSON.
        return error_response(api, request, exc.status_code, "bad_request", _("The request could not be read: %(detail)s")
                              % {"detail": exc})
