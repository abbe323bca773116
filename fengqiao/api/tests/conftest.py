"""Helpers for the API tests: partner clients with keys, a JSON client that speaks the API, a webhook receiver.

The organisation and the cast come from the root conftest (`cast`, `org`, `make_case`).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from fengqiao.api.services import api_client_create
from fengqiao.cases.catalogue import category_save
from fengqiao.org.models import OrgUnit

HOME_COMMUNITY = "440311001001"  # 光明街道 光明社区
OTHER_COMMUNITY = "440311006001"  # 马田街道 薯田埔社区
LUOHU_COMMUNITY = "440303001001"


class ApiCaller:
    """A partner's HTTP client: sends the key, an Idempotency-Key on every POST (unless told not to), JSON bodies."""

    def __init__(self, key: str | None, *, client: Client | None = None):
        self.key = key
        self.http = client or Client()

    def _headers(self, key, idem, lang, extra) -> dict:
        headers = dict(extra)
        key = self.key if key is ... else key
        if key:
            headers.setdefault("Authorization", f"Bearer {key}")
        if idem is ...:
            idem = str(uuid.uuid4())
        if idem is not None:
            headers["Idempotency-Key"] = idem
        if lang:
            headers["Accept-Language"] = lang
        return headers

    def get(self, path: str, params: dict | None = None, *, key=..., lang: str | None = None, **extra):
        return self.http.get(f"/api/v1{path}", params or {}, headers=self._headers(key, None, lang, extra))

    def post(self, path: str, body: dict | None = None, *, key=..., idem=..., lang: str | None = None, **extra):
        return self.http.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json",
                              headers=self._headers(key, idem, lang, extra))

    def upload(self, path: str, files: dict, *, key=..., idem=..., lang: str | None = None, **extra):
        return self.http.post(f"/api/v1{path}", files, headers=self._headers(key, idem, lang, extra))

    def delete(self, path: str, *, key=..., **extra):
        return self.http.delete(f"/api/v1{path}", headers=self._headers(key, None, None, extra))


@dataclass
class Partner:
    client: object
    key: str
    api: ApiCaller


@pytest.fixture
def make_partner(cast) -> Callable[..., Partner]:
    """make_partner(name, scopes=("cases",), unit="光明区群众诉求服务大厅", role="operator") -> Partner."""
    counter = iter(range(1, 1000))

    def make(name: str | None = None, scopes=("cases",), unit: str = "光明区群众诉求服务大厅", role: str = "operator"):
        name = name or f"partner-{next(counter)}"
        client, key = api_client_create(name=name, scopes=list(scopes),
                                        memberships=[(OrgUnit.objects.get(name=unit), role)])
        return Partner(client, key, ApiCaller(key))

    return make


@pytest.fixture
def gm(make_partner) -> Partner:
    """The 12345 hotline: operator of the Guangming district centre, scope "cases"."""
    return make_partner("12345热线")


@pytest.fixture
def categories(db):
    parent = category_save(code="C05", name="劳动和社会保障", parent=None, service_type="mediation")
    child = category_save(code="C05-01", name="欠薪", parent=parent, service_type="mediation")
    return parent, child


def case_body(**overrides) -> dict:
    body = {
        "service_type": "mediation",
        "title": "工地欠薪",
        "description": "某工地拖欠30名工人两个月工资，工人多次讨要未果。",
        "community_code": HOME_COMMUNITY,
        "people_count": 30,
        "amount": "420000.00",
        "parties": [
            {"role": "applicant", "name": "王小梅", "phone": "139 1234 5678", "id_type": "resident_id",
             "id_number": "440311199001011234"},
            {"role": "respondent", "kind": "organisation", "name": "某建筑公司"},
        ],
    }
    body.update(overrides)
    return body


# --- a webhook receiver on 127.0.0.1 ------------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    requests: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers in order; 200 once they run out


@pytest.fixture
def receiver():
    """A tiny HTTP server on a free loopback port that records each POST; stopped after the test."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/fengqiao"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
