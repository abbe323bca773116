"""A person signs in through the real forms and lands on the home page of their role.

One Chromium for the module, a fresh context (cookies) per person. The page speaks Chinese
by default, so labels are found by their Chinese text: this also checks that every form
field is labelled and that the translations are compiled.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from fengqiao.core.demo import DEMO_PASSWORD
from fengqiao.org.models import Role
from tests.browser.conftest import fresh_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# demo login -> (role shown on the home page, unit named there)
DEMO_ROLES = {
    "gm_admin": (Role.ADMINISTRATOR, "光明区群众诉求服务大厅"),
    "gm_auditor": (Role.AUDITOR, "光明区群众诉求服务大厅"),
    "gm_leader": (Role.LEADER, "光明区群众诉求服务大厅"),
    "gm_district_op": (Role.OPERATOR, "光明区群众诉求服务大厅"),
    "gm_street_op": (Role.OPERATOR, "光明街道群众诉求服务大厅"),
    "gm_community_op": (Role.OPERATOR, "光明社区群众诉求服务中心"),
    "gm_station": (Role.STATION_STAFF, "光明社区群众诉求服务中心"),
    "gm_handler_hr": (Role.HANDLER, "光明区人力资源局"),
    "gm_court": (Role.COURT_CLERK, "光明区法院"),
    "gm_grid": (Role.GRID_WORKER, "光明社区群众诉求服务中心"),
    "gm_volunteer": (Role.VOLUNTEER, "光明社区群众诉求服务中心"),
    "gm_mediator": (Role.MEDIATOR, "光明街道人民调解委员会"),
    "lh_operator": (Role.OPERATOR, "罗湖区综治中心"),
    "gm_resident": ("resident", None),
}


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def sign_in(page, base: str, username: str, *, password: str = DEMO_PASSWORD, staff: bool = True) -> None:
    """Through the real forms: password, then (staff) the current TOTP code; ends on the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    if staff:
        page.wait_for_url("**/accounts/2fa/**")
        assert page.locator("h1").inner_text() == "确认是您本人"
        page.get_by_label("6位验证码").fill(fresh_token(username))
        page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("username", list(DEMO_ROLES))
def test_each_demo_role_signs_in_and_sees_its_section(new_page, demo_site, username):
    from fengqiao.accounts.models import User
    from fengqiao.cases.selectors import queue_cases

    role, unit = DEMO_ROLES[username]
    page = new_page()
    sign_in(page, demo_site, username, staff=role != "resident")

    section = page.locator(f'section[data-role="{role}"]')
    assert section.count() == 1
    heading = section.locator("h2").inner_text()
    if role == "resident":
        assert heading == "我的诉求"
        assert section.locator(".case-row").count() >= 1  # the demo resident raised cases
        assert section.locator(".status").first.inner_text() != ""
    else:
        assert heading == zh(Role(role).label)
        assert unit in section.locator(".units").inner_text()
        user = User.objects.get(username=username)
        for card in section.locator("[data-queue]").all():
            slug = card.get_attribute("data-queue")
            assert card.locator(".count").inner_text() == str(queue_cases(user, slug).count()), slug
            assert card.locator("a.queue-link").get_attribute("href") == f"/cases/?queue={slug}"
    if role == Role.ADMINISTRATOR:
        assert section.get_by_role("link", name="打开管理后台").get_attribute("href") == "/admin/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    if username == "gm_district_op":
        page.screenshot(path="/tmp/home.png", full_page=True)


def test_language_switch_to_english_and_back(new_page, demo_site):
    page = new_page()
    sign_in(page, demo_site, "gm_handler_housing")
    section = page.locator('section[data-role="handler"]')
    assert section.locator("h2").inner_text() == "部门承办人"

    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert section.locator("h2").inner_text() == "Department handler"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    assert page.locator('[data-queue="to_sign"] .queue-label').inner_text() == "To sign for"

    page.get_by_role("button", name="中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert section.locator("h2").inner_text() == "部门承办人"
    assert page.locator('[data-queue="to_sign"] .queue-label').inner_text() == "待签收"


def test_wrong_password_shows_an_error(new_page, demo_site):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("gm_lawyer")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    alert = page.get_by_role("alert")
    assert "密码" in alert.inner_text()
    assert page.url.startswith(f"{demo_site}/accounts/login/")
    assert page.get_by_label("用户名").get_attribute("aria-invalid") == "true"
    page.goto("/")  # not signed in: the front door is the resident portal, with the staff sign-in link
    assert page.locator('[data-testid="staff-signin"]').is_visible()
    assert page.locator(".whoami").count() == 0


def test_wrong_second_factor_code_keeps_the_user_out(new_page, demo_site):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("gm_elder")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/2fa/**")
    good = fresh_token("gm_elder")
    page.get_by_label("6位验证码").fill(f"{(int(good) + 500_000) % 1_000_000:06d}")
    page.get_by_role("button", name="验证", exact=True).click()
    error = page.locator(".field-error")
    assert "验证码不正确" in error.inner_text()
    assert page.get_by_label("6位验证码").get_attribute("aria-invalid") == "true"
    page.goto("/")
    assert "/accounts/2fa/" in page.url
    assert page.locator("[data-role]").count() == 0


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_tab_from_the_top_reaches_the_skip_link_first(new_page, demo_site, path):
    page = new_page()
    if path == "/":
        sign_in(page, demo_site, "gm_resident", staff=False)
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["skip-link", "跳转到主要内容"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # shown on screen while it has focus
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_phone_home_has_no_horizontal_scroll(new_page, demo_site):
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto("/accounts/login/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    sign_in(page, demo_site, "gm_judge")
    assert page.locator('section[data-role="mediator"] .case-row').count() > 0  # real content, not an empty page
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 390
    page.screenshot(path="/tmp/home-phone.png", full_page=True)
