"""GeoReport v2 responses in both formats: JSON, and XML with the specification's element names (UTF-8).

Everything is built as plain lists and dicts first; `respond` writes them as JSON, or as
XML where each list is wrapped in its plural element and each item in the singular one
(services/service, service_requests/request, attributes/attribute, values/value,
endpoints/endpoint, formats/format, errors/error).
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    """An answer in the specification's error format: [{"code": 400, "description": "..."}]."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = [str(d) for d in descriptions] or [""]
        super().__init__(status, self.descriptions)

    def body(self) -> list[dict]:
        return [{"code": self.status, "description": d} for d in self.descriptions]


# Characters XML 1.0 cannot carry at all (an error echoing a client's service code, an address typed with a
# control character): written as they are, they made the whole answer unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _fill(ET.SubElement(element, key), key, sub)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES[name]
        for sub in value:
            _fill(ET.SubElement(element, item), item, sub)
    else:
        text = _text(value)
        if text is not None:
            element.text = text


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, root, data)
    return ET.tostring(element, encoding="UTF-8", xml_declaration=True)


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`root` names the XML root element (services, service_definition, service_requests, discovery, errors)."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def request_format(request) -> str:
    """The format a request to /open311/v2/ asked for: the URL's `fmt` when it was resolved, else its suffix (a
    request refused before routing — bad input, a fault in a middleware — still gets the format it asked for)."""
    match = getattr(request, "resolver_match", None)
    fmt = match.kwargs.get("fmt") if match else None
    if fmt in ("json", "xml"):
        return fmt
    return "xml" if (request.path_info or "").rstrip("/").endswith(".xml") else "json"


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    return respond(fmt if fmt in FORMATS else "json", "errors", error.body(), status=error.status)
