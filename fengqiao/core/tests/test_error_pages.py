"""Friendly error pages in both languages (also with DEBUG on, as in the demo) and the favicon."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

HEADINGS_404 = {"zh-hans": "找不到这个页面", "en": "We cannot find this page"}
PORTAL = {"zh-hans": "前往群众服务入口", "en": "Go to the residents' portal"}


def client_in(lang: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.cookies["django_language"] = lang
    return client


def assert_not_the_debug_page(page: str) -> None:
    assert "URLconf" not in page
    assert "admin/" not in page  # no URL pattern is listed
    assert "DEBUG = True" not in page


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_unknown_address_shows_the_friendly_404(settings, lang, debug):
    settings.DEBUG = debug
    response = client_in(lang).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert HEADINGS_404[lang] in page
    assert f'<html lang="{lang}">' in page
    assert PORTAL[lang] in page and 'href="/report/"' in page  # a resident's way back
    assert_not_the_debug_page(page)


def test_a_view_that_finds_nothing_shows_the_friendly_404_with_debug_on(settings):
    settings.DEBUG = True
    response = client_in("en").get("/files/999999999/")  # attachment_download raises Http404
    assert response.status_code == 404
    assert HEADINGS_404["en"] in response.content.decode()
    assert_not_the_debug_page(response.content.decode())


def test_a_signed_in_person_is_sent_back_to_their_home_page(settings, client_for, cast):
    settings.DEBUG = True
    page = client_in("en", client_for(cast.op_district)).get("/no-such-page/").content.decode()
    assert 'href="/"' in page and "Back to the home page" in page
    assert PORTAL["en"] not in page


def test_a_developer_may_ask_for_djangos_404(settings):
    settings.DEBUG = True
    settings.FQ_DEBUG_404 = True
    page = client_in("en").get("/no-such-page/").content.decode()
    assert "URLconf" in page


def test_a_missing_slash_is_still_redirected_with_debug_on(settings):
    settings.DEBUG = True
    response = client_in("en").get("/report")
    assert response.status_code == 301 and response.url == "/report/"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_page_shows_the_friendly_403(client_for, cast, lang):
    response = client_in(lang, client_for(cast.resident)).get("/cases/")  # residents have no workbench
    page = response.content.decode()
    assert response.status_code == 403
    assert {"zh-hans": "您无权打开此页面", "en": "You may not open this page"}[lang] in page
    assert {"zh-hans": "返回首页", "en": "Back to the home page"}[lang] in page
    assert PORTAL[lang] in page and 'href="/report/"' in page  # a resident also finds the portal


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_failure_shows_the_standalone_500_page(settings, lang, django_assert_num_queries):
    settings.ROOT_URLCONF = "fengqiao.core.tests.urls_boom"
    client = client_in(lang)
    client.raise_request_exception = False
    with django_assert_num_queries(0):  # the database may be what failed
        response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert {"zh-hans": "我们这边出了问题", "en": "Something went wrong on our side"}[lang] in page
    assert f'<html lang="{lang}">' in page
    assert "Traceback" not in page and "RuntimeError" not in page


def test_a_bad_request_page_renders(rf):
    from fengqiao.core.errors import bad_request

    request = rf.get("/")
    request.user = AnonymousUser()
    response = bad_request(request)
    assert response.status_code == 400
    assert "无法理解这个请求" in response.content.decode()


def test_favicon_is_an_image_at_the_conventional_address():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_the_svg_favicon(client):
    page = client.get("/report/").content.decode()
    assert 'rel="icon" href="/static/fq/favicon.svg" type="image/svg+xml"' in page
    with open(finders.find("fq/favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")
