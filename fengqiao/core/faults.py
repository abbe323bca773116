"""Infrastructure faults in words people can act on: a locked SQLite database, a lost PostgreSQL connection,
a full or read-only disk. Never a stack trace, never a bare 500.

``classify(exc)`` names the fault (or None: a programming error stays a 500 and is fixed in the code).
``FaultMiddleware`` turns a fault raised by a view into a 503 with ``Retry-After``: a standalone HTML page in
the reader's language (it needs neither the database nor the context processors, since either may be what
failed), the REST API's error shape under ``/api/`` and Open311's format under ``/open311/``. The 500 handler
(``fengqiao.core.errors.server_error``) asks ``fault_response`` first, so a fault raised outside a view (a
session saved after the view) gets the same page when DEBUG is off.

Retries, judged case by case (``may_retry``):
- a GET whose database connection was lost is run once more on a fresh connection (reads are safe to repeat);
- a submission carrying an idempotency key (``fengqiao.intake.idempotency.run_once``: the whole submission is
  one transaction recorded under its key) is run once more after a lost connection, and after a lock,
  deadlock or serialization failure on PostgreSQL, which fail fast. A locked SQLite database is not retried in
  the process: SQLite has already waited ``timeout`` (20 s) for the lock, a second wait would outlast the
  resident's patience and the proxy's timeout; the 503 asks them to send again, and the key makes that safe.
- anything else is never retried in the process (a POST without a key might do its work twice).
A full or read-only disk is never retried: it will not heal in a second.
"""

from __future__ import annotations

import enum
import errno
import logging
import os
from collections.abc import Callable
from typing import TypeVar

from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, Error, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

log = logging.getLogger("fengqiao.faults")
T = TypeVar("T")


class Fault(enum.Enum):
    BUSY = "busy"  # a lock (SQLite "database is locked", PostgreSQL lock timeout, deadlock, serialization)
    CONNECTION = "connection"  # the database cannot be reached or the connection was lost
    STORAGE = "storage"  # the disk is full or read-only (uploads, the SQLite file)


# Seconds a client should wait before sending again.
RETRY_AFTER = {Fault.BUSY: 5, Fault.CONNECTION: 30, Fault.STORAGE: 300}

STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT})
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy", "lock timeout",
               "could not obtain lock", "deadlock detected", "could not serialize")
_STORAGE_WORDS = ("database or disk is full", "readonly database", "read-only", "disk i/o error",
                  "unable to open database file", "no space left")
_PROGRAMMING_WORDS = ("no such table", "no such column", "syntax error", "has no column")


def _chain(exc: BaseException | None):
    seen = 0
    while exc is not None and seen < 5:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def classify(exc: BaseException | None) -> Fault | None:
    """Which fault `exc` is, or None when it is not an infrastructure fault (then it stays a 500)."""
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in STORAGE_ERRNOS:
            return Fault.STORAGE
        if isinstance(link, Error):  # DatabaseError and InterfaceError (DB-API: both under Error)
            message = str(link).lower()
            if any(word in message for word in _STORAGE_WORDS):
                return Fault.STORAGE
            if any(word in message for word in _BUSY_WORDS):
                return Fault.BUSY
            if isinstance(link, InterfaceError):
                return Fault.CONNECTION
            if isinstance(link, OperationalError) and not any(word in message for word in _PROGRAMMING_WORDS):
                # DB-API: "errors related to the database's operation and not necessarily under the control of
                # the programmer": a lost connection, a server going down, an unreachable host.
                return Fault.CONNECTION
            return None
    return None


def message(fault: Fault) -> str:
    if fault is Fault.BUSY:
        return _("Many people are using the service right now and your request could not be completed. "
                 "Please send it again in a few seconds.")
    if fault is Fault.CONNECTION:
        return _("The service briefly lost its connection to its database and your request could not be completed. "
                 "Please send it again in a minute.")
    return _("The service cannot store anything at the moment (its storage is full or read-only) and your request "
             "could not be completed. The operators have been alerted; please try again later.")


