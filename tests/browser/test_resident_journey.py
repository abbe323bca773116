"""A resident raises a demand on a phone, follows it and confirms the outcome; a QR code opens a pre-filled form;
an operator takes a hotline call through the staff entry form.

Fields are found by their ids (the labels are Chinese by default and checked by the server tests); the flows go
through the real forms. Staff actions between the resident's steps are done through the services, as a
department's workbench would.
"""

from __future__ import annotations

import os
import re

import pytest

from fengqiao.intake.qr import demo_token, png_bytes
from tests.browser.conftest import staff_sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
HOME_COMMUNITY = "440311001001"
RESIDENT_PHONE = "13922226666"


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "streetlight.png"
    path.write_bytes(png_bytes("https://example.org/streetlight"))
    return path


def resolve_through_services(code: str) -> None:
    from fengqiao.accounts.models import User
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Case
    from fengqiao.org.models import OrgUnit

    case = Case.objects.get(code=code)
    operator = User.objects.get(username="gm_community_op")
    handler = User.objects.get(username="gm_handler_hr")
    cs.case_accept(case=case, actor=operator)
    cs.case_dispatch(case=case, actor=operator, unit=OrgUnit.objects.get(name="光明区人力资源局"))
    cs.case_sign(case=case, actor=handler)
    cs.case_start(case=case, actor=handler)
    cs.case_note(case=case, actor=handler, text="内部：先联系物业经理", internal=True)
    cs.case_resolve(case=case, actor=handler, outcome="resolved", note="物业已更换路灯，今晚起正常照明。")


def test_resident_submits_tracks_adds_information_and_confirms(new_page, demo_site, photo_file):
    from fengqiao.cases.models import Attachment, Case, CaseEvent

    page = new_page(**PHONE)
    page.goto("/report/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.locator('input[name="service_type"][value="complaint"]').check()
    assert page.locator("#dispute-details").is_hidden()  # JS hides what does not apply to a complaint
    page.fill("#id_description", "碧眼新村3栋门口的路灯坏了两个星期，晚上很黑，老人容易摔倒。")
    page.select_option("#id_community", HOME_COMMUNITY)
    page.fill("#id_address", "碧眼新村3栋门口")
    page.set_input_files("#id_files", str(photo_file))
    page.fill("#id_name", "王小梅")
    page.fill("#id_phone", RESIDENT_PHONE)
    page.check("#id_consent")
    page.screenshot(path="/tmp/portal-phone.png", full_page=True)
    page.locator("#submit-report").click()
    page.wait_for_url("**/report/done/**")

    code = page.get_by_test_id("case-code").inner_text().strip()
    assert re.fullmatch(r"GM-\d{4}-\d{6}", code)
    case = Case.objects.get(code=code)
    assert Attachment.objects.filter(case=case).count() == 1
    page.screenshot(path="/tmp/portal-done.png", full_page=True)

    page.get_by_test_id("track-link").click()
    page.wait_for_url(f"**/track/{code}/")
    page.locator('details[data-action="add"] > summary').click()
    page.fill("#id_text", "补充：晚上九点以后最暗，旁边还有一个井盖松动。")
    page.locator('details[data-action="add"] button[type=submit]').click()
    page.wait_for_url(f"**/track/{code}/")
    assert "井盖松动" in page.get_by_test_id("timeline").inner_text()
    assert CaseEvent.objects.filter(case=case, is_public=True, reason__contains="井盖松动").exists()

    resolve_through_services(code)

    # Later, on another device: the code and the last four digits of the phone.
    later = new_page(**PHONE)
    later.goto("/track/")
    later.fill("#id_code", code)
    later.fill("#id_digits", "0000")
    later.locator("main form button.primary").click()
    assert later.locator("#form-errors").is_visible()
    later.fill("#id_digits", RESIDENT_PHONE[-4:])
    later.locator("main form button.primary").click()
    later.wait_for_url(f"**/track/{code}/")
    timeline = later.get_by_test_id("timeline").inner_text()
    assert "物业已更换路灯" in timeline and "先联系物业经理" not in timeline
    later.locator('input[name="satisfaction"][value="satisfied"]').check()
    later.locator('details[data-action="confirm"] button[type=submit]').click()
    later.wait_for_url(f"**/track/{code}/")
    assert later.locator("[data-status]").first.get_attribute("data-status") == "confirmed"
    later.screenshot(path="/tmp/track-phone.png", full_page=True)
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == ("confirmed", "satisfied")


def test_qr_code_url_opens_a_prefilled_form(new_page, demo_site):
    from fengqiao.org.models import QrPlace

    place = QrPlace.objects.get(token=demo_token("光明社区碧眼新村3栋"))
    page = new_page(**PHONE)
    page.goto(f"/report/?place={place.token}")
    assert "光明社区碧眼新村3栋" in page.get_by_test_id("origin").inner_text()
    assert page.locator("#id_community").input_value() == HOME_COMMUNITY
    assert page.locator("#id_address").input_value() == place.address
    assert float(page.locator("#id_latitude").input_value()) == pytest.approx(place.latitude)
    assert page.locator('input[name="place"]').input_value() == place.token

    page.goto("/report/?point=not-a-real-code")
    assert page.get_by_test_id("unknown-code").is_visible()
    assert page.locator("#id_description").is_editable()


def test_operator_takes_a_hotline_call(new_page, demo_site):
    from fengqiao.cases.models import Case, Party

    earlier = Party.objects.filter(case__region__code=HOME_COMMUNITY, role="applicant").exclude(phone="") \
        .select_related("case").order_by("case__submitted_at").first()
    page = new_page()
    staff_sign_in(page, demo_site, "gm_station")
    page.goto("/intake/new/")
    page.locator('input[name="channel"][value="hotline"]').check()
    page.locator("#id_phone").press_sequentially(earlier.phone, delay=10)
    history = page.get_by_test_id("earlier")
    history.wait_for()
    assert earlier.case.code in history.inner_text()  # htmx showed the caller's earlier case before saving
    page.fill("#id_applicant_name", "陈先生")
    page.select_option("#id_service_type", "mediation")
    page.fill("#id_title", "楼上装修噪音扰民")
    page.fill("#id_description", "楼上装修每天早上七点开始电钻，多次沟通无果，请求调解。")
    page.select_option("#id_community", HOME_COMMUNITY)
    page.fill("#id_people_count", "2")
    page.locator("#save-case").click()
    page.wait_for_url(re.compile(r".*/cases/GM-\d{4}-\d{6}/$"))
    code = page.url.rstrip("/").split("/")[-1]
    case = Case.objects.get(code=code)
    assert (case.channel, case.reporter.username) == ("hotline", "gm_station")
    assert case.parties.get(role="applicant").phone == earlier.phone
