"""discovery, services and service definitions, in JSON and XML, and their errors."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Category
from fengqiao.org.models import Region, RegionLevel

from .conftest import BASE, FORMATS, errors_of, parse, xml_records

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_and_its_formats(api, fmt, settings):
    response = api.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body["contact"] and body["key_service"] and body["changeset"]
        endpoint = body["endpoints"][0]
        formats = endpoint["formats"]
    else:
        assert body.tag == "discovery" and body.findtext("contact") and body.findtext("key_service")
        node = body.find("endpoints/endpoint")
        endpoint = {child.tag: child.text for child in node if child.tag != "formats"}
        formats = [f.text for f in node.findall("formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == settings.FQ_PUBLIC_BASE_URL.rstrip("/") + "/open311/v2"
    assert endpoint["type"] == "test"
    assert sorted(formats) == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_leaf_categories(api, categories, fmt):
    response = api.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    services = body if fmt == "json" else xml_records(body)
    if fmt == "xml":
        assert body.tag == "services" and all(item.tag == "service" for item in body)
    leaves = Category.objects.filter(children__isnull=True)
    assert len(services) == leaves.count() == 68
    wages = next(s for s in services if s["service_name"] == "劳资纠纷")
    assert wages["service_code"] == Category.objects.get(name="劳资纠纷").code
    assert wages["group"] == "矛盾纠纷" and wages["type"] == "realtime"
    assert wages["metadata"] in (True, "true")
    assert "劳资纠纷" in wages["keywords"]
    assert not any(s["service_name"] == "矛盾纠纷" for s in services)  # first-level labels are groups, not services


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes(api, categories, fmt):
    code = Category.objects.get(name="劳资纠纷").code
    response = api.get(f"{BASE}/services/{code}.{fmt}", {"jurisdiction_id": "440311"})
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body["service_code"] == code
        attributes = body["attributes"]
    else:
        assert body.tag == "service_definition" and body.findtext("service_code") == code
        attributes = []
        for node in body.findall("attributes/attribute"):
            item = {child.tag: child.text for child in node if child.tag != "values"}
            values = [{"key": v.findtext("key"), "name": v.findtext("name")} for v in node.findall("values/value")]
            if node.find("values") is not None:
                item["values"] = values
            item["order"], item["variable"] = int(item["order"]), item["variable"] == "true"
            item["required"] = item["required"] == "true"
            attributes.append(item)
    by_code = {a["code"]: a for a in attributes}
    assert list(by_code) == ["community", "service_type", "people_count", "amount"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4]
    assert all(a["variable"] is True and a["required"] is False and a["description"] for a in attributes)
    assert by_code["people_count"]["datatype"] == by_code["amount"]["datatype"] == "number"
    assert "values" not in by_code["amount"]
    assert by_code["service_type"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in by_code["service_type"]["values"]} == {
        "mediation", "legal", "psychological", "assistance", "complaint"}
    communities = by_code["community"]["values"]
    guangming = Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith="440311")
    assert {v["key"] for v in communities} == set(guangming.values_list("code", flat=True))
    assert {"key": "440311001001", "name": "光明街道 光明社区"} in communities


def test_without_a_jurisdiction_the_communities_of_every_district_are_offered(api, categories):
    code = Category.objects.get(name="劳资纠纷").code
    attributes = api.get(f"{BASE}/services/{code}.json").json()["attributes"]
    keys = {v["key"] for v in attributes[0]["values"]}
    assert any(k.startswith("440303") for k in keys) and any(k.startswith("440311") for k in keys)
    assert {"key": "440311001001", "name": "光明区 光明街道 光明社区"} in attributes[0]["values"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_is_404(api, categories, fmt):
    response = api.get(f"{BASE}/services/NOPE.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "service_code “NOPE” was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_first_level_category_is_not_a_service(api, categories, fmt):
    response = api.get(f"{BASE}/services/{Category.objects.get(name='矛盾纠纷').code}.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_jurisdiction_is_404(api, categories, fmt):
    for url in (f"{BASE}/services.{fmt}", f"{BASE}/requests.{fmt}"):
        response = api.get(url, {"jurisdiction_id": "999999"})
        assert response.status_code == 404
        assert errors_of(response, fmt) == [(404, "jurisdiction_id “999999” was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_method_is_refused_in_the_error_format(api, fmt):
    response = api.post(f"{BASE}/services.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert errors_of(response, fmt) == [(405, "Method POST is not allowed here.")]


def test_an_unknown_format_is_404_in_json(api):
    response = api.get(f"{BASE}/services.html")
    assert response.status_code == 404
    assert errors_of(response, "json") == [(404, "Unknown format: use .json or .xml.")]


def test_answers_are_chinese_unless_the_client_asks_for_english(categories):
    from django.test import Client

    body = Client().get(f"{BASE}/services/NOPE.json").json()
    assert body[0]["code"] == 404 and "NOPE" in body[0]["description"]
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").get(f"{BASE}/services/NOPE.json").json()
    assert english[0]["description"] == "service_code “NOPE” was not found."
