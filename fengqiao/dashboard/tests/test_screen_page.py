"""The big screen's page (/screen/): who gets it, what it hands its script (settings, labels in the viewer's
language, the question in the URL), and that it holds no inline script."""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/screen/"


def _json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


def test_the_url_is_named():
    assert reverse("dashboard:screen") == URL


@pytest.mark.parametrize("who", ["leader", "op_district", "op_street", "auditor"])
def test_leaders_centre_staff_and_auditors_get_the_page(who, cast, client_for):
    response = client_for(getattr(cast, who)).get(URL)
    assert response.status_code == 200
    assert 'id="sc-map"' in response.content.decode()


@pytest.mark.parametrize("who", ["handler", "mediator", "grid", "volunteer", "court", "resident", "outsider"])
def test_others_do_not_see_it(who, cast, client_for):
    assert client_for(getattr(cast, who)).get(URL).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_hands_its_script_the_question_the_data_url_and_the_labels(cast, client_for):
    client = client_for(cast.leader)
    html = client.get(
        URL, {"region": "440311001", "from": "2026-11-01", "to": "2026-11-30"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    config = _json_script(html, "screen-config")
    assert config["dataUrl"] == reverse("dashboard:data") == "/screen/data.json"
    assert (config["region"], config["from"], config["to"]) == ("440311001", "2026-11-01", "2026-11-30")
    assert config["pageUrl"] == URL
    assert config["pollSeconds"] == 5
    assert config["timeZone"] == "Asia/Shanghai"
    labels = _json_script(html, "screen-labels")
    assert labels["wan"] == "万" and labels["wan_yuan"] == "万元"
    assert {"received", "resolved", "offline", "level_red", "no_warnings"} <= set(labels)


def test_labels_follow_the_language(cast, client_for):
    client = client_for(cast.leader)
    client.cookies["django_language"] = "en"
    english = _json_script(client.get(URL).content.decode(), "screen-labels")
    client.cookies["django_language"] = "zh-hans"
    chinese = _json_script(client.get(URL).content.decode(), "screen-labels")
    assert english["received"] == "Received"
    assert chinese["received"] != "Received"


def test_counters_are_drawn_by_the_script_into_named_boxes(cast, client_for):
    html = client_for(cast.leader).get(URL).content.decode()
    for key in (
        "received",
        "resolved",
        "resolution_rate",
        "on_time_rate",
        "people",
        "money",
        "judicial_confirmations",
        "open",
        "open_red",
        "open_yellow",
    ):
        assert f'data-counter="{key}"' in html


def test_without_a_tile_server_the_map_has_none(cast, client_for):
    html = client_for(cast.leader).get(URL).content.decode()
    assert 'data-tiles=""' in html


@override_settings(FQ_MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png", FQ_MAP_ATTRIBUTION="© Example & co")
def test_a_configured_tile_server_reaches_the_map(cast, client_for):
    html = client_for(cast.leader).get(URL).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Example &amp; co"' in html


def test_no_inline_script(cast, client_for):
    html = client_for(cast.leader).get(URL).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
