"""In the browser, under the Content-Security-Policy: the pages whose scripts moved to static files still work and
the browser reports no blocked script; a member of staff who lost their phone signs in with a recovery code."""

from __future__ import annotations

import pytest
from django.utils import translation

from fengqiao.accounts.models import User
from fengqiao.accounts.recovery import recovery_codes_issue
from fengqiao.cases.models import Case
from fengqiao.core.demo import DEMO_PASSWORD
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def watch_policy(page) -> list[str]:
    """Console messages and page errors about the Content-Security-Policy, collected as they come."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_resident_pages_run_their_scripts_under_the_policy(new_page, demo_site):
    page = new_page(locale="zh-CN")
    blocked = watch_policy(page)
    response = page.goto("/report/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("#show-map").click()  # shown by report.js (a static file, not inline)
    page.wait_for_selector("#pick-map.leaflet-container")  # and Leaflet drew the map
    page.goto("/track/")
    page.goto("/accounts/login/")
    assert blocked == []


def test_staff_pages_with_scripts_work_under_the_policy(new_page, demo_site):
    page = new_page(locale="zh-CN")
    blocked = watch_policy(page)
    staff_sign_in(page, demo_site, "gm_district_op")
    case = Case.objects.exclude(latitude=None).first()
    page.goto(f"/cases/{case.code}/")
    page.wait_for_selector(".leaflet-container")  # case_map.js read its JSON data block and drew the map
    page.goto("/cases/")
    assert blocked == []


def test_the_petition_filter_applies_on_change_without_inline_script(new_page, demo_site):
    page = new_page(locale="en-GB")
    blocked = watch_policy(page)
    staff_sign_in(page, demo_site, "gm_petition")  # the demo's petition office
    page.goto("/petitions/")
    page.select_option("#state", "all")  # data-autosubmit (fq/autosubmit.js) submits the form
    page.wait_for_url("**/petitions/?state=all")
    assert blocked == []


def test_staff_signs_in_with_a_recovery_code_once(new_page, demo_site):
    user = User.objects.get(username="gm_district_op")
    codes = recovery_codes_issue(user=user)
    page = new_page(locale="zh-CN")
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/accounts/2fa/**")
    with translation.override("zh-hans"):
        page.get_by_text(translation.gettext("Lost your phone? Use a recovery code")).click()
        page.get_by_label(translation.gettext("Recovery code"), exact=True).fill(codes[0])
        page.get_by_role("button", name=translation.gettext("Sign in with a recovery code")).click()
        page.wait_for_url(f"{demo_site}/")
        left = translation.ngettext("Signed in with a recovery code. It cannot be used again; %(n)d code is left.",
                                    "Signed in with a recovery code. It cannot be used again; %(n)d codes are left.",
                                    9) % {"n": 9}
    assert left in page.content()
