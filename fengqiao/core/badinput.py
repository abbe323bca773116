"""Text no field may hold, refused at the door for every interface (web forms, REST API, Open311), in one place.

Two things never reach a view, a service or the database:

- the NUL character (U+0000): PostgreSQL refuses to store it (the request failed with a 500 there), SQLite stores
  it and every tool reading the text later stops at it;
- text that is not valid UTF-8 (or not valid in the charset the request declares): Django would replace the bad
  bytes with U+FFFD and the garbled text would be stored as if the resident had written it. A JSON string with a
  lone surrogate (``"\\ud800"``) is the same fault: no database can encode it.

The decision is to **refuse, not clean**: a browser never sends these from what a person typed, so a request that
carries them comes from a broken or hostile client, and cleaning would hide the fault and store something other
than what was sent. The answer is a 400 naming the field, in the interface's own error format (the REST API's
``{"code", "message", "fields"}`` with code ``invalid_text``, Open311's error list, the 400 page for people) and
in the reader's language. Other control characters are removed from descriptions as before
(``fengqiao.intake.validation.clean_description``); file contents are bytes and are not checked here.

What is checked: the path, the query string, and the body when it is a form (urlencoded or multipart: field
names, values and file names) or JSON (every key and string). Plain functions first (``text_problem``,
``form_problems``, ``json_problems``), the middleware (``BadInputMiddleware``) last.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote_plus

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

NUL = "\x00"
REPLACEMENT = "\ufffd"  # what Django puts where a multipart field's bytes were not text

# A problem is (field, kind): field "" is the address (path) itself; kind one of these.
KIND_NUL = "nul"
KIND_ENCODING = "encoding"
KIND_UNREADABLE = "unreadable"


def text_problem(value: str) -> str | None:
    """KIND_NUL or KIND_ENCODING when `value` may not be stored as text, else None."""
    if NUL in value:
        return KIND_NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return KIND_ENCODING
    return None


def _charset(request: HttpRequest) -> str:
    encoding = request.encoding or "utf-8"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"


def form_problems(raw: bytes | str, encoding: str = "utf-8") -> Iterator[tuple[str, str]]:
    """(field, kind) for each urlencoded pair (a query string or a form body) that is not clean text."""
    if isinstance(raw, str):
        try:
            data = raw.encode("iso-8859-1")  # WSGI hands the query string over as bytes decoded as latin-1
        except UnicodeEncodeError:
            data = raw.encode("utf-8")
    else:
        data = raw
    if not data:
        return
    for piece in data.split(b"&"):
        if not piece:
            continue
        try:
            # As Django reads it (QueryDict): the bytes as text in the charset, then the %-escapes, both strictly.
            pairs = parse_qsl(piece.decode(encoding), keep_blank_values=True, encoding=encoding, errors="strict")
        except UnicodeDecodeError:
            name = unquote_plus(piece.partition(b"=")[0].decode(encoding, errors="replace"), encoding=encoding,
                                errors="replace")
            yield name.replace(REPLACEMENT, "?").replace(NUL, "") or "__all__", KIND_ENCODING
            continue
        for name, value in pairs:
            kind = text_problem(name) or text_problem(value)
            if kind:
                yield name.replace(NUL, "") or "__all__", kind


def json_problems(value, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, kind) for each key or string in a parsed JSON document that is not clean text."""
    if isinstance(value, str):
        kind = text_problem(value)
        if kind:
            yield path or "__all__", kind
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            kind = text_problem(str(key))
            if kind:
                yield (path or "__all__"), kind
                continue
            yield from json_problems(item, name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_problems(item, f"{path}.{i}" if path else str(i))


def _multipart_problems(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for name, values in request.POST.lists():
        for value in values:
            kind = text_problem(name) or text_problem(value) or (KIND_ENCODING if REPLACEMENT in value + name else None)
            if kind:
                yield name.replace(NUL, ""), kind
                break
    for name, files in request.FILES.lists():
        for upload in files:
            kind = text_problem(upload.name or "") or (KIND_ENCODING if REPLACEMENT in (upload.name or "") else None)
            if kind:
                yield name, kind
                break


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/") and
                                                   content_type.endswith("+json"))


def request_problems(request: HttpRequest) -> list[tuple[str, str]]:
    """Every (field, kind) of `request` that may not be stored as text; [] when the request is clean."""
    problems: list[tuple[str, str]] = []
    if NUL in request.path_info or NUL in request.path:
        problems.append(("", KIND_NUL))
    problems.extend(form_problems(request.META.get("QUERY_STRING", ""), _charset(request)))
    for key, value in request.META.items():  # a server refuses these itself; in-process callers may not
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            problems.append((key[5:].replace("_", "-").title(), KIND_NUL))
    content_type = (request.content_type or "").lower()
    try:
        if content_type == "application/x-www-form-urlencoded":
            problems.extend(form_problems(request.body, _charset(request)))
        elif content_type == "multipart/form-data":
            problems.extend(_multipart_problems(request))
        elif _is_json(content_type) and request.body:
            try:
                document = json.loads(request.body)
            except UnicodeDecodeError:
                problems.append(("__all__", KIND_ENCODING))
            except ValueError:
                pass  # not JSON: the view answers that in its own words
            else:
                problems.extend(json_problems(document))
    except (MultiPartParserError, SuspiciousOperation):  # malformed multipart, too large, too many fields
        problems.append(("__all__", KIND_UNREADABLE))
    return problems


# --- the words ---------------------------------------------------------------------------------------------


def message(kind: str) -> str:
    if kind == KIND_NUL:
        return _("the text contains the NUL character (U+0000), which no text may hold. Remove it and send again.")
    if kind == KIND_ENCODING:
        return _("the text is not valid UTF-8 (some bytes are not characters). Send it encoded as UTF-8.")
    return _("the request could not be read: it is malformed, too large or has too many fields.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def described(field: str, kind: str) -> str:
    """'description: the text contains …' for a field, 'The address contains …' for the path."""
    if not field:
        if kind == KIND_NUL:
            return _("The address contains the NUL character (U+0000), which no text may hold. Remove it and send "
                     "again.")
        return _sentence(message(kind))
    if field == "__all__":
        return _sentence(message(kind))
    return _("%(field)s: %(problem)s") % {"field": field, "problem": message(kind)}


# --- the answer in each interface's format -----------------------------------------------------------------------


def _api_response(request: HttpRequest, problems: list[tuple[str, str]]) -> HttpResponse:
    from fengqiao.api.errors import request_language

    language = request_language(request)
    with translation.override(language):
        fields = {field: _sentence(message(kind)) for field, kind in problems if field not in ("", "__all__")}
        general = [(field, kind) for field, kind in problems if field in ("", "__all__")]
        text = described(*general[0]) if general else _("Please correct the fields listed.")
        body = {"code": "invalid_text", "message": text, "fields": fields}
        response = JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = language
    return response


def _open311_response(request: HttpRequest, problems: list[tuple[str, str]]) -> HttpResponse:
    from fengqiao.open311.formats import Open311Error, error_response, request_format
    from fengqiao.open311.views import _language

    with translation.override(_language(request)):
        return error_response(request_format(request), Open311Error(400, *[described(field, kind) for field, kind in problems]))


def _page_response(request: HttpRequest, problems: list[tuple[str, str]]) -> HttpResponse:
    # The field names of a form mean nothing to a person: one sentence, in the language already chosen.
    kind = problems[0][1]
    context = {"status": 400, "message": _sentence(message(kind)), "portal_url": "/report/"}
    return HttpResponse(loader.render_to_string("400.html", context, request=request), status=400)


def bad_input_response(request: HttpRequest, problems: list[tuple[str, str]]) -> HttpResponse:
    path = request.path_info or ""
    if path.startswith("/api/"):
        response = _api_response(request, problems)
    elif path.startswith("/open311/"):
        response = _open311_response(request, problems)
    else:
        response = _page_response(request, problems)
    response["Cache-Control"] = "no-store"
    return response


class BadInputMiddleware:
    """Refuse a request carrying NUL or text that is not UTF-8 before any view reads it (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = request_problems(request)
        if problems:
            return bad_input_response(request, problems)
        return self.get_response(request)
