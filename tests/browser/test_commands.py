"""Commands in the browser (发令报到): the street centre's operator issues an urgent command from the case page, the
centre's head signs it; the HR bureau checks in on site (the phone gives its position), the housing bureau online with
one staff member — flagged below the rank, too few, online — and the operator, whose page is already open, sees the
flags appear without reloading; a command whose clock has run out gets a late check-in, flagged live too; the centre
confirms the command fulfilled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fengqiao.cases.geo import case_position
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import TERMINAL_STATES
from fengqiao.commands import services as svc
from fengqiao.commands.models import Command, CommandTarget, Flag, Level
from fengqiao.org.models import OrgUnit
from tests.browser.conftest import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HR, HOUSING, STREET = "光明区人力资源局", "光明区住房建设局", "光明街道群众诉求服务大厅"


def _open_case() -> Case:
    return (Case.objects.filter(region__path__contains="/440311001/", mediations__isnull=True, commands__isnull=True)
            .exclude(status__in=TERMINAL_STATES).exclude(status="submitted").order_by("pk").first())


def test_issue_sign_check_in_flags_live_and_confirm(new_page, demo_site):
    case = _open_case()
    place = case_position(case)
    hr, housing = OrgUnit.objects.get(name=HR), OrgUnit.objects.get(name=HOUSING)

    operator = new_page()
    staff_sign_in(operator, demo_site, "gm_street_op")
    operator.goto(f"/cases/{case.code}/")
    operator.locator("[data-action=command] summary").click()
    operator.select_option("#id_level", Level.URGENT)
    operator.select_option("#id_units", [str(hr.pk), str(housing.pk)])
    operator.fill("#id_instructions", "工人聚集讨薪，请两部门30分钟内到场处置，科级以上领导带队。")
    with operator.expect_navigation():
        operator.locator("[data-action=command] button.primary").click()
    command = Command.objects.get(case=case)
    assert operator.url.endswith(f"/commands/{command.number}/")
    assert command.status == Command.Status.AWAITING_SIGNATURE

    head = new_page()
    staff_sign_in(head, demo_site, "gm_street_head")
    head.goto(f"/commands/{command.number}/")
    with head.expect_navigation():
        head.locator("#sign").click()
    command.refresh_from_db()
    assert command.status == Command.Status.ISSUED and command.due_at == command.issued_at + timedelta(minutes=30)

    operator.goto(f"/commands/{command.number}/")  # stays open from here on: no reload below
    hr_row = operator.locator(f"#targets tr[data-target='{HR}']")
    assert hr_row.get_attribute("data-status") == "waiting"

    chief = new_page(geolocation={"latitude": place.latitude + 0.0005, "longitude": place.longitude},
                     permissions=["geolocation"])
    staff_sign_in(chief, demo_site, "gm_hr_chief")
    chief.goto(f"/commands/{command.number}/")
    form = chief.locator("form[data-checkin]")
    form.locator("input[value=on_site]").check()
    handler = get_user_model().objects.get(username="gm_handler_hr")
    form.locator(f"input[name$=people][value='{handler.pk}']").check()
    with chief.expect_navigation():
        form.locator("button.primary").click()
    hr_target = command.targets.get(unit=hr)
    assert hr_target.status == CommandTarget.Status.CHECKED_IN and hr_target.flags == []
    assert hr_target.checkin.distance_m is not None and hr_target.checkin.distance_m < 100

    clerk = new_page()
    staff_sign_in(clerk, demo_site, "gm_handler_housing")
    clerk.goto(f"/commands/{command.number}/")
    form = clerk.locator("form[data-checkin]")
    form.locator("input[value=online]").check()
    with clerk.expect_navigation():
        form.locator("button.primary").click()
    housing_target = command.targets.get(unit=housing)
    assert set(housing_target.flags) == {Flag.UNDER_RANKED, Flag.SHORT_HANDED, Flag.ONLINE}

    # the operator's page, never reloaded, shows both check-ins and the flags within the polling interval
    operator.wait_for_function(
        f"""() => document.querySelector("#targets tr[data-target='{HOUSING}']").dataset.status === 'checked_in'""",
        timeout=15_000)
    assert hr_row.get_attribute("data-status") == "checked_in"
    housing_row = operator.locator(f"#targets tr[data-target='{HOUSING}']")
    assert housing_row.locator(".flag-under_ranked").count() == 1
    assert housing_row.locator(".flag-short_handed").count() == 1
    assert operator.locator("#thread li").count() >= 5

    operator.locator("[data-action=confirm] summary").click()
    with operator.expect_navigation():
        operator.locator("[data-action=confirm] button.primary").click()
    command.refresh_from_db()
    assert command.status == Command.Status.FULFILLED  # everybody checked in: no reason needed


def test_a_late_check_in_is_flagged_live(new_page, demo_site):
    case = _open_case()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["gm_street_head"])}
    street, hr = OrgUnit.objects.get(name=STREET), OrgUnit.objects.get(name=HR)
    command = svc.command_issue(case=case, actor=users["gm_street_head"], issuer_unit=street, level=Level.URGENT,
                                units=[hr], instructions="请30分钟内到场。",
                                at=timezone.now() - timedelta(minutes=45))

    operator = new_page()
    staff_sign_in(operator, demo_site, "gm_street_op")
    operator.goto(f"/commands/{command.number}/")

    chief = new_page()
    staff_sign_in(chief, demo_site, "gm_hr_chief")
    chief.goto(f"/commands/{command.number}/")
    form = chief.locator("form[data-checkin]")
    form.locator("input[value=online]").check()
    with chief.expect_navigation():
        form.locator("button.primary").click()
    assert Flag.LATE in command.targets.get(unit=hr).flags

    operator.locator(f"#targets tr[data-target='{HR}'] .flag-late").wait_for(timeout=15_000)
