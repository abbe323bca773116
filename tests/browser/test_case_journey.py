"""One case, every role's screen: submitted → accepted → dispatched → returned (退单) → re-dispatched →
signed → extension asked and approved → resolved → reopened by the resident (不满意重办) → resolved →
confirmed by the resident → closed. Each step is a click in that person's own browser session."""

from __future__ import annotations

import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Party, ServiceType
from fengqiao.cases.workflow import Action, Status
from fengqiao.org.models import Region
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def act(page, code: str, action: str, **fields) -> None:
    """Open the case page, unfold the action, fill its fields by name, submit, and wait for the page to settle."""
    page.goto(f"/cases/{code}/")
    box = page.locator(f'details[data-action="{action}"]')
    box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f'[name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(str(value))
    with page.expect_navigation():
        box.locator('button[type="submit"]').click()
    assert page.locator(".msg-error").count() == 0, page.locator(".messages").inner_text()


def status(code: str) -> str:
    return Case.objects.get(code=code).status


def test_a_case_goes_round_the_whole_loop_through_every_role(new_page, demo_site):
    from fengqiao.accounts.models import User

    resident = User.objects.get(username="gm_resident")
    station = User.objects.get(username="gm_station")
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.MEDIATION, title="工厂拖欠三个月工资",
        description="我在光明社区一家电子厂工作，工厂已拖欠我和同事三个月工资，请帮忙协调。",
        region=Region.objects.get(code="440311001001"), reporter=station, applicant_user=resident,
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000")],
    )
    code = case.code

    operator = new_page()
    sign_in(operator, demo_site, "gm_community_op")
    operator.goto(f"/cases/{code}/")
    operator.wait_for_selector("#case-map path")  # the district outline is drawn without any tile server
    act(operator, code, "accept")
    assert status(code) == Status.ACCEPTED
    act(operator, code, "dispatch", unit="光明区住房建设局")
    assert status(code) == Status.DISPATCHED

    housing = new_page()
    sign_in(housing, demo_site, "gm_handler_housing")
    act(housing, code, "return", reason="欠薪属于人力资源部门职责，非本局职责。")
    assert status(code) == Status.RETURNED

    act(operator, code, "redispatch", unit="光明区人力资源局", reason="改派人力资源局处理欠薪。")
    assert status(code) == Status.DISPATCHED

    hr = new_page()
    sign_in(hr, demo_site, "gm_handler_hr")
    act(hr, code, "sign")
    act(hr, code, "extension_request", days=3, reason="需要劳动监察大队立案调查工厂账目。")
    act(operator, code, "extension_decide", approve="同意")
    act(hr, code, "resolve", outcome="已化解", reason="已责令工厂补发工资，首期已到账。")
    assert status(code) == Status.RESOLVED

    me = new_page(viewport={"width": 390, "height": 844})
    sign_in(me, demo_site, "gm_resident", password="Fengqiao-2026", staff=False)
    me.goto(f"/cases/{code}/")
    assert "劳动监察" not in me.content()  # the extension reason is internal: residents never see it
    act(me, code, "reopen", reason="只补发了一个月，还欠两个月。")
    assert status(code) == Status.IN_PROGRESS

    act(hr, code, "resolve", outcome="已化解", reason="剩余两个月工资已全部补发。")
    act(me, code, "confirm", satisfaction="满意")
    assert status(code) == Status.CONFIRMED
    act(operator, code, "close")

    case = Case.objects.get(code=code)
    assert case.status == Status.CLOSED and case.reopen_count == 1 and case.satisfaction == "satisfied"
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    for expected in (Action.RETURN, Action.REDISPATCH, Action.EXTENSION_REQUEST, Action.EXTENSION_DECIDE,
                     Action.REOPEN, Action.CONFIRM, Action.CLOSE):
        assert expected in actions
    assert case.events.get(action=Action.RETURN).actor.username == "gm_handler_housing"
    assert case.events.get(action=Action.CONFIRM).data == {"by": "resident"}
