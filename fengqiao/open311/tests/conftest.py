"""Fixtures of the Open311 tests: the category catalogue, partner API clients with keys, readers of both formats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import translation

from fengqiao.api.auth import new_key
from fengqiao.api.models import ApiClient
from fengqiao.org.models import OrgUnit, Role
from fengqiao.org.services import membership_grant

BASE = "/open311/v2"
LAT, LNG = 22.7480, 113.9380  # inside Guangming District (WGS84)
FORMATS = ["json", "xml"]


@dataclass
class Partner:
    client: ApiClient
    key: str


def make_partner(name: str, *, scopes=("open311",), unit: str = "光明区群众诉求服务大厅", role: str = Role.OPERATOR
                 ) -> Partner:
    from fengqiao.accounts.models import User

    user = User.objects.create_user(username=f"svc-{name}", password=None, name=f"API · {name}")
    membership_grant(user=user, unit=OrgUnit.objects.get(name=unit), role=role)
    raw, prefix, key_hash = new_key()
    client = ApiClient.objects.create(name=name, source_system=f"partner-{name}", user=user, key_prefix=prefix,
                                      key_hash=key_hash, scopes=list(scopes))
    return Partner(client, raw)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def categories(db):
    from fengqiao.open311.tests.catalogue import bulk_categories

    bulk_categories()


@pytest.fixture
def partner(cast) -> Partner:
    return make_partner("hotline")


@pytest.fixture
def api() -> Client:
    """A client as a partner's system: English, CSRF enforced as for any foreign caller."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def parse(response, fmt: str):
    """The body as plain data: JSON as is; XML as (root tag, element) for the tests to walk."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content.decode("utf-8"))
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ET.fromstring(response.content)


def xml_records(root: ET.Element) -> list[dict[str, str | None]]:
    """<root><item><field>text</field>…</item>…</root> as a list of {field: text}."""
    return [{child.tag: child.text for child in item} for item in root]


def errors_of(response, fmt: str) -> list[tuple[int, str]]:
    body = parse(response, fmt)
    if fmt == "json":
        return [(e["code"], e["description"]) for e in body]
    assert body.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in body.findall("error")]
