"""QR codes of service points and QR places: SVG, PNG, the printable sheet and the demo places."""

import pytest
from django.conf import settings
from django.urls import reverse

from fengqiao.core.demo import DEMO_QR_PLACES, seed_qr_places
from fengqiao.intake import qr
from fengqiao.org.models import QrPlace, Region, ServicePoint

from .conftest import HOME_COMMUNITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def point():
    return ServicePoint.objects.filter(region__code=HOME_COMMUNITY).order_by("name").first()


@pytest.fixture
def place():
    return qr_place_save_demo()


def qr_place_save_demo():
    return qr.qr_place_save(name="光明社区碧眼新村3栋", region=Region.objects.get(code=HOME_COMMUNITY),
                            address="光明街道碧眼新村3栋", token=qr.demo_token("光明社区碧眼新村3栋"))


def test_report_url_carries_the_token(point, place):
    base = settings.FQ_PUBLIC_BASE_URL.rstrip("/")
    assert qr.report_url(point=point.token) == f"{base}/report/?point={point.token}"
    assert qr.report_url(place=place.token) == f"{base}/report/?place={place.token}"


def test_point_svg_encodes_the_report_url(anon, point):
    response = anon.get(reverse("intake:qr_code", args=["point", point.token, "svg"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    expected_url = f"{settings.FQ_PUBLIC_BASE_URL.rstrip('/')}/report/?point={point.token}"
    assert response.content == qr.svg_bytes(expected_url)
    assert response.content != qr.svg_bytes(expected_url + "x")
    assert b"<svg" in response.content


def test_place_png(anon, place):
    response = anon.get(reverse("intake:qr_code", args=["place", place.token, "png"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response.content == qr.png_bytes(qr.report_url(place=place.token))


def test_unknown_or_inactive_token_is_404(anon, place):
    assert anon.get("/qr/point/nope.svg").status_code == 404
    QrPlace.objects.filter(pk=place.pk).update(is_active=False)
    assert anon.get(reverse("intake:qr_code", args=["place", place.token, "png"])).status_code == 404


def test_sheet_pdf_for_staff(cast, client_for, place):
    client = client_for(cast.op_community)
    response = client.get(reverse("intake:qr_sheet_pdf"), {"region": "440311001"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"STSong-Light" not in response.content  # no font left to chance
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(response.content)[0].get_textpage().get_text_range()
    assert "光明" in text  # the places' names, in the embedded CJK font
    assert client.get(reverse("intake:qr_sheet_pdf"), {"region": "000"}).status_code == 404


def test_sheet_page_lists_each_code_with_its_link(cast, client_for, point, place):
    html = client_for(cast.op_community).get(reverse("intake:qr_sheet"), {"region": HOME_COMMUNITY}).content.decode()
    assert f">{qr.report_url(point=point.token)}</a>" in html
    assert f">{qr.report_url(place=place.token)}</a>" in html
    assert point.name in html and place.name in html


def test_sheet_needs_a_staff_login(anon, cast, client_for):
    response = anon.get(reverse("intake:qr_sheet_pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(cast.resident).get(reverse("intake:qr_sheet_pdf")).status_code == 403
    assert client_for(cast.outsider).get(reverse("intake:qr_sheet")).status_code == 403


def test_printables_cover_every_active_point_of_a_region(place):
    street = Region.objects.get(code="440311001")
    items = qr.printables(street)
    points = ServicePoint.objects.filter(region__path__startswith=street.path, is_active=True)
    assert {i.token for i in items if i.kind == "point"} == set(points.values_list("token", flat=True))
    assert place.token in {i.token for i in items if i.kind == "place"}
    assert all(p.token for p in ServicePoint.objects.all())


def test_demo_places_are_idempotent_with_fixed_tokens():
    seed_qr_places()
    first = dict(QrPlace.objects.values_list("name", "token"))
    seed_qr_places()
    assert dict(QrPlace.objects.values_list("name", "token")) == first
    assert set(first) == {name for name, *_rest in DEMO_QR_PLACES}
    assert first["光明社区碧眼新村3栋"] == qr.demo_token("光明社区碧眼新村3栋")
