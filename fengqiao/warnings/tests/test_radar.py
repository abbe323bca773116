"""The radar's loop: raising, updating instead of duplicating, notifying on a level rise, the closed loop with its
reasons, recurrence after closing, the cost of a pass, the hook in case_submit, the pages and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, Category, Party
from fengqiao.notifications.models import Notification
from fengqiao.org.models import Region
from fengqiao.warnings import hooks, rules
from fengqiao.warnings import selectors as sel
from fengqiao.warnings import services as svc
from fengqiao.warnings.detectors import Signal
from fengqiao.warnings.models import RadarCase, ThresholdOverride, Warning, WarningCase, WarningEvent

GM = "440311"
HOME = "440311001001"  # 光明街道 光明社区
WAGE_TEXT = "我们在{site}工地干活，老板拖欠三个月工资一直不发，工友们多次讨要无果，请帮忙协调。"
THIRD_TEXT = "{site}餐饮店突然关门，老板失联，我们服务员和厨师两个月工资和押金都拿不回来。"
OTHER_TEXT = "{site}物流园的仓库说倒闭就倒闭了，搬运工和分拣员半年的加班费和社保都没给结清。"


@pytest.fixture
def gm(db):
    return Region.objects.get(code=GM)


@pytest.fixture
def labour(catalogue):
    return Category.objects.filter(name__contains="劳动").first()


@pytest.fixture
def wage_burst(make_case, labour):
    """wage_burst(n, company, site, start=0, at=None) -> cases: n workers against one company, each their phone."""
    phones = iter(range(1000, 9999))

    def make(
        n: int,
        company: str = "深圳市华强建筑有限公司",
        site: str = "华强",
        at=None,
        community: str = HOME,
        text: str = WAGE_TEXT,
    ):
        at = at or timezone.now()
        cases = []
        for i in range(n):
            cases.append(
                make_case(
                    community,
                    title="讨薪",
                    description=text.format(site=site),
                    category=labour,
                    submitted_at=at - timedelta(minutes=10 * i),
                    parties=[
                        cs.PartyInput(role=Party.PartyRole.APPLICANT, name="张师傅", phone=f"1390000{next(phones)}"),
                        cs.PartyInput(role=Party.PartyRole.RESPONDENT, name=company, kind=Party.Kind.ORGANISATION),
                    ],
                )
            )
        return cases

    return make


def _soon():
    return timezone.now() + timedelta(minutes=1)


# --- the lean row and the hook ----------------------------------------------------------------------------------


def test_a_submission_writes_the_lean_row_with_keys_never_the_phone(wage_burst, gm):
    (case,) = wage_burst(1)
    row = RadarCase.objects.get(case=case)
    assert (row.district, row.place, row.street, row.category) == (gm, HOME, "440311001", case.category.code)
    assert row.respondent == "华强建筑"
    assert row.complainant and "1390000" not in row.complainant and len(row.complainant) == 32
    assert row.fingerprint != 0 and row.submitted_at == case.submitted_at
    # the same phone gives the same key, another phone another key
    assert (
        svc.complainant_key("139-0000-1000") == svc.complainant_key("13900001000") != svc.complainant_key("13900001001")
    )


def test_a_failing_radar_never_loses_a_submission(make_case, monkeypatch):
    def broken(case, parties):
        raise RuntimeError("radar down")

    monkeypatch.setattr(svc, "radar_case_record", broken)
    case = make_case(HOME, description="小区门口道路破损，多次反映未修复。")
    assert Case.objects.filter(pk=case.pk).exists() and not RadarCase.objects.filter(case=case).exists()


class _FakeTask:
    def __init__(self, enqueue):
        self.enqueue = enqueue


def test_a_submission_enqueues_one_pass_per_district_per_minute(
    make_case, monkeypatch, django_capture_on_commit_callbacks
):
    from fengqiao.warnings import tasks

    cache.clear()
    enqueued = []
    monkeypatch.setattr(tasks, "run_radar_district", _FakeTask(enqueued.append))
    with django_capture_on_commit_callbacks(execute=True):
        first = make_case(HOME)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(HOME)
    assert enqueued == [first.region.district.pk]


def test_a_failing_enqueue_does_not_fail_the_submission(make_case, monkeypatch, django_capture_on_commit_callbacks):
    from fengqiao.warnings import tasks

    cache.clear()

    def broken(district_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "run_radar_district", _FakeTask(broken))
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(HOME)
    assert Case.objects.filter(pk=case.pk).exists()
    assert hooks.radar_soon(case.region.district.pk) is False  # debounced: no second try within the minute


# --- a pass: raise, update, notify -------------------------------------------------------------------------------


def test_a_burst_raises_one_warning_and_notifies_the_leaders_and_owner(wage_burst, gm, cast):
    wage_burst(6)
    result = svc.radar_run(gm, _soon())
    assert len(result.raised) == 1 and not result.updated
    warning = Warning.objects.get()
    assert (warning.state, warning.count, warning.place.code) == ("open", 6, HOME)
    assert warning.key.startswith("respondent:") and warning.evidence.count() == 6
    assert warning.owner_unit is not None
    assert list(warning.events.order_by("id").values_list("action", flat=True)) == ["raised"]
    notices = Notification.objects.filter(key=f"warning:{warning.pk}:{warning.level}")
    assert cast.leader.pk in set(notices.values_list("recipient_id", flat=True))
    assert "1390000" not in "".join(notices.values_list("body", flat=True))


def test_a_second_pass_over_the_same_cases_writes_nothing(wage_burst, gm):
    wage_burst(6)
    now = _soon()
    svc.radar_run(gm, now)
    with CaptureQueriesContext(connection) as queries:
        again = svc.radar_run(gm, now)
    assert (again.raised, again.updated, again.unchanged) == ([], [], 1)
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert Warning.objects.count() == 1 and WarningEvent.objects.count() == 1


def test_new_evidence_updates_the_open_warning_instead_of_raising_another(wage_burst, gm):
    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    more = wage_burst(3, at=timezone.now())
    result = svc.radar_run(gm, _soon() + timedelta(minutes=1))
    assert result.updated == [warning.pk] and not result.raised
    warning.refresh_from_db()
    assert Warning.objects.count() == 1 and warning.count == 9
    assert set(WarningCase.objects.filter(warning=warning).values_list("case_id", flat=True)) >= {c.pk for c in more}
    assert list(warning.events.order_by("id").values_list("action", flat=True)) == ["raised", "updated"]


def _signal(case_ids, level="yellow", key="place:440311001001:C07", count=None):
    now = timezone.now()
    return Signal(
        kind="burst",
        key=key,
        level=level,
        place=HOME,
        category="",
        respondent="",
        case_ids=tuple(case_ids),
        series=((now.date().isoformat(), len(case_ids)),),
        reason={"msg": "test burst"},
        started_at=now - timedelta(hours=1),
        count=count or len(case_ids),
    )


def test_only_a_level_rise_notifies_again(make_case, gm, cast, monkeypatch):
    cases = [make_case(HOME) for _ in range(3)]
    ids = [c.pk for c in cases]
    emitted = [_signal(ids[:2], "yellow")]
    monkeypatch.setattr(svc, "_detect", lambda records, **kw: emitted)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    leader_notices = Notification.objects.filter(recipient=cast.leader, key__startswith=f"warning:{warning.pk}:")
    assert leader_notices.count() == 1
    emitted[:] = [_signal(ids, "yellow")]  # more evidence, same level: updated, nobody disturbed
    svc.radar_run(gm, _soon())
    assert leader_notices.count() == 1
    emitted[:] = [_signal(ids, "red")]  # the level rises: the leaders hear of it again
    svc.radar_run(gm, _soon())
    warning.refresh_from_db()
    assert warning.level == "red" and leader_notices.count() == 2
    assert leader_notices.filter(kind="warning_red").exists()
    emitted[:] = [_signal(ids, "yellow")]  # a lower level never lowers the warning
    svc.radar_run(gm, _soon())
    warning.refresh_from_db()
    assert warning.level == "red"
    assert list(warning.events.order_by("id").values_list("action", flat=True)) == ["raised", "updated", "escalated"]


def test_two_passes_racing_keep_one_warning(make_case, gm, monkeypatch):
    """The loser of a race (its view of the open warnings is stale) updates the winner's warning."""
    ids = [make_case(HOME).pk for _ in range(2)]
    monkeypatch.setattr(svc, "_detect", lambda records, **kw: [_signal(ids)])
    svc.radar_run(gm, _soon())
    monkeypatch.setattr(svc, "_open_warnings", lambda district, keys: {})  # read before the winner committed
    result = svc.radar_run(gm, _soon())
    monkeypatch.undo()
    assert not result.raised and Warning.objects.count() == 1


