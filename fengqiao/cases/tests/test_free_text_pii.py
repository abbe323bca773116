"""Personal data written inside free text on the workbench: masked on the case page, in lists and search results
until the recorded reveal; a searched phone number never goes into a URL."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent, Party
from fengqiao.cases.views import SEARCH_TOKENS
from fengqiao.cases.workflow import Action
from fengqiao.intake.qr import png_bytes

pytestmark = pytest.mark.django_db

DESCRIPTION = "老板电话１３８００１３８０００，身份证440311 19900101 1234，车牌粤B·12345，欠薪5000元。"
RAW = ("１３８００１３８０００", "13800138000", "440311 19900101 1234", "粤B·12345", "139.2233.4455", "0755-2740 1234")


def _raw_in(html: str) -> list[str]:
    return [raw for raw in RAW if raw in html]


def _case(make_case, cast, **extra):
    case = make_case(title="欠薪，电话１３８００１３８０００", description=DESCRIPTION, address="光明大道1号 139.2233.4455",
                     **extra)
    cs.case_note(case=case, actor=cast.op_district, text="回电0755-2740 1234无人接听")
    upload = SimpleUploadedFile("欠条-13800138000.png", png_bytes("x"), content_type="image/png")
    cs.case_attach(case=case, actor=cast.op_district, upload=upload)
    return case


def test_the_case_page_masks_free_text_until_the_recorded_reveal(cast, make_case, client_for):
    case = _case(make_case, cast)  # anonymous: no party, only the text holds personal data
    client = client_for(cast.op_district)
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert _raw_in(page) == []
    for shown in ("138****8000", "4403**********1234", "粤B***45", "139****4455", "0755-****1234",
                  "欠条-138****8000.png", "欠薪5000元"):
        assert shown in page, shown
    assert f'action="/cases/{case.code}/reveal/"' in page and "data-text-pii" in page  # offered without parties
    assert not CaseEvent.objects.filter(case=case, action=Action.PII_REVEAL).exists()

    revealed = client.post(reverse("cases:reveal", args=[case.code]), {"reason": "核实欠薪人"}).content.decode()
    assert "１３８００１３８０００" in revealed and "440311 19900101 1234" in revealed and "0755-2740 1234" in revealed
    event = CaseEvent.objects.get(case=case, action=Action.PII_REVEAL)
    assert event.actor == cast.op_district and event.reason == "核实欠薪人"


def test_staff_who_may_not_reveal_only_ever_see_the_mask(cast, make_case, client_for):
    case = _case(make_case, cast)
    page = client_for(cast.station).get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200 and _raw_in(page.content.decode()) == []
    assert client_for(cast.station).post(reverse("cases:reveal", args=[case.code])).status_code == 403


def test_the_resident_page_masks_too(cast, make_case, client_for):
    case = _case(make_case, cast, applicant_user=cast.resident,
                 parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678")])
    cs.case_accept(case=case, actor=cast.op_district)
    page = client_for(cast.resident).get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200 and _raw_in(page.content.decode()) == []


def test_lists_and_home_queues_mask_titles(cast, make_case, client_for):
    case = _case(make_case, cast)
    client = client_for(cast.op_district)
    for url in (reverse("cases:list"), reverse("cases:list") + "?queue=to_review", "/"):
        html = client.get(url).content.decode()
        assert case.code in html and _raw_in(html) == [], url
        assert "欠薪，电话138****8000" in html


def test_a_title_cut_from_the_description_never_shows_half_a_number(cast, make_case, client_for):
    description = "楼下每天晚上施工噪音很大严重影响休息，多次反映没有结果，请回电话13800138000谢谢"
    case = make_case(title="", description=description)
    assert case.title.endswith("…") and "1380013" in case.title  # the stored title holds the start of the number
    html = client_for(cast.op_district).get(reverse("cases:list")).content.decode()
    assert case.code in html and "1380013" not in html


def test_search_by_phone_keeps_the_number_out_of_every_url(cast, make_case, client_for):
    from fengqiao.cases.tests.test_views import applicant, codes_in

    a = make_case(parties=[applicant(phone="13900001111")])
    make_case()
    client = client_for(cast.op_district)
    response = client.post(reverse("cases:list"), {"q": "13900001111", "status": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert "1390000" not in location and "1111" not in location
    token = parse_qs(urlsplit(location).query)["qt"][0]
    assert client.session[SEARCH_TOKENS][token][0] == "13900001111"
    page = client.get(location)
    assert codes_in(page) == {a.code}
    assert 'value="13900001111"' in page.content.decode()  # the search box keeps what was typed (in the body)
    assert "13900001111" not in (page.content.decode().split('rel="next"')[0].rsplit("href=", 1)[-1])

    htmx = client.post(reverse("cases:list"), {"q": "13900001111"}, HTTP_HX_REQUEST="true")
    target = json.loads(htmx["HX-Location"])
    assert target["target"] == "#case-rows" and "1390000" not in target["path"] and "qt=" in target["path"]
    rows = client.get(target["path"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-rows")
    assert codes_in(rows) == {a.code} and "<html" not in rows.content.decode()

    other = client_for(cast.op_district)  # a token is worth nothing in another session
    expired = other.get(location).content.decode()
    assert any(text in expired for text in ("That search has expired", "该搜索已过期")) and a.code not in codes_in(
        other.post(reverse("cases:list"), {"q": "13900009999"}, follow=True))


def test_the_list_form_posts_with_a_csrf_token(cast, client_for):
    html = client_for(cast.op_district).get(reverse("cases:list")).content.decode()
    form = html.split('class="filter-grid"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form and "hx-get" not in form
    assert "csrfmiddlewaretoken" in html.split('class="filter-grid"')[1].split("</form>")[0]


def test_the_caller_lookup_takes_no_phone_in_its_url(cast, client_for):
    client = client_for(cast.op_community)
    assert client.get(reverse("intake:staff_lookup"), {"phone": "13900001111"}).status_code == 405
    assert client.post(reverse("intake:staff_lookup"), {"phone": "13900001111"}).status_code == 200
