"""A resident books a mediator on a phone (375×812): the directory, a filter, a free time, the form, the
confirmation with the booking code — and the mediator's committee has the case."""

from __future__ import annotations

import os
import random

import pytest
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.mediation.demo_bookings import seed_bookings
from fengqiao.mediation.models import Booking
from tests.browser.test_accessibility import readable, serious_violations

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


SHOTS = os.environ.get("FQ_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 375


def test_a_resident_books_a_mediator_on_a_phone(new_page, demo_site):
    from fengqiao.accounts.models import User

    seed_bookings(random.Random(7), timezone.now())
    page = new_page(**PHONE)
    page.goto("/")
    page.get_by_test_id("portal-mediators").click()
    page.wait_for_url("**/mediators/")
    assert page.locator(".mediator-card").count() >= 5
    assert fits_the_phone(page)
    shot(page, "mediators-directory")
    assert not (found := serious_violations(page)), readable(found)
    # filter: labour disputes, 4 stars or more → the lawyer (rated in the demo)
    page.locator(".filters > summary").click()
    page.select_option("#id_specialty", "labour")
    page.get_by_test_id("filter-submit").click()
    page.wait_for_url("**/mediators/?*specialty=labour*")
    cards = page.locator(".mediator-card")
    assert cards.count() >= 1
    lawyer = page.locator('.mediator-card[data-mediator="gm_lawyer"]')
    assert "曾子涵" in lawyer.inner_text() and "13912345603" not in page.content()
    lawyer.locator("a.button").click()
    page.wait_for_url("**/mediators/*/")
    assert fits_the_phone(page)
    shot(page, "mediators-mediator")
    first = page.locator("a.slot").first
    slot_key = first.get_attribute("data-slot")
    first.click()
    page.wait_for_url("**/book/?at=*")
    page.fill("#id_name", "何小兰")
    page.fill("#id_phone", "139 2233 4455")
    page.select_option("#id_specialty", "labour")
    page.fill("#id_matter", "公司拖欠我三个月工资共1.5万元，多次讨要无果，希望调解。")
    page.check("#id_consent")
    assert fits_the_phone(page)
    assert not (found := serious_violations(page)), readable(found)
    shot(page, "mediators-book")
    page.get_by_test_id("book-submit").click()
    page.wait_for_url("**/mediators/booked/*/")
    code = page.get_by_test_id("booking-code").inner_text().strip()
    assert fits_the_phone(page)
    assert not (found := serious_violations(page)), readable(found)
    shot(page, "mediators-booked")
    booking = Booking.objects.select_related("case", "mediator__user", "mediator__unit").get(code=code)
    assert booking.phone == "13922334455" and booking.status == Booking.Status.BOOKED
    assert timezone.localtime(booking.starts_at).strftime("%Y%m%d%H%M") == slot_key
    assert page.get_by_test_id("case-code").inner_text().strip() == booking.case.code
    # the mediator's committee has the case, and the mediator sees it
    mediator = User.objects.get(username="gm_lawyer")
    assert booking.case.holder_unit == booking.mediator.unit
    assert Case.objects.visible_to(mediator).filter(pk=booking.case.pk).exists()
    # the booked time is no longer offered
    page.goto(f"/mediators/{booking.mediator.pk}/")
    assert page.locator(f'a.slot[data-slot="{slot_key}"]').count() == 0
    # the booking page: code + phone, then move and cancel are offered
    page.goto("/mediators/booking/")
    page.fill("#id_code", code)
    page.fill("#id_phone", "13922334455")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"**/mediators/booking/{code}/")
    assert page.get_by_test_id("move-form").count() == 1 and page.get_by_test_id("cancel-form").count() == 1
    assert fits_the_phone(page)
    shot(page, "mediators-booking")
