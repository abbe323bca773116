"""The resident's side on a phone (390×844), in Chinese and English: the front door, the community list, the
confirmation after an anonymous demand, the tracking page's plain words, shortened titles, and the form's own
words for a text that is too long."""

from __future__ import annotations

import os

import pytest

from fengqiao.intake.qr import demo_token
from tests.browser.test_accessibility import readable, serious_violations

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SHOTS = os.environ.get("FQ_SHOTS", "")
LANGUAGES = ["zh-hans", "en"]


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def in_language(page, language: str) -> None:
    """Switch with the site's own switcher (the page starts in Chinese)."""
    if language == "en":
        page.locator('button[data-lang="en"]').click()
        page.wait_for_function("document.documentElement.lang === 'en'")


def fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_front_door_is_the_resident_portal(new_page, demo_site, language):
    page = new_page(**PHONE)
    page.goto("/")
    in_language(page, language)
    assert page.url.rstrip("/") == demo_site.rstrip("/")
    report, track = page.get_by_test_id("portal-report"), page.get_by_test_id("portal-track")
    expected = {"zh-hans": ("我要反映", "查询办理进度", "工作人员登录"), "en": ("Raise a demand", "Follow my demand",
                                                                     "Staff sign-in")}[language]
    assert expected[0] in report.inner_text() and expected[1] in track.inner_text()
    staff = page.get_by_test_id("staff-signin")
    assert staff.inner_text() == expected[2]
    # the two ways in come first and are bigger than the staff link
    assert report.bounding_box()["y"] < staff.bounding_box()["y"]
    assert report.bounding_box()["height"] > 2 * staff.bounding_box()["height"]
    assert report.bounding_box()["y"] + report.bounding_box()["height"] < 844  # on the first screen
    assert fits_the_phone(page)
    assert not (found := serious_violations(page)), readable(found)
    shot(page, f"door-{language}")
    report.click()
    page.wait_for_url("**/report/")
    page.goto("/")
    staff.click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_community_list_starts_where_the_qr_code_is_and_can_be_searched(new_page, demo_site, language):
    page = new_page(**PHONE)
    page.goto(f"/report/?place={demo_token('光明社区碧眼新村3栋')}")
    in_language(page, language)
    labels = page.locator("#id_community optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert labels[0].startswith("光明区") and any(label.startswith("罗湖区") for label in labels)
    total = page.locator("#id_community option[value]:not([value=''])").count()
    search = page.locator("#community-search")
    assert search.is_visible()
    search.fill("凤凰")
    shown = page.locator("#id_community option[value]:not([value=''])").evaluate_all(
        "os => os.map(o => [o.textContent, o.parentElement.label, o.selected])")
    assert 0 < len(shown) < total
    assert not (found := serious_violations(page)), readable(found)
    # each option left matches by its name or its street, except the community the QR code chose (kept)
    assert all("凤凰" in name or "凤凰" in group or selected for name, group, selected in shown)
    assert [name for name, _group, selected in shown if selected] == ["光明社区"]
    shot(page, f"community-search-{language}")
    search.fill("不存在的地方")
    assert page.locator("#community-search-status").inner_text()  # says nothing matches
    search.fill("")
    assert page.locator("#id_community option[value]:not([value=''])").count() == total
    assert fits_the_phone(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_after_an_anonymous_demand_says_one_thing(new_page, demo_site, language):
    page = new_page(**PHONE)
    page.goto("/report/")
    in_language(page, language)
    page.locator('input[name="service_type"][value="complaint"]').check()
    page.fill("#id_description", "公园里的路灯坏了两个星期，晚上很黑，希望尽快修好。")
    page.select_option("#id_community", "440311001001")
    page.locator('input[name="identity"][value="anonymous"]').check()
    page.check("#id_consent")
    page.locator("#submit-report").click()
    page.wait_for_url("**/report/done/**")
    steps = page.get_by_test_id("next-steps")
    text = page.locator(".done-card").inner_text()
    assert steps.get_attribute("data-follow") == "browser"
    for phrase in ("手机号码后四位", "任何设备", "last four digits", "any device"):
        assert phrase not in text
    assert ("本浏览器" if language == "zh-hans" else "this browser") in text
    assert fits_the_phone(page)
    shot(page, f"done-anonymous-{language}")


def _dispatched_as_suggested() -> tuple[str, str]:
    """A Guangming wage case sent to 光明区人力资源局 by accepting the responsibility list's suggestion."""
    from fengqiao.accounts.models import User
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Case, Channel, Party, ServiceType
    from fengqiao.org.models import Region
    from fengqiao.routing.services import resolve_category
    from fengqiao.triage import services as ts
    from fengqiao.triage.models import Part

    case = cs.case_submit(
        channel=Channel.WEB, service_type=ServiceType.MEDIATION, category=resolve_category("劳动和社会保障"),
        title="", description="公司拖欠我们三个月工资共计四万五千元，老板一直说下个月发，"
                              "已经找过很多次了，希望有关部门帮我们讨回工资，谢谢。",
        region=Region.objects.get(code="440311001001"),
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="李师傅", phone="13922227777")])
    ts.triage_accept(case=case, actor=User.objects.get(username="gm_community_op"), part=Part.UNIT)
    case = Case.objects.get(pk=case.pk)
    return case.code, case.events.get(action="dispatch").reason


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tracking_page_tells_a_suggested_dispatch_in_plain_words(new_page, demo_site, language):
    code, internal = _dispatched_as_suggested()
    assert internal  # staff keep the rule reference on their timeline
    page = new_page(**PHONE)
    page.goto("/track/")
    in_language(page, language)
    page.fill("#id_code", code)
    page.fill("#id_digits", "7777")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/track/{code}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    plain = {"zh-hans": "已分拨至光明区人力资源局", "en": "Sent to 光明区人力资源局"}[language]
    assert plain in timeline
    for internal_words in (internal, "职责清单", "按建议", "Responsibility list", "As suggested", "%"):
        assert internal_words not in timeline
    assert fits_the_phone(page)
    shot(page, f"track-dispatched-{language}")
    # the title made from a long description is shortened with "…"; the whole text is on the page
    heading = page.locator("#case-title").inner_text()
    assert heading.endswith("…") and len(heading) <= 40
    description = page.get_by_test_id("description")
    description.locator("summary").click()
    assert "希望有关部门帮我们讨回工资，谢谢。" in description.inner_text()
    assert description.inner_text().split("\n")[-1].startswith(heading[:-1])
    assert "谢谢" in page.locator("#case-title [title]").get_attribute("title")  # and on hover
    assert not (found := serious_violations(page)), readable(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_too_long_text_gets_the_forms_own_words(new_page, demo_site, language):
    page = new_page(**PHONE)
    page.goto("/report/")
    in_language(page, language)
    page.locator('input[name="service_type"][value="complaint"]').check()
    page.fill("#id_description", "路灯坏了，晚上很黑。")
    page.select_option("#id_community", "440311001001")
    page.evaluate("() => document.getElementById('id_address').removeAttribute('maxlength')")  # e.g. an old browser
    page.fill("#id_address", "碧眼新村" * 60)
    page.fill("#id_name", "王小梅")
    page.fill("#id_phone", "13922225555")
    page.check("#id_consent")
    page.locator("#submit-report").click()
    page.wait_for_load_state()
    error = page.locator("#field-address .field-error").inner_text()
    expected = {"zh-hans": "内容过长：您写了240个字，这里最多200个字", "en": "This is too long: you wrote 240 characters"}
    assert expected[language] in error
    assert "Ensure this value" not in error and "确保该值" not in error
    shot(page, f"too-long-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_my_demands_shortens_long_titles_with_an_ellipsis_and_the_whole_text_on_hover(new_page, demo_site, language):
    from fengqiao.accounts.models import User
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Channel, ServiceType
    from fengqiao.core.demo import DEMO_PASSWORD
    from fengqiao.org.models import Region

    resident = User.objects.get(username="gm_resident")
    description = ("我家楼上邻居每天晚上十一点以后还在装修敲墙，已经持续了一个多月，孩子没法睡觉，"
                   "和物业说了好几次都没有用，希望社区帮忙协调解决。")
    case = cs.case_submit(channel=Channel.WEB, service_type=ServiceType.MEDIATION, title="", description=description,
                          region=Region.objects.get(code="440311001001"), applicant_user=resident)
    page = new_page(**PHONE)
    page.goto("/accounts/login/?next=/my/")
    in_language(page, language)
    page.fill("#id_username", "gm_resident")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/my/")
    row = page.locator(f'a.code:text-is("{case.code}")').locator("xpath=..")
    title = row.locator(".case-title")
    assert title.inner_text().endswith("…") and len(title.inner_text()) <= 40
    assert title.get_attribute("title") == description
    assert fits_the_phone(page)
    shot(page, f"my-demands-{language}")