def test_district_thresholds_are_data(wage_burst, gm):
    wage_burst(6)
    ThresholdOverride.objects.create(
        district=gm,
        values={"respondent_min_count": 50, "cluster_min_size": 50, "burst_min_count": 50, "collective_min_people": 50},
    )
    assert svc.thresholds_for(gm).respondent_min_count == 50
    assert svc.radar_run(gm, _soon()).raised == []


def test_a_pass_costs_the_same_queries_whatever_the_number_of_cases(wage_burst, gm):
    wage_burst(6, company="深圳市甲建筑有限公司", site="甲")
    svc.radar_run(gm, _soon())
    wage_burst(6, company="深圳市乙物流有限公司", site="乙", community="440311002001", text=OTHER_TEXT)
    with CaptureQueriesContext(connection) as small:
        second = svc.radar_run(gm, _soon())
    wage_burst(40, company="深圳市丙餐饮有限公司", site="丙", community="440311003001", text=THIRD_TEXT)
    with CaptureQueriesContext(connection) as large:
        third = svc.radar_run(gm, _soon())
    assert (len(second.raised), second.updated, len(third.raised), third.updated) == (1, [], 1, []), (second, third)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the closed loop -----------------------------------------------------------------------------------------------


def test_the_loop_acknowledge_act_close_each_with_its_event(wage_burst, gm, cast):
    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    with pytest.raises(ValidationError):  # acting before acknowledging
        svc.warning_record_action(warning=warning, actor=cast.leader, action="约谈企业负责人")
    svc.warning_acknowledge(warning=warning, actor=cast.leader, note="已知悉")
    with pytest.raises(ValidationError):
        svc.warning_record_action(warning=warning, actor=cast.leader, action="  ")
    with pytest.raises(ValidationError):  # resolved with nothing done
        svc.warning_close(warning=warning, actor=cast.leader, outcome="resolved", result="已解决")
    svc.warning_record_action(warning=warning, actor=cast.leader, action="约谈企业负责人，督促三日内发放工资")
    with pytest.raises(ValidationError):
        svc.warning_close(warning=warning, actor=cast.leader, outcome="resolved", result="")
    with pytest.raises(ValidationError):
        svc.warning_close(warning=warning, actor=cast.leader, outcome="whatever", result="已发放")
    closed = svc.warning_close(warning=warning, actor=cast.leader, outcome="resolved", result="工资已全部发放")
    assert (closed.state, closed.closed_by, closed.actions, closed.outcome) == ("closed", cast.leader, 1, "resolved")
    assert list(warning.events.order_by("id").values_list("action", flat=True)) == [
        "raised",
        "acknowledged",
        "action",
        "closed",
    ]
    with pytest.raises(ValidationError):  # closed stays closed
        svc.warning_acknowledge(warning=warning, actor=cast.leader)


