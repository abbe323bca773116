"""A petition (信访) runs to a review decision, each step a click in that person's own browser: the petition office
registers a case as a petition and accepts it, issues the written reply (its PDF is read back), the petitioner asks
for a review from their phone, and the review opinion is recorded."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.models import Channel, Party, ServiceType
from fengqiao.org.models import Region
from fengqiao.petitions.models import Petition
from fengqiao.petitions.rules import State
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def petition_staff(demo_site, django_db_blocker):
    """The petition office's demo staff (seeded inside the demo's transaction, rolled back with it)."""
    from fengqiao.petitions.demo import seed_petition_staff

    with django_db_blocker.unblock():
        return seed_petition_staff()


def act(page, move: str, **fields) -> None:
    box = page.locator(f'details[data-action="{move}"]')
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


def test_a_petition_runs_to_a_review_decision(new_page, demo_site, petition_staff):
    from fengqiao.accounts.models import User

    resident = User.objects.get(username="gm_resident")
    case = cs.case_submit(
        channel=Channel.WALK_IN, service_type=ServiceType.COMPLAINT, title="加装电梯影响低层采光",
        description="小区加装电梯后低层住户采光受严重影响，要求业主委员会给予补偿，多次协商未果。",
        region=Region.objects.get(code="440311001001"), applicant_user=resident,
        parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13800138000")],
    )

    office = new_page()
    sign_in(office, demo_site, "gm_petition")
    office.goto(f"/cases/{case.code}/")
    with office.expect_navigation():
        office.locator("[data-register-petition]").click()
    office.locator('select[name="form"]').select_option("visit")
    with office.expect_navigation():
        office.locator("#register-form button[type=submit]").click()
    petition = Petition.objects.get(case=case)
    assert office.url.endswith(f"/petitions/{petition.number}/")
    assert petition.state == State.REGISTERED and petition.petitioners.get().name == "王小梅"

    act(office, "accept", organ="光明区住房建设局")
    act(office, "reply", facts="经查，加装电梯项目已依法取得规划许可，采光影响经第三方测算属实。",
        opinion="责成业主委员会与低层住户协商补偿方案，街道跟进落实。", basis="《深圳市既有住宅加装电梯管理规定》")
    petition.refresh_from_db()
    assert petition.state == State.REPLIED
    link = office.locator('a[data-doc="reply"]')
    pdf = office.request.get(link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(pdf.body())
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "信访事项答复意见书" in text and "王小梅" in text and "深圳市光明区人民政府" in text and "30日内" in text
    assert doc[0].render(scale=1).to_pil().size[0] > 500  # it renders to an image too

    me = new_page(viewport={"width": 375, "height": 812})
    sign_in(me, demo_site, "gm_resident", staff=False)
    me.goto(f"/cases/{case.code}/")
    assert "信访事项已受理，办理机关：光明区住房建设局" in me.content()
    with me.expect_navigation():
        me.locator(f'[data-petitions] a:text("{petition.number}")').click()
    with me.expect_navigation():
        me.locator('section[data-action="request_review"] button').click()
    petition.refresh_from_db()
    assert petition.state == State.REVIEW_REQUESTED

    office.goto(f"/petitions/{petition.number}/")
    act(office, "decide_review", facts="复查查明：补偿协商已启动，原答复意见认定事实清楚。",
        opinion="维持原答复意见，并督促业主委员会30日内拿出补偿方案。", basis="《信访工作条例》")
    petition.refresh_from_db()
    assert petition.state == State.REVIEW_DECIDED
    assert office.locator('a[data-doc="review"]').count() == 1
    me.goto(f"/petitions/{petition.number}/")
    assert me.locator('section[data-action="request_re_review"]').count() == 1
