"""An independent GeoReport v2 client: it knows only the specification's resources and field names.

It parses XML with xml.etree and JSON with json, discovers the endpoint, reads the services and a
service definition, posts a request with attributes, follows it by id and by token, lists requests
with the standard filters, and reads errors — never touching our models or helpers to understand
an answer.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from .conftest import LAT, LNG

pytestmark = pytest.mark.django_db


class GeoReportClient:
    """What a third-party app would write from the published specification."""

    def __init__(self, http: Client, api_key: str, jurisdiction_id: str):
        self.http, self.api_key, self.base = http, api_key, "/open311/v2"
        self.jurisdiction_id = jurisdiction_id

    def discover(self) -> None:
        root = ET.fromstring(self.http.get(f"{self.base}/discovery.xml").content)
        for endpoint in root.iter("endpoint"):
            if endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2":
                formats = [f.text for f in endpoint.iter("format")]
                assert "text/xml" in formats and "application/json" in formats
                self.base = urlsplit(endpoint.findtext("url")).path
                return
        raise AssertionError("no GeoReport v2 endpoint in discovery")

    def services_xml(self) -> list[dict]:
        root = ET.fromstring(self.http.get(f"{self.base}/services.xml").content)
        assert root.tag == "services"
        return [{child.tag: child.text for child in service} for service in root.findall("service")]

    def services_json(self) -> list[dict]:
        return json.loads(self.http.get(f"{self.base}/services.json").content)

    def definition_xml(self, code: str) -> list[dict]:
        root = ET.fromstring(self.http.get(f"{self.base}/services/{code}.xml",
                                           {"jurisdiction_id": self.jurisdiction_id}).content)
        assert root.tag == "service_definition" and root.findtext("service_code") == code
        attributes = []
        for attribute in root.find("attributes").findall("attribute"):
            attributes.append({
                "code": attribute.findtext("code"),
                "datatype": attribute.findtext("datatype"),
                "required": attribute.findtext("required") == "true",
                "values": [value.findtext("key") for value in attribute.findall("values/value")],
            })
        return attributes

    def post_xml(self, fields: dict) -> ET.Element:
        response = self.http.post(f"{self.base}/requests.xml",
                                  {"api_key": self.api_key, "jurisdiction_id": self.jurisdiction_id, **fields})
        return ET.fromstring(response.content)

    def post_json(self, fields: dict, **headers):
        response = self.http.post(f"{self.base}/requests.json", {"api_key": self.api_key, **fields}, **headers)
        return response.status_code, json.loads(response.content)

    def request_xml(self, request_id: str) -> dict:
        root = ET.fromstring(self.http.get(f"{self.base}/requests/{request_id}.xml").content)
        assert root.tag == "service_requests"
        return {child.tag: child.text for child in root.find("request")}

    def requests_json(self, **filters) -> list[dict]:
        return json.loads(self.http.get(f"{self.base}/requests.json", filters).content)

    def token_json(self, token: str) -> list[dict]:
        return json.loads(self.http.get(f"{self.base}/tokens/{token}.json").content)


def test_an_independent_client_goes_through_the_whole_specification(cast, categories):
    from .conftest import make_partner

    partner = make_partner("third-party")
    client = GeoReportClient(Client(HTTP_ACCEPT_LANGUAGE="en"), partner.key, jurisdiction_id="440311")
    client.discover()
    assert client.base == "/open311/v2"

    services = client.services_xml()
    assert services == [
        {**s, "metadata": str(s["metadata"]).lower()} for s in client.services_json()
    ]
    service = next(s for s in services if s["service_name"] == "劳资纠纷")
    assert service["metadata"] == "true" and service["type"] == "realtime"

    attributes = {a["code"]: a for a in client.definition_xml(service["service_code"])}
    community = attributes["community"]["values"][0]
    assert attributes["people_count"]["datatype"] == "number"

    # POST in XML with attributes from the definition; the answer carries the id and a notice.
    answer = client.post_xml({
        "service_code": service["service_code"], "address_string": "某工地门口", "description": "工地欠薪两个月，二十多人。",
        f"attribute[{attributes['community']['code']}]": community, "attribute[people_count]": "23",
        "first_name": "小梅", "last_name": "王", "phone": "13912345678",
    })
    assert answer.tag == "service_requests"
    request_id = answer.find("request").findtext("service_request_id")
    assert request_id and answer.find("request").findtext("service_notice")
    assert answer.find("request").find("account_id") is not None

    detail = client.request_xml(request_id)
    assert detail["service_request_id"] == request_id
    assert detail["status"] == "open" and detail["service_code"] == service["service_code"]
    assert detail["requested_datetime"] and detail["expected_datetime"] and detail["agency_responsible"]
    assert "13912345678" not in json.dumps(detail, ensure_ascii=False) and "王小梅" not in detail["description"]

    # POST in JSON with lat/long, twice with one idempotency key: one request.
    fields = {"service_code": service["service_code"], "lat": LAT, "long": LNG, "description": "路边欠薪讨薪人员聚集。"}
    status, first = client.post_json(fields, HTTP_X_IDEMPOTENCY_KEY="retry-42")
    status_again, again = client.post_json(fields, HTTP_X_IDEMPOTENCY_KEY="retry-42")
    assert status == status_again == 201 and first == again
    assert set(first[0]) == {"service_request_id", "service_notice", "account_id"} and first[0]["account_id"] is None

    listed = client.requests_json(service_code=service["service_code"], status="open")
    assert {r["service_request_id"] for r in listed} == {request_id, first[0]["service_request_id"]}
    assert all(r["status"] == "open" for r in listed)
    assert client.requests_json(service_request_id=request_id)[0]["service_request_id"] == request_id
    assert client.token_json(request_id) == [{"service_request_id": request_id, "token": request_id}]

    # Errors: the list of {code, description}, in both formats.
    bad_status, errors = client.post_json({"service_code": "NO-SUCH-SERVICE", "lat": LAT, "long": LNG,
                                           "description": "测试一下错误。"})
    assert bad_status == 404 and errors[0]["code"] == 404 and errors[0]["description"]
    root = ET.fromstring(Client().get("/open311/v2/requests/NOPE.xml").content)
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"
    root = ET.fromstring(Client().post("/open311/v2/requests.xml", {"service_code": "x"}).content)
    assert root.find("error").findtext("code") == "403"