def test_who_may_take_which_step(wage_burst, gm, cast):
    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    for outsider in (cast.luohu_op, cast.handler_other, cast.auditor, cast.station):
        with pytest.raises(PermissionDenied):
            svc.warning_acknowledge(warning=warning, actor=outsider)
    owner_member = cast.handler if warning.owner_unit_id == cast.handler.memberships.get().unit_id else None
    if owner_member is not None:  # the suggested owner acknowledges and acts, but closing is the centre's
        svc.warning_acknowledge(warning=warning, actor=owner_member)
        with pytest.raises(PermissionDenied):
            svc.warning_close(warning=warning, actor=owner_member, outcome="false_alarm", result="误报")
    svc.warning_close(
        warning=warning, actor=cast.op_community, outcome="false_alarm", result="经核实为同一工地重复反映"
    )


def test_a_closed_phenomenon_that_comes_back_raises_a_new_warning_linked_to_the_old(wage_burst, gm, cast):
    wage_burst(6)
    svc.radar_run(gm, _soon())
    old = Warning.objects.get()
    svc.warning_close(warning=old, actor=cast.leader, outcome="false_alarm", result="已核实")
    # the same cases still in the window: nothing new is raised
    assert svc.radar_run(gm, _soon() + timedelta(minutes=1)).raised == []
    wage_burst(3, at=timezone.now() + timedelta(minutes=30))  # after the closing
    result = svc.radar_run(gm, _soon() + timedelta(minutes=40))
    assert len(result.raised) == 1
    new = Warning.objects.get(pk=result.raised[0])
    assert new.previous == old and new.key == old.key and new.state == "open"


