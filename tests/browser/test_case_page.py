"""The staff case page in the browser, in both languages: an operator refuses an extension with a reason (and is
told, next to the box, when they forgot it); every form has its own ids; stored choices read as words; titles cut
with "…" show the whole text on hover; a case placed only by its community is drawn round that community."""

from __future__ import annotations

import pytest

from fengqiao.cases import services as cs
from fengqiao.cases.geo import region_point
from fengqiao.cases.models import Case, Channel, Outcome, Satisfaction, ServiceType
from fengqiao.cases.workflow import Action
from fengqiao.org.models import OrgUnit, Region
from tests.browser.test_login_roles import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGS = ["zh-hans", "en"]
HOME_COMMUNITY = "440311001001"  # 光明社区: the demo has QR-code places with positions there
BARE_COMMUNITY = "440311006001"  # 薯田埔社区: nothing on the map places it
LONG = ("我在光明社区一家电子厂工作，工厂已经拖欠我和二十多名同事三个月的工资，老板一直说下个月发，"
        "请帮忙协调解决，谢谢。")
TEXT = {
    "zh-hans": {"refuse": "不同意", "reason_label": "理由（不同意时必填）", "missing": "请说明不同意延期的理由。",
                "refused": "不同意", "outcome": "部分化解", "satisfaction": "基本满意", "approximate": "近似位置"},
    "en": {"refuse": "Refuse", "reason_label": "Reason (required when you refuse)",
           "missing": "Say why the extension is refused.", "refused": "Refused", "outcome": "Partly resolved",
           "satisfaction": "Basically satisfied", "approximate": "approximate"},
}

# Every id on the page once; every label, aria-describedby and aria-labelledby names an element that is there.
IDS_PROBLEMS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  const refs = [...document.querySelectorAll('label[for]')].map(l => l.htmlFor);
  document.querySelectorAll('[aria-describedby],[aria-labelledby]').forEach(e =>
    refs.push(...((e.getAttribute('aria-describedby') || '') + ' ' + (e.getAttribute('aria-labelledby') || ''))
      .split(/\\s+/).filter(Boolean)));
  return {duplicates: [...new Set(dup)], dangling: refs.filter(id => !document.getElementById(id))};
}"""


def in_language(page, lang: str) -> None:
    """Switch with the site's own switcher in the top bar (it sets the language cookie)."""
    if page.locator("html").get_attribute("lang") != lang:
        page.locator(f'button[data-lang="{lang}"]').click()
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")


def submit_case(community: str = HOME_COMMUNITY, **fields) -> Case:
    values = {"channel": Channel.WEB, "service_type": ServiceType.MEDIATION, "title": "", "description": LONG,
              "region": Region.objects.get(code=community)}
    values.update(fields)
    return cs.case_submit(**values)


def signed_for(case: Case) -> Case:
    from fengqiao.accounts.models import User

    op, hr = User.objects.get(username="gm_community_op"), User.objects.get(username="gm_handler_hr")
    cs.case_accept(case=case, actor=op)
    cs.case_dispatch(case=case, actor=op, unit=OrgUnit.objects.get(name="光明区人力资源局"))
    cs.case_sign(case=case, actor=hr)
    return case


@pytest.mark.parametrize("lang", LANGS)
def test_an_operator_refuses_an_extension_and_is_told_next_to_the_box_when_the_reason_is_missing(
        new_page, demo_site, lang):
    from fengqiao.accounts.models import User

    case = signed_for(submit_case())
    cs.case_extension_request(case=case, actor=User.objects.get(username="gm_handler_hr"),
                              reason="需要劳动监察大队立案调查工厂账目", days=3)
    text = TEXT[lang]
    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    in_language(page, lang)
    page.goto(f"/cases/{case.code}/")
    assert page.evaluate(IDS_PROBLEMS) == {"duplicates": [], "dangling": []}

    box = page.locator(f'details[data-action="{Action.EXTENSION_DECIDE}"]')
    box.locator("summary").click()
    assert "需要劳动监察大队立案调查工厂账目" in box.inner_text()  # what is being decided
    box.get_by_label(text["reason_label"]).wait_for()  # the box is there, and its label names it
    page.get_by_label(text["reason_label"]).wait_for()  # … and no other form's label takes that name
    box.locator('select[name="approve"]').select_option(label=text["refuse"])
    box.get_by_role("button").click()

    error = page.locator(f"#act-{Action.EXTENSION_DECIDE}-reason_error")
    error.wait_for()
    assert error.inner_text() == text["missing"]
    reason = page.get_by_label(text["reason_label"])
    assert reason.evaluate("(el) => el.parentElement.contains(document.getElementById(el.id + '_error'))")
    assert f"act-{Action.EXTENSION_DECIDE}-reason_error" in reason.get_attribute("aria-describedby")
    assert page.evaluate(IDS_PROBLEMS) == {"duplicates": [], "dangling": []}
    assert not case.events.filter(action=Action.EXTENSION_DECIDE).exists()

    box = page.locator(f'details[data-action="{Action.EXTENSION_DECIDE}"]')
    assert box.get_attribute("open") is not None  # the form with the error stays unfolded
    reason.fill("账目调查可与处置同步进行，不影响按期办结。")
    assert box.locator('select[name="approve"]').input_value() == "no"  # the refusal was kept
    box.get_by_role("button").click()
    page.locator(".timeline .event-extension_decide").wait_for()
    decision = case.events.get(action=Action.EXTENSION_DECIDE)
    assert (decision.data["approved"], decision.reason) == (False, "账目调查可与处置同步进行，不影响按期办结。")
    line = page.locator(".timeline .event-extension_decide")
    assert text["refused"] in line.inner_text() and "账目调查可与处置同步进行" in line.inner_text()
    page.locator("#case-map path").nth(1).wait_for()  # the page htmx swapped in draws its map again


