"""The demo's sign-in page offers a TOTP code that works, or says to wait for the next one.

A code works once (django-otp keeps the step of the last accepted code in ``TOTPDevice.last_t``), so a
second sign-in within the same 30-second step must not be shown the spent code. The server's clock is
moved with time-machine (the live server runs in this process); the browser's own clock runs on.
"""

from __future__ import annotations

import re
import time

import pytest

from fengqiao.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME = "gm_station"
TEXT = {
    "zh-hans": {"code": "6位验证码", "verify": "验证", "wait": "下一个验证码将在"},
    "en": {"code": "6-digit code", "verify": "Verify", "wait": "The next code comes in"},
}


def password_step(page, lang: str) -> None:
    page.goto("/accounts/login/")
    if lang == "en" and page.locator("html").get_attribute("lang") != "en":
        page.locator('button[data-lang="en"]').click()
        page.wait_for_function("document.documentElement.lang === 'en'")
    page.locator('input[name="username"]').fill(USERNAME)
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    page.locator('button[type="submit"]').last.click()
    page.wait_for_url("**/accounts/2fa/**")


def submit_shown_code(page, base: str, lang: str) -> str:
    code = page.locator(".demo-token").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    page.get_by_label(TEXT[lang]["code"]).fill(code)
    page.get_by_role("button", name=TEXT[lang]["verify"], exact=True).click()
    page.wait_for_url(f"{base}/")
    return code


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_second_sign_in_in_one_step_waits_for_the_next_code_and_that_code_works(
    new_page, demo_site, settings, time_machine, lang
):
    settings.FQ_DEMO = True
    step_start = (int(time.time()) // 30 + 20) * 30  # a step ten minutes ahead (cookies stay valid)
    time_machine.move_to(step_start + 1, tick=True)

    first = new_page()
    password_step(first, lang)
    assert first.locator(".demo-wait").count() == 0
    spent = submit_shown_code(first, demo_site, lang)

    time_machine.move_to(step_start + 25, tick=False)  # same step, clock held: that code is spent
    second = new_page()
    password_step(second, lang)
    assert second.locator(".demo-token").count() == 0
    assert spent not in second.locator("main").inner_text()  # no misleading code
    note = second.locator(".demo-wait")
    assert TEXT[lang]["wait"] in note.inner_text()
    assert note.locator(".demo-countdown").inner_text() == "5"
    time_machine.move_to(step_start + 26, tick=True)  # the clock runs again (a second ahead of the countdown)

    # the page refreshes itself when the next code arrives, and that code signs in
    second.locator(".demo-token").wait_for(timeout=15_000)
    assert second.locator(".demo-wait").count() == 0
    fresh = submit_shown_code(second, demo_site, lang)
    assert fresh != spent
