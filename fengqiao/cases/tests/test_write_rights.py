"""Every write on a case declares the capability it needs, and seeing a case is never enough to write on it: the
auditor (reads everything, changes nothing), a resident or a grid worker reading their own case cannot add internal
notes, files or moves; the operator who dispatches still can."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, CaseEvent
from fengqiao.cases.permissions import ACTION_CAPABILITY, OPERATION_CAPABILITY, available_actions
from fengqiao.cases.tests.test_services import snapshot
from fengqiao.cases.views import SERVICE_CALLS
from fengqiao.cases.workflow import Action, Status, allowed_actions
from fengqiao.org.access import READ_ONLY_CAPABILITIES, ROLE_CAPABILITIES, Capability, may
from fengqiao.org.models import Role

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _to(status: str, case, cast, org):
    """Bring a fresh case to `status` through the services, as the people who do it."""
    steps = {
        Status.ACCEPTED: [lambda: cs.case_accept(case=case, actor=cast.op_community)],
        Status.DISPATCHED: [lambda: cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)],
        Status.SIGNED: [lambda: cs.case_sign(case=case, actor=cast.handler)],
        Status.IN_PROGRESS: [lambda: cs.case_start(case=case, actor=cast.handler)],
        Status.ON_HOLD: [lambda: cs.case_hold(case=case, actor=cast.handler, reason="等待鉴定")],
        Status.RESOLVED: [lambda: cs.case_resolve(case=case, actor=cast.handler, outcome="resolved", note="已解决")],
        Status.CONFIRMED: [lambda: cs.case_confirm(case=case, actor=cast.op_community, satisfaction="satisfied",
                                                   by="return_visit")],
        Status.CLOSED: [lambda: cs.case_close(case=case, actor=cast.op_community)],
    }
    path = [Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CONFIRMED,
            Status.CLOSED]
    if status == Status.ON_HOLD:
        path = [Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.ON_HOLD]
    if status != Status.SUBMITTED:
        for step in path[: path.index(status) + 1]:
            for call in steps[step]:
                call()
    assert case.status == status
    return case


# --- the declarations ----------------------------------------------------------------------------------------


def test_every_action_of_the_case_page_declares_a_capability_that_writes():
    assert set(SERVICE_CALLS) <= set(ACTION_CAPABILITY)
    for action, capability in {**ACTION_CAPABILITY, **OPERATION_CAPABILITY}.items():
        if action == Action.PII_REVEAL:
            continue  # a read, but recorded and narrower than viewing (pii.reveal)
        assert capability not in READ_ONLY_CAPABILITIES, f"{action} needs only {capability}: viewing is not writing"
    assert ACTION_CAPABILITY[Action.NOTE] == Capability.CASE_NOTE
    assert OPERATION_CAPABILITY["case.attach"] == Capability.CASE_NOTE


def test_the_auditor_role_only_reads():
    assert ROLE_CAPABILITIES[Role.AUDITOR] <= READ_ONLY_CAPABILITIES
    assert {Capability.CASE_VIEW, Capability.AUDIT_READ} <= ROLE_CAPABILITIES[Role.AUDITOR]


# --- the auditor, through the case page --------------------------------------------------------------------------


STATES = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED,
          Status.CLOSED]


@pytest.mark.parametrize("status", STATES)
def test_auditor_posting_any_action_is_refused_and_nothing_is_written(status, cast, org, make_case, client_for):
    case = _to(status, make_case(), cast, org)
    assert may(cast.auditor, Capability.CASE_VIEW, case)  # they read it …
    assert available_actions(cast.auditor, case) == []  # … and may do nothing on it
    client = client_for(cast.auditor)
    before = snapshot(case)
    tried = [a for a in allowed_actions(case.status) if a in SERVICE_CALLS]
    assert Action.NOTE in tried
    for action in tried:
        response = client.post(reverse("cases:act", args=[case.code, action]),
                               {"version": case.version, "reason": "审计员的备注", "days": 3, "approve": "true"})
        assert response.status_code == 403, action
    assert client.post(reverse("cases:reveal", args=[case.code]), {"reason": "查看"}).status_code == 403
    assert snapshot(case) == before


def test_auditor_cannot_note_a_closed_case_but_the_dispatcher_can(cast, org, make_case, client_for):
    case = _to(Status.CLOSED, make_case(), cast, org)
    before = snapshot(case)
    response = client_for(cast.auditor).post(reverse("cases:act", args=[case.code, Action.NOTE]),
                                             {"version": case.version, "reason": "审计员补记"})
    assert response.status_code == 403
    assert snapshot(case) == before
    with pytest.raises(PermissionDenied):
        cs.case_note(case=case, actor=cast.auditor, text="审计员补记")
    assert snapshot(case) == before
    response = client_for(cast.op_community).post(reverse("cases:act", args=[case.code, Action.NOTE]),
                                                  {"version": case.version, "reason": "回访后补记"})
    assert response.status_code == 302
    note = CaseEvent.objects.filter(case=case, action=Action.NOTE).order_by("-seq").first()
    assert (note.actor, note.reason, note.is_public) == (cast.op_community, "回访后补记", False)


def test_auditor_cannot_attach_a_file(cast, make_case):
    case = make_case()
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        cs.case_attach(case=case, actor=cast.auditor, upload=_png(), is_public=False)
    assert not Attachment.objects.filter(case=case).exists()
    assert snapshot(case) == before
    cs.case_attach(case=case, actor=cast.op_community, upload=_png(), is_public=False)
    assert Attachment.objects.filter(case=case).count() == 1


# --- the resident and the grid worker: they see their own case, and only add to it in public ---------------------


def test_resident_reading_their_case_cannot_write_an_internal_note(cast, make_case, client_for):
    case = make_case(applicant_user=cast.resident)
    assert may(cast.resident, Capability.CASE_VIEW, case)
    before = snapshot(case)
    response = client_for(cast.resident).post(reverse("cases:act", args=[case.code, Action.NOTE]),
                                              {"version": case.version, "reason": "我自己写的内部备注"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        cs.case_note(case=case, actor=cast.resident, text="内部备注")
    assert snapshot(case) == before
    # What they may do: add information the staff and they both see (the tracking page's "add").
    cs.case_add_information(case=case, actor=cast.resident, text="补充：漏水已蔓延到楼下")
    added = CaseEvent.objects.filter(case=case, action=Action.NOTE).get()
    assert (added.actor, added.is_public) == (cast.resident, True)
    cs.case_attach(case=case, actor=cast.resident, upload=_png(), is_public=True)
    with pytest.raises(PermissionDenied):
        cs.case_attach(case=case, actor=cast.resident, upload=_png(), is_public=False)


def test_grid_worker_reporter_cannot_write_an_internal_note(cast, make_case):
    case = make_case(reporter=cast.grid)
    assert may(cast.grid, Capability.CASE_VIEW, case)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        cs.case_note(case=case, actor=cast.grid, text="内部备注")
    assert snapshot(case) == before
    cs.case_attach(case=case, actor=cast.grid, upload=_png(), is_public=True)  # a photo of what they reported
    assert Attachment.objects.filter(case=case).count() == 1