def test_the_sparkline_spans_the_box_from_zero_to_the_peak():
    from fengqiao.warnings.views import sparkline

    assert sparkline([["2026-12-01", 0], ["2026-12-02", 4]]) == "0.0,17.0 70.0,1.0"
    assert sparkline([]) == "0.0,17.0"


def test_rules_level_order_and_transitions():
    assert rules.higher("yellow", "red") == "red" and rules.higher("red", "orange") == "red"
    assert rules.rises("yellow", "orange") and not rules.rises("red", "orange")
    assert rules.next_state("acknowledge", "open") == "acknowledged"
    assert rules.next_state("action", "open") is None and rules.next_state("close", "closed") is None
    assert rules.next_state("close", "open") == "closed"


# --- reads: scoping, the screen, the pages ---------------------------------------------------------------------------


def test_scoping_and_the_screen_items(wage_burst, gm, cast):
    from fengqiao.org.access import scope_for

    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    assert list(sel.visible_warnings(cast.leader)) == [warning]
    assert list(sel.visible_warnings(cast.op_community)) == [warning]
    assert list(sel.visible_warnings(cast.auditor)) == [warning]
    assert not sel.visible_warnings(cast.luohu_op).exists()
    assert not sel.visible_warnings(cast.handler_other).exists()
    assert not sel.visible_warnings(cast.station).exists()
    items = sel.open_warnings_for_screen(gm, scope_for(cast.leader))
    assert items == [
        {
            "id": warning.pk,
            "level": warning.level,
            "title": items[0]["title"],
            "region": "光明社区",
            "opened_at": warning.raised_at.isoformat(),
            "url": f"/warnings/{warning.pk}/",
        }
    ]
    assert "华强" in items[0]["title"]
    luohu = Region.objects.get(code="440303")
    assert sel.open_warnings_for_screen(luohu, scope_for(cast.leader)) == []
    assert sel.open_warnings_for_screen(gm, scope_for(cast.luohu_op)) == []


def test_the_pages_and_the_loop_through_them(wage_burst, gm, cast, client_for):
    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    leader = client_for(cast.leader)
    listing = leader.get(reverse("warnings:list")).content.decode()
    assert f'data-warning="{warning.pk}"' in listing and "华强" in listing
    assert '<svg class="spark"' in listing
    page = leader.get(reverse("warnings:detail", args=[warning.pk])).content.decode()
    assert 'id="series-chart"' in page and 'id="acknowledge"' in page and "1390000" not in page
    assert page.count('href="/cases/') >= 6
    assert leader.post(reverse("warnings:acknowledge", args=[warning.pk])).status_code == 302
    leader.post(reverse("warnings:action", args=[warning.pk]), {"action": "约谈企业"})
    response = leader.post(
        reverse("warnings:close", args=[warning.pk]), {"outcome": "resolved", "result": ""}, follow=True
    )
    assert response.status_code == 200 and Warning.objects.get().state == "acting"
    leader.post(reverse("warnings:close", args=[warning.pk]), {"outcome": "resolved", "result": "工资已发放"})
    warning.refresh_from_db()
    assert warning.state == "closed" and warning.result == "工资已发放"
    # another district's operator, a department not asked: 404; the auditor reads but cannot act
    assert client_for(cast.luohu_op).get(reverse("warnings:detail", args=[warning.pk])).status_code == 404
    assert client_for(cast.handler_other).get(reverse("warnings:detail", args=[warning.pk])).status_code == 404
    auditor = client_for(cast.auditor)
    assert auditor.get(reverse("warnings:detail", args=[warning.pk])).status_code == 200
    assert auditor.post(reverse("warnings:action", args=[warning.pk]), {"action": "x"}).status_code == 403
    assert client_for(cast.resident).get(reverse("warnings:list")).status_code == 403


