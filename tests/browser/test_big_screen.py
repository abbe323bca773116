"""The big screen in the browser: gm_leader opens /screen/, the counters on the wall are what a count made directly
in the database says; a click on the list of areas drills down to a street and then a community, every figure
following and the URL too; a case submitted while the page is open appears in the ticker and the counter without a
reload; the phone layout stacks and keeps the map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Channel, Grade, ServiceType
from fengqiao.org.models import Region
from tests.browser.conftest import staff_sign_in
from tests.browser.test_accessibility import readable, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DISTRICT, STREET = "440311", "440311001"


def _period() -> tuple:
    today = timezone.localdate()
    return today - timedelta(days=29), today


def _received(code: str) -> int:
    """Cases submitted in the default period (the last 30 days, Asia/Shanghai) in the region and below it."""
    start, end = _period()
    region = Region.objects.get(code=code)
    return Case.objects.filter(
        region__path__startswith=region.path, submitted_at__date__gte=start, submitted_at__date__lte=end
    ).count()


def _open(code: str, grade: str | None = None) -> int:
    region = Region.objects.get(code=code)
    cases = Case.objects.open().filter(region__path__startswith=region.path)
    return (cases.filter(grade=grade) if grade else cases).count()


def _counter(page, key: str) -> str:
    return page.locator(f'[data-counter="{key}"] .sc-counter-value').get_attribute("data-value")


def _drawn(page, code: str) -> None:
    """Wait until the page shows region `code` (its figures arrived and were drawn)."""
    page.locator(f'#sc-trail [aria-current="page"][data-region="{code}"]').wait_for(timeout=15_000)
    assert page.evaluate("new URLSearchParams(location.search).get('region')") == code


def test_the_big_screen_counts_drills_down_and_shows_a_new_case_live(new_page, demo_site):
    page = new_page(viewport={"width": 1920, "height": 1080})
    staff_sign_in(page, demo_site, "gm_leader")
    page.goto("/")
    with page.expect_navigation():
        page.locator("[data-testid=home-screen-link]").click()
    assert page.url.endswith("/screen/")
    page.wait_for_function("() => document.body.dataset.state === 'live'", timeout=15_000)

    # the district's figures are the database's
    district = Region.objects.get(code=DISTRICT)
    assert page.locator("#sc-region-name").inner_text() == district.name
    assert int(_counter(page, "received")) == _received(DISTRICT) > 0
    assert int(_counter(page, "open")) == _open(DISTRICT)
    assert int(_counter(page, "open_red")) == _open(DISTRICT, Grade.RED)
    assert int(_counter(page, "open_yellow")) == _open(DISTRICT, Grade.YELLOW)
    start, end = _period()
    assert page.locator("#sc-from").input_value() == start.isoformat()
    assert page.locator("#sc-to").input_value() == end.isoformat()
    violations = serious_violations(page)
    assert not violations, readable(violations)
    streets = set(district.children.values_list("code", flat=True))
    assert {b.get_attribute("data-region") for b in page.locator("#sc-children [data-region]").all()} == streets

    # drill down: the street by its name on the map, then one of its communities from the list of areas below
    page.locator(f'#sc-map [data-region="{STREET}"]').click()
    _drawn(page, STREET)
    assert page.locator("#sc-region-name").inner_text() == Region.objects.get(code=STREET).name
    assert int(_counter(page, "received")) == _received(STREET)
    community = Region.objects.filter(parent__code=STREET).order_by("code").first()
    page.locator(f'#sc-children [data-region="{community.code}"]').click()
    _drawn(page, community.code)
    assert page.locator("#sc-region-name").inner_text() == community.name
    assert int(_counter(page, "received")) == _received(community.code)
    assert int(_counter(page, "open")) == _open(community.code)
    trail = [a.inner_text() for a in page.locator("#sc-trail a").all()]
    assert trail == [district.name, Region.objects.get(code=STREET).name]
    assert f"region={community.code}" in page.url

    # a case submitted while the page is open: in the ticker and the counter within seconds, no reload
    before = int(_counter(page, "received"))
    page.evaluate("window.__screenNotReloaded = true")
    with page.expect_response(lambda r: "/screen/data.json" in r.url):
        pass  # just after a poll: the test thread writes while the server is idle (they share one connection)
    case = cs.case_submit(
        channel=Channel.HOTLINE,
        service_type=ServiceType.MEDIATION,
        title="楼上漏水淹了我家厨房",
        description="楼上住户水管破裂漏水，我家厨房天花板受损，协商未果。",
        region=community,
        grade=Grade.RED,
        people_count=2,
    )
    page.locator(f'#sc-latest [data-case="{case.code}"]').wait_for(timeout=15_000)
    page.wait_for_function(
        """n => document.querySelector('[data-counter="received"] .sc-counter-value').dataset.value == n""",
        arg=str(before + 1),
        timeout=15_000,
    )
    assert page.evaluate("window.__screenNotReloaded") is True
    assert "is-new" in page.locator(f'#sc-latest [data-case="{case.code}"]').get_attribute("class")
    assert int(_counter(page, "open_red")) == _open(community.code, Grade.RED)

    # its grade lowered by the centre: the red counter follows within seconds
    red_before = int(_counter(page, "open_red"))
    with page.expect_response(lambda r: "/screen/data.json" in r.url):
        pass
    operator = get_user_model().objects.get(username="gm_district_op")
    cs.case_regrade(case=case, actor=operator, grade=Grade.YELLOW, reason="已安排维修，风险降低")
    page.wait_for_function(
        """n => document.querySelector('[data-counter="open_red"] .sc-counter-value').dataset.value == n""",
        arg=str(red_before - 1),
        timeout=15_000,
    )
    assert int(_counter(page, "open_yellow")) == _open(community.code, Grade.YELLOW)

    # back up by the breadcrumb: the district again
    page.locator(f'#sc-trail a[data-region="{DISTRICT}"]').click()
    _drawn(page, DISTRICT)
    assert int(_counter(page, "received")) == _received(DISTRICT)


def test_a_backwards_period_is_refused_in_place_and_a_silent_server_is_told(new_page, demo_site):
    page = new_page(viewport={"width": 1920, "height": 1080})
    staff_sign_in(page, demo_site, "gm_leader")
    page.goto("/screen/")
    page.wait_for_function("() => document.body.dataset.state === 'live'", timeout=15_000)
    shown = _counter(page, "received")
    page.fill("#sc-from", "2026-06-30")
    page.fill("#sc-to", "2026-06-01")
    page.locator("#sc-apply").click()
    errors = page.locator("#sc-period-errors")
    errors.wait_for(state="visible")
    assert errors.inner_text().strip()
    assert _counter(page, "received") == shown  # the last figures stay
    assert "2026-06-30" not in page.url  # the screen goes on with the period it showed

    # the server stops answering: the page says so and keeps the last figures; it recovers by itself
    page.route("**/screen/data.json*", lambda route: route.abort())
    page.wait_for_function("() => document.body.dataset.state === 'offline'", timeout=15_000)
    assert page.locator("#sc-live-text").inner_text().strip()
    assert _counter(page, "received") == shown
    page.unroute("**/screen/data.json*")
    page.wait_for_function("() => document.body.dataset.state === 'live'", timeout=15_000)

    # a bookmark naming an unknown area: the reason, and the viewer's own district instead
    page.goto("/screen/?region=999999999")
    page.locator("#sc-period-errors").wait_for(state="visible")
    page.locator(f'#sc-trail [aria-current="page"][data-region="{DISTRICT}"]').wait_for(timeout=15_000)
    assert "999999999" not in page.url


def test_the_phone_layout_stacks_and_keeps_the_map(new_page, demo_site):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    staff_sign_in(page, demo_site, "gm_leader")
    page.goto("/screen/")
    page.wait_for_function("() => document.body.dataset.state === 'live'", timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#sc-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 250
    assert page.locator(".sc-map .leaflet-interactive, .sc-map .sc-pin, .sc-map .sc-cluster").count() > 0
    violations = serious_violations(page)
    assert not violations, readable(violations)