def reset_connections() -> None:
    """Close database connections outside any transaction, so that the next query opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        try:
            conn.close()
        except DatabaseError:  # pragma: no cover - a broken connection may refuse even to close
            conn.connection = None


def _outside_transactions() -> bool:
    """True when no caller holds a transaction open (the test suite's own wrapping transaction does not count)."""
    return all(getattr(block, "_from_testcase", False)
               for conn in connections.all(initialized_only=True) for block in conn.atomic_blocks)


def may_retry(fault: Fault | None, *, vendor: str) -> bool:
    """May an idempotent operation (a keyed submission) be run once more in the process after `fault`?"""
    if fault is Fault.CONNECTION:
        return True
    return fault is Fault.BUSY and vendor != "sqlite"  # SQLite has already waited its busy timeout


def retry_once(operation: Callable[[], T], *, what: str) -> T:
    """Run an idempotent `operation`; after a fault `may_retry` allows, run it once more on a fresh connection.

    Only for operations that are one transaction and safe to repeat (a submission under its idempotency key);
    never inside a caller's transaction (it would be half rolled back).
    """
    try:
        return operation()
    except (OperationalError, InterfaceError) as exc:
        fault = classify(exc)
        if not may_retry(fault, vendor=connections["default"].vendor) or not _outside_transactions():
            raise
        log.warning("%s: %s (%s), retrying once", what, fault.value if fault else "?", exc)
        reset_connections()
        return operation()


# --- responses -------------------------------------------------------------------------------------------


def _url(name: str, default: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return default


def _api_language(request: HttpRequest) -> str:
    from fengqiao.api.errors import request_language

    return request_language(request)


def api_body(fault: Fault) -> dict:
    return {"code": "temporarily_unavailable", "message": message(fault), "fields": {}}


def fault_response(request: HttpRequest, fault: Fault) -> HttpResponse:
    """The 503 for `request`: HTML page, REST API JSON or Open311 format, with Retry-After."""
    from django.utils import translation

    path = request.path_info or ""
    if path.startswith("/api/"):
        language = _api_language(request)
        with translation.override(language):
            response: HttpResponse = JsonResponse(api_body(fault), status=503)
        response["Content-Language"] = language
    elif path.startswith("/open311/"):
        from fengqiao.open311.formats import Open311Error, error_response, request_format
        from fengqiao.open311.views import _language

        with translation.override(_language(request)):
            response = error_response(request_format(request), Open311Error(503, message(fault)))
    else:
        context = {
            "LANG": get_language() or "zh-hans",
            "fault": fault.value,
            "message": message(fault),
            "retry_after": RETRY_AFTER[fault],
            "home_url": _url("core:home", "/"),
            "portal_url": _url("intake:report", "/report/"),
        }
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER[fault])
    response["Cache-Control"] = "no-store"
    return response


def _record(request: HttpRequest, fault: Fault, exc: BaseException) -> None:
    # The operators' log keeps the exception (the person sees only the words above).
    level = logging.ERROR if fault is Fault.STORAGE else logging.WARNING
    log.log(level, "fault %s on %s %s: %s: %s", fault.value, request.method, request.path_info,
            type(exc).__name__, exc)


class FaultMiddleware:
    """A fault raised by a view becomes a 503 people can act on; a GET that lost its connection is tried again once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = classify(exception)
        if fault is None:
            return None
        _record(request, fault, exception)
        reset_connections()
        match = getattr(request, "resolver_match", None)
        if (fault is Fault.CONNECTION and request.method in ("GET", "HEAD") and match is not None
                and not getattr(request, "_fq_fault_retried", False) and _outside_transactions()):
            request._fq_fault_retried = True  # type: ignore[attr-defined]
            try:
                return match.func(request, *match.args, **match.kwargs)
            except Exception as again:  # the second failure is answered the same way
                fault = classify(again) or fault
                if classify(again) is None:
                    raise
                _record(request, fault, again)
                reset_connections()
        return fault_response(request, fault)


def api_exception_handler(api):
    """For django-ninja (fengqiao.api.errors.install): faults in the API's error shape (also with DEBUG on,
    where ninja would otherwise answer with the traceback); any other database or OS error goes on as before."""

    def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
        fault = classify(exc)
        if fault is None:
            raise exc
        _record(request, fault, exc)
        reset_connections()
        response = api.create_response(request, api_body(fault), status=503)
        response["Retry-After"] = str(RETRY_AFTER[fault])
        return response

    return handle


class CleanFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that removes what it had begun to write when writing fails (disk full, read-only):
    a failed upload leaves neither a row (the transaction rolls back) nor half a file."""

    def _save(self, name, content):
        path = self.path(name)
        existed = os.path.exists(path)  # then it is someone else's file (Django picks another name): never removed
        try:
            return super()._save(name, content)
        except OSError:
            if not existed and os.path.exists(path):
                try:
                    os.remove(path)
                except OSError:  # pragma: no cover - the disk may refuse this too
                    log.error("could not remove the partial file %s", path)
            raise