def test_every_label_on_a_handlers_case_page_leads_to_its_own_box(new_page, demo_site):
    case = signed_for(submit_case())
    page = new_page()
    sign_in(page, demo_site, "gm_handler_hr")
    page.goto(f"/cases/{case.code}/")
    assert page.evaluate(IDS_PROBLEMS) == {"duplicates": [], "dangling": []}
    boxes = page.locator('details.action:has(textarea[name="reason"])')
    assert boxes.count() >= 3  # 退单, 进展反馈, 申请延期, 内部备注 … each with a reason box
    for i in range(boxes.count()):
        details = boxes.nth(i)
        details.locator("summary").click()
        details.locator('label[for$="-reason"]').click()  # a label click puts the cursor in the box it names
        focused = page.evaluate("document.activeElement.closest('details') && "
                                "document.activeElement.closest('details').dataset.action")
        assert focused == details.get_attribute("data-action")


@pytest.mark.parametrize("lang", LANGS)
def test_stored_choices_read_as_words_and_cut_titles_show_the_whole_text(new_page, demo_site, lang):
    from fengqiao.accounts.models import User

    case = signed_for(submit_case())
    cs.case_resolve(case=case, actor=User.objects.get(username="gm_handler_hr"), outcome=Outcome.PARTLY,
                    note="已补发一个月工资，其余分期支付。")
    cs.case_confirm(case=case, actor=User.objects.get(username="gm_community_op"),
                    satisfaction=Satisfaction.BASICALLY_SATISFIED, by="return_visit")
    case.refresh_from_db()
    assert case.title.endswith("…") and len(case.title) == 40
    text = TEXT[lang]
    page = new_page()
    sign_in(page, demo_site, "gm_community_op")
    in_language(page, lang)

    page.goto(f"/cases/?q={case.code}")
    shown = page.locator(f'tr[data-code="{case.code}"] .case-title')
    assert shown.inner_text().endswith("…")
    assert shown.get_attribute("title") == LONG  # the whole text on hover

    page.goto(f"/cases/{case.code}/")
    assert page.locator('dd[data-field="outcome"]').inner_text() == text["outcome"]
    assert page.locator('dd[data-field="satisfaction"]').inner_text() == text["satisfaction"]
    body = page.locator("main").inner_text()
    assert "partly" not in body and "basically_satisfied" not in body
    assert page.locator(".description").inner_text() == LONG  # the case page shows the whole demand


@pytest.mark.parametrize("lang", LANGS)
def test_a_case_placed_only_by_its_community_is_drawn_round_that_community(new_page, demo_site, lang):
    placed = submit_case(HOME_COMMUNITY)
    bare = submit_case(BARE_COMMUNITY)
    exact = submit_case(HOME_COMMUNITY, latitude=22.7600, longitude=113.9000)
    centre = region_point(Region.objects.get(code=HOME_COMMUNITY))
    assert centre is not None  # the demo's QR-code places in 光明社区 have positions
    page = new_page()
    sign_in(page, demo_site, "gm_district_op")
    in_language(page, lang)
    map_centre = "(() => { const c = document.getElementById('case-map').fqMap.getCenter(); return [c.lat, c.lng]; })()"

    page.goto(f"/cases/{placed.code}/")
    note = page.locator("#map-note")
    assert note.get_attribute("data-position") == "approximate"
    assert "光明社区" in note.inner_text() and TEXT[lang]["approximate"] in note.inner_text()
    page.wait_for_function("document.getElementById('case-map').fqMap !== undefined")
    page.locator("#case-map path").nth(1).wait_for()  # the district outline and the circle round the community
    lat, lng = page.evaluate(map_centre)
    assert abs(lat - centre[0]) < 0.001 and abs(lng - centre[1]) < 0.001

    page.goto(f"/cases/{bare.code}/")
    assert page.locator("#map-note").get_attribute("data-position") == "none"
    assert "薯田埔社区" in page.locator("#map-note").inner_text()

    page.goto(f"/cases/{exact.code}/")
    assert page.locator("#map-note").get_attribute("data-position") == "exact"
    page.locator("#case-map path").nth(1).wait_for()  # the outline and the case's own dot
    assert page.locator("#case-map path[stroke-dasharray]").count() == 0  # no "approximate" circle
