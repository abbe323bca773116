"""The case services: reasons, the timeline (and its replay), optimistic locking and rights."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case, CaseEvent, Channel, Party, ServiceType
from fengqiao.cases.timeline import replay
from fengqiao.cases.workflow import Action, Status

pytestmark = pytest.mark.django_db


def snapshot(case: Case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Case._meta.concrete_fields},
        "events": CaseEvent.objects.filter(case=case).count(),
    }


def stored_state(case: Case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {"status": fresh.status, "holder_unit": fresh.holder_unit_id, "reopen_count": fresh.reopen_count}


def events_of(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq"))


class Timeline:
    """Runs services one by one and checks each appends exactly one event that tells what happened."""

    def __init__(self, case: Case):
        self.case = case
        self.count = len(events_of(case))

    def step(self, action: str, call, *, actor=None, unit=None) -> CaseEvent:
        before = Case.objects.get(pk=self.case.pk)
        call()
        events = events_of(self.case)
        assert len(events) == self.count + 1, f"{action} appended {len(events) - self.count} events"
        self.count += 1
        assert [e.seq for e in events] == list(range(1, self.count + 1))
        last = events[-1]
        assert last.action == action
        assert (last.from_status, last.to_status) == (before.status, Case.objects.get(pk=self.case.pk).status)
        if actor is not None:
            assert last.actor_id == actor.pk
        if unit is not None:
            assert last.actor_unit_id == unit.pk
        # the caller's object reflects the stored case, and the timeline can rebuild it
        assert stored_state(self.case) == {
            "status": self.case.status,
            "holder_unit": self.case.holder_unit_id,
            "reopen_count": self.case.reopen_count,
        }
        assert replay(events) == stored_state(self.case)
        return last


# --- reasons ------------------------------------------------------------------------------


def _to(status, case, cast, org):
    if status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED):
        cs.case_accept(case=case, actor=cast.op_community)
        cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)
    if status in (Status.IN_PROGRESS, Status.RESOLVED):
        cs.case_sign(case=case, actor=cast.handler)
        cs.case_start(case=case, actor=cast.handler)
    if status == Status.RESOLVED:
        cs.case_resolve(case=case, actor=cast.handler, outcome="resolved", note="已协调解决")
    assert case.status == status
    return case


REASONED = {
    "reject": (
        Status.SUBMITTED,
        "op_community",
        lambda case, actor, r: cs.case_reject(case=case, actor=actor, reason=r),
    ),
    "return": (Status.DISPATCHED, "handler", lambda case, actor, r: cs.case_return(case=case, actor=actor, reason=r)),
    "hold": (Status.IN_PROGRESS, "handler", lambda case, actor, r: cs.case_hold(case=case, actor=actor, reason=r)),
    "reopen": (Status.RESOLVED, "resident", lambda case, actor, r: cs.case_reopen(case=case, actor=actor, reason=r)),
    "extension_request": (
        Status.IN_PROGRESS,
        "handler",
        lambda case, actor, r: cs.case_extension_request(case=case, actor=actor, reason=r, days=5),
    ),
}


@pytest.mark.parametrize("reason", ["", "   \n"])
@pytest.mark.parametrize("name", sorted(REASONED))
def test_a_reason_is_required(cast, org, make_case, name, reason):
    status, who, call = REASONED[name]
    case = _to(status, make_case(applicant_user=cast.resident), cast, org)
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        call(case, getattr(cast, who), reason)
    assert "reason" in exc.value.message_dict
    assert snapshot(case) == before
    # and with a reason the same call goes through, leaving the reason on the timeline
    call(case, getattr(cast, who), "当事人需补充材料")
    assert events_of(case)[-1].reason == "当事人需补充材料"


# --- the timeline ---------------------------------------------------------------------------


def test_long_walk_appends_one_event_per_service_and_replays(cast, org, make_case):
    case = make_case(applicant_user=cast.resident)
    t = Timeline(case)
    assert [e.action for e in events_of(case)] == [Action.SUBMIT]
    assert replay(events_of(case)) == stored_state(case)
    assert case.holder_unit_id == org.community_centre.pk

    op, first, second = cast.op_community, cast.handler, cast.handler_other
    t.step(Action.ACCEPT, lambda: cs.case_accept(case=case, actor=op), actor=op, unit=org.community_centre)
    t.step(Action.DISPATCH, lambda: cs.case_dispatch(case=case, actor=op, unit=org.hr), unit=org.community_centre)
    assert case.holder_unit == org.hr  # the related object follows the id, not a stale cache
    t.step(Action.RETURN, lambda: cs.case_return(case=case, actor=first, reason="系住建职责"), actor=first, unit=org.hr)
    assert case.holder_unit_id == org.community_centre.pk  # back to the centre that dispatched it
    t.step(Action.REDISPATCH, lambda: cs.case_dispatch(case=case, actor=op, unit=org.housing, note="改派住建局"))
    t.step(Action.SIGN, lambda: cs.case_sign(case=case, actor=second), actor=second, unit=org.housing)
    t.step(Action.START, lambda: cs.case_start(case=case, actor=second))
    t.step(Action.RESOLVE, lambda: cs.case_resolve(case=case, actor=second, outcome="partly", note="已部分修复"))
    t.step(
        Action.REOPEN, lambda: cs.case_reopen(case=case, actor=cast.resident, reason="仍未修好"), actor=cast.resident
    )
    assert (case.status, case.reopen_count) == (Status.IN_PROGRESS, 1)
    t.step(Action.RESOLVE, lambda: cs.case_resolve(case=case, actor=second, outcome="resolved", note="已全部修复"))
    t.step(Action.CONFIRM, lambda: cs.case_confirm(case=case, actor=op, satisfaction="satisfied", by="return_visit"))
    t.step(Action.CLOSE, lambda: cs.case_close(case=case, actor=op))

    events = events_of(case)
    assert [e.action for e in events] == [
        Action.SUBMIT, Action.ACCEPT, Action.DISPATCH, Action.RETURN, Action.REDISPATCH, Action.SIGN,
        Action.START, Action.RESOLVE, Action.REOPEN, Action.RESOLVE, Action.CONFIRM, Action.CLOSE,
    ]  # fmt: skip
    assert [e.seq for e in events] == list(range(1, 13))
    assert replay(events) == {"status": Status.CLOSED, "holder_unit": org.housing.pk, "reopen_count": 1}
    assert replay(reversed(events)) == replay(events)  # order comes from seq, not from the caller
    stored = Case.objects.get(pk=case.pk)
    assert stored.closed_at is not None and stored.satisfaction == "satisfied" and stored.outcome == "resolved"


def test_escalate_and_refused_return_replay(cast, org, make_case):
    case = make_case()
    t = Timeline(case)
    t.step(Action.ACCEPT, lambda: cs.case_accept(case=case, actor=cast.op_community))
    t.step(Action.ESCALATE, lambda: cs.case_escalate(case=case, actor=cast.op_community, reason="涉及多个社区"))
    assert case.holder_unit_id == org.street_centre.pk
    t.step(
        Action.DISPATCH, lambda: cs.case_dispatch(case=case, actor=cast.op_street, unit=org.hr), unit=org.street_centre
    )
    t.step(Action.RETURN, lambda: cs.case_return(case=case, actor=cast.handler, reason="不属于本单位"))
    assert case.holder_unit_id == org.street_centre.pk
    t.step(
        Action.RETURN_REFUSE, lambda: cs.case_return_refuse(case=case, actor=cast.op_street, reason="属欠薪，归人社")
    )
    assert (case.status, case.holder_unit_id) == (Status.DISPATCHED, org.hr.pk)
    t.step(Action.SIGN, lambda: cs.case_sign(case=case, actor=cast.handler))


def test_state_keeping_services_append_one_event_each(cast, org, make_case):
    case = _to(Status.IN_PROGRESS, make_case(), cast, org)
    t = Timeline(case)
    t.step(Action.NOTE, lambda: cs.case_note(case=case, actor=cast.handler, text="已电话联系申请人"))
    t.step(Action.SUPERVISE, lambda: cs.case_supervise(case=case, actor=cast.op_district, reason="请加快办理"))
    t.step(Action.PROGRESS, lambda: cs.case_progress(case=case, actor=cast.handler, note="已约谈企业"))
    t.step(Action.HOLD, lambda: cs.case_hold(case=case, actor=cast.handler, reason="等待仲裁结果"))
    t.step(Action.RESUME, lambda: cs.case_resume(case=case, actor=cast.handler))
    assert case.status == Status.IN_PROGRESS


def test_submission_is_validated_and_written_whole(cast):
    from fengqiao.org.models import Region

    before = (Case.objects.count(), CaseEvent.objects.count(), Party.objects.count())
    with pytest.raises(ValidationError) as exc:
        cs.case_submit(
            channel="pigeon",
            service_type=ServiceType.COMPLAINT,
            title="",
            description="短",
            region=Region.objects.get(code="440311001001"),
            people_count=0,
            parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="张三")],
        )
    assert {"channel", "description", "people_count"} <= set(exc.value.message_dict)
    assert (Case.objects.count(), CaseEvent.objects.count(), Party.objects.count()) == before


def test_resent_submission_returns_the_first_case(cast, make_case):
    first = make_case(source_system="12345", source_id="HL-001", channel=Channel.API)
    again = make_case(source_system="12345", source_id="HL-001", channel=Channel.API)
    assert again.pk == first.pk
    assert CaseEvent.objects.filter(case=first).count() == 1


def test_case_codes_follow_the_district(cast, make_case):
    gm, gm2, lh = make_case(), make_case(), make_case("440303001001")
    assert gm.code.startswith("GM-") and lh.code.startswith("LH-")
    assert int(gm2.code.rsplit("-", 1)[1]) == int(gm.code.rsplit("-", 1)[1]) + 1


# --- optimistic locking -------------------------------------------------------------------------


def test_stale_version_is_refused_and_the_case_unchanged(cast, make_case):
    case = make_case()
    stale = case.version
    cs.case_accept(case=case, actor=cast.op_community, expected_version=stale)
    assert case.version == stale + 1
    before = snapshot(case)
    with pytest.raises(cs.ConcurrentUpdate):
        cs.case_reject(case=case, actor=cast.op_community, reason="重复", expected_version=stale)
    assert snapshot(case) == before


def test_two_operators_dispatching_the_same_read_one_wins(cast, org, make_case):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    cs.case_dispatch(case=mine, actor=cast.op_community, unit=org.hr, expected_version=mine.version)
    before = snapshot(case)
    with pytest.raises(cs.ConcurrentUpdate):
        cs.case_dispatch(case=theirs, actor=cast.op_street, unit=org.housing, expected_version=theirs.version)
    assert snapshot(case) == before
    assert Case.objects.get(pk=case.pk).holder_unit_id == org.hr.pk
    assert list(case.assignments.filter(is_active=True).values_list("unit_id", flat=True)) == [org.hr.pk]


# --- rights -----------------------------------------------------------------------------------


def test_handler_of_another_department_may_not_sign(cast, org, make_case):
    case = _to(Status.DISPATCHED, make_case(), cast, org)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        cs.case_sign(case=case, actor=cast.handler_other)
    assert snapshot(case) == before
    cs.case_sign(case=case, actor=cast.handler)
    assert case.status == Status.SIGNED


@pytest.mark.parametrize(
    "who",
    ["outsider", "auditor", "admin", "station", "handler", "grid", "luohu_op", "op_street_of_another", "resident"],
)
def test_who_may_not_accept(cast, make_case, who):
    # a case in 公明街道: outside the 光明 street and community centres
    case = make_case("440311002001", applicant_user=cast.resident)
    actor = cast.op_street if who == "op_street_of_another" else getattr(cast, who)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        cs.case_accept(case=case, actor=actor)
    assert snapshot(case) == before


def test_auditor_may_not_dispatch_even_what_they_can_read(cast, org, make_case):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        cs.case_dispatch(case=case, actor=cast.auditor, unit=org.hr)
    assert snapshot(case) == before


def test_resident_may_withdraw_only_their_own_case(cast, make_case):
    mine, other = make_case(applicant_user=cast.resident), make_case()
    with pytest.raises(PermissionDenied):
        cs.case_withdraw(case=other, actor=cast.resident, reason="不需要了")
    cs.case_withdraw(case=mine, actor=cast.resident, reason="已自行解决")
    assert mine.status == Status.WITHDRAWN