def test_another_districts_leader_sees_nothing(wage_burst, gm, cast, client_for, org):
    from fengqiao.org.models import Role
    from fengqiao.org.services import staff_user_create

    wage_burst(6)
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get()
    luohu_leader = staff_user_create(
        username="t_luohu_leader",
        password="Cast-pass-2026",
        name="罗湖领导",
        memberships=[(org.luohu_centre, Role.LEADER)],
    )
    client = client_for(luohu_leader)
    assert client.get(reverse("warnings:detail", args=[warning.pk])).status_code == 404
    assert f'data-warning="{warning.pk}"' not in client.get(reverse("warnings:list")).content.decode()
    assert (
        client.post(reverse("warnings:close", args=[warning.pk]), {"outcome": "false_alarm", "result": "x"}).status_code
        == 404
    )


def test_the_tasks_run_every_district(wage_burst, gm):
    from fengqiao.warnings.tasks import run_radar, run_radar_district

    wage_burst(6)
    assert run_radar.call()[GM]["raised"] == 1
    assert run_radar_district.call(gm.pk) == {"raised": 0, "updated": 0}


# --- the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_shows_two_open_warnings_and_a_second_seed_adds_nothing(cast):
    from fengqiao.core.demo import seed_demo

    seed_demo(cases=12)
    gm = Region.objects.get(code=GM)
    open_ = Warning.objects.filter(district=gm).exclude(state="closed")
    assert open_.count() == 2
    wage = open_.get(key="respondent:明辉建筑劳务")
    assert wage.state == "acting" and wage.level == "red"
    assert wage.acknowledged_by.username == "gm_leader" and wage.actions == 1
    fireworks = open_.exclude(pk=wage.pk).get()
    assert fireworks.state == "open" and fireworks.count >= 10
    assert fireworks.place.code == "440311001005"  # a street's burst all in one community is shown there
    assert fireworks.cases.filter(region__code="440311001005", source_system="demo-radar").count() >= 10
    # the worker's next pass finds nothing new
    assert svc.radar_run(gm).raised == []
    counts = (Warning.objects.count(), WarningEvent.objects.count(), WarningCase.objects.count(), Case.objects.count())
    seed_demo(cases=12)
    assert (
        Warning.objects.count(),
        WarningEvent.objects.count(),
        WarningCase.objects.count(),
        Case.objects.count(),
    ) == counts


def test_a_red_case_open_since_before_the_window_is_still_seen(make_case, gm):
    """The pass reads 90 days, but a red case still open from long before is flagged however old it is."""
    old = make_case(
        HOME,
        title="楼体开裂",
        description="居民楼外墙大面积开裂，随时可能脱落砸人，物业一直不处理。",
        submitted_at=timezone.now() - timedelta(days=200),
    )
    Case.objects.filter(pk=old.pk).update(grade="red")
    ids = {r.case_id for r in svc.district_records(gm, timezone.now())}
    assert old.pk in ids
    svc.radar_run(gm, _soon())
    warning = Warning.objects.get(kind="red_open")
    assert list(warning.evidence.values_list("case_id", flat=True)) == [old.pk]
    Case.objects.filter(pk=old.pk).update(status="closed", closed_at=timezone.now())
    assert old.pk not in {r.case_id for r in svc.district_records(gm, timezone.now())}
