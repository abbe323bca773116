"""Separation of duties (三员分立): nobody gives themselves a role; a role asked by one person takes effect only when a
second person (a security officer who neither asked nor receives it) approves; every step is in the append-only grant
record the auditor reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from fengqiao.accounts.models import User
from fengqiao.org import duties
from fengqiao.org.access import ROLE_CAPABILITIES, Capability, may, scope_for
from fengqiao.org.grants import (
    membership_approve,
    membership_refuse,
    membership_request,
    membership_revoke,
)
from fengqiao.org.models import GrantRecord, GrantRequest, Membership, Role
from fengqiao.org.services import membership_grant, staff_user_create

pytestmark = pytest.mark.django_db

SELF_GRANT_EN = "Nobody can give a role to themselves. Ask another administrator or security officer."
SELF_GRANT_ZH = "任何人都不能给自己授予角色。请由另一位系统管理员或安全保密管理员提出申请。"


@pytest.fixture(autouse=True)
def _english():
    """Messages read in English (the platform's default language is Chinese; one test reads the Chinese)."""
    with translation.override("en"):
        yield


def fresh(user):
    """The same person as a new request would load them (no access scope cached)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def officers(org):
    """Two security officers (the second person must be a different one from the one who asked)."""
    return [
        staff_user_create(username=f"t_security_{n}", password="x-Pass-2026-x", name=f"安全保密管理员{n}",
                          memberships=[(org.district_centre, Role.SECURITY_OFFICER)])
        for n in (1, 2)
    ]


@pytest.fixture
def newcomer(db):
    return User.objects.create_user(username="t_newcomer", password="x-Pass-2026-x", name="新同事")


# --- the rules, without a database ----------------------------------------------------------------------------


def test_the_three_duties_do_not_write_on_cases_and_only_the_auditor_reads_them():
    admin, officer, auditor = (ROLE_CAPABILITIES[r] for r in (Role.ADMINISTRATOR, Role.SECURITY_OFFICER, Role.AUDITOR))
    assert not any(str(c).startswith(("case.", "pii.")) for c in admin | officer)
    assert auditor == {Capability.CASE_VIEW, Capability.AUDIT_READ}
    assert Capability.GRANT_APPROVE in officer and Capability.GRANT_APPROVE not in admin
    assert duties.gives_case_access(Role.OPERATOR) and not duties.gives_case_access(Role.SECURITY_OFFICER)


def test_rules_refuse_a_role_for_oneself_and_a_self_approval():
    may_ask = {Capability.GRANT_REQUEST}
    assert duties.request_error(actor_id=1, subject_id=1, actor_capabilities=may_ask, role=Role.OPERATOR,
                                held=[]) == SELF_GRANT_EN
    assert duties.request_error(actor_id=1, subject_id=2, actor_capabilities=may_ask, role=Role.OPERATOR,
                                held=[]) is None
    assert duties.request_error(actor_id=1, subject_id=2, actor_capabilities={Capability.CASE_VIEW},
                                role=Role.OPERATOR, held=[])
    approve = {Capability.GRANT_APPROVE}
    assert duties.approval_error(approver_id=1, requester_id=1, subject_id=2, approver_capabilities=approve)
    assert duties.approval_error(approver_id=2, requester_id=1, subject_id=2, approver_capabilities=approve)
    assert duties.approval_error(approver_id=3, requester_id=1, subject_id=2, approver_capabilities=may_ask)
    assert duties.approval_error(approver_id=3, requester_id=1, subject_id=2, approver_capabilities=approve) is None


def test_the_duties_are_held_by_different_people_with_no_other_role():
    assert duties.duty_conflict(role=Role.OPERATOR, held=[Role.AUDITOR])
    assert duties.duty_conflict(role=Role.AUDITOR, held=[Role.OPERATOR])
    assert duties.duty_conflict(role=Role.SECURITY_OFFICER, held=[Role.ADMINISTRATOR])
    assert duties.duty_conflict(role=Role.OPERATOR, held=[Role.HANDLER]) is None
    assert duties.duty_conflict(role=Role.AUDITOR, held=[Role.AUDITOR]) is None


def test_the_refusal_is_said_in_chinese_too():
    with translation.override("zh-hans"):
        assert duties.request_error(actor_id=1, subject_id=1, actor_capabilities={Capability.GRANT_REQUEST},
                                    role=Role.OPERATOR, held=[]) == SELF_GRANT_ZH


# --- the administration: the administrator cannot give themselves case access ---------------------------------


def _admin_client(client_for, cast):
    cast.admin.is_staff = cast.admin.is_superuser = True  # as the demo's gm_admin
    cast.admin.save(update_fields=["is_staff", "is_superuser"])
    client = client_for(cast.admin)
    client.cookies["django_language"] = "en"
    return client


def test_admin_adding_a_membership_to_themselves_is_refused(cast, org, make_case, client_for):
    case = make_case()
    client = _admin_client(client_for, cast)
    response = client.post(reverse("admin:org_membership_add"), {
        "user": cast.admin.pk, "unit": org.district_centre.pk, "role": Role.OPERATOR, "title": "",
        "is_active": "on", "reason": "临时值班"})
    assert response.status_code == 200
    assert SELF_GRANT_EN in response.context["adminform"].form.errors["role"]
    assert not Membership.objects.filter(user=cast.admin, role=Role.OPERATOR).exists()
    assert not GrantRequest.objects.filter(user=cast.admin).exists()
    admin = fresh(cast.admin)
    assert not may(admin, Capability.CASE_VIEW, case) and not may(admin, Capability.PII_REVEAL, case)
    assert client.get(reverse("cases:detail", args=[case.code])).status_code == 404
    # The attempt itself is on the record the auditor reads.
    denied = GrantRecord.objects.get(event=GrantRecord.Event.DENIED, subject=cast.admin)
    assert (denied.actor, denied.role, denied.unit, denied.basis) == (cast.admin, Role.OPERATOR, org.district_centre,
                                                                      SELF_GRANT_EN)


def test_admin_refusal_is_in_chinese_for_a_chinese_reader(cast, org, client_for):
    client = _admin_client(client_for, cast)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("admin:org_membership_add"), {
        "user": cast.admin.pk, "unit": org.district_centre.pk, "role": Role.AUDITOR, "title": "",
        "is_active": "on", "reason": "x"})
    assert SELF_GRANT_ZH in response.context["adminform"].form.errors["role"]


def test_admin_reactivating_their_own_old_membership_is_refused(cast, org, client_for, officers):
    old = membership_grant(user=cast.admin, unit=org.district_centre, role=Role.ADMINISTRATOR)
    Membership.objects.filter(pk=old.pk).update(is_active=False)
    client = _admin_client(client_for, cast)
    url = reverse("admin:org_membership_change", args=[old.pk])
    response = client.post(url, {"title": "", "is_active": "on", "reason": "恢复"})
    assert response.status_code == 200
    assert SELF_GRANT_EN in response.context["adminform"].form.errors["role"]
    assert not Membership.objects.get(pk=old.pk).is_active


# --- the second person ------------------------------------------------------------------------------------------


def test_a_case_access_grant_has_no_effect_until_a_second_person_approves(cast, org, make_case, officers, newcomer):
    case = make_case()
    request = membership_request(actor=cast.admin, user=newcomer, unit=org.community_centre, role=Role.OPERATOR,
                                 reason="新入职受理员")
    assert request.status == GrantRequest.Status.PENDING
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not may(fresh(newcomer), Capability.CASE_VIEW, case)
    assert scope_for(fresh(newcomer)).grants == ()

    membership = membership_approve(actor=officers[0], request=request, reason="核实任职文件")
    assert (membership.user, membership.unit, membership.role, membership.is_active) == (
        newcomer, org.community_centre, Role.OPERATOR, True)
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.membership) == ("approved", officers[0], membership)
    assert may(fresh(newcomer), Capability.CASE_VIEW, case)


def test_the_approver_is_not_the_one_who_asked(cast, org, officers, newcomer):
    request = membership_request(actor=officers[0], user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    with pytest.raises(ValidationError, match="cannot also approve it"):
        membership_approve(actor=officers[0], request=request)
    request.refresh_from_db()
    assert request.status == "pending" and not Membership.objects.filter(user=newcomer).exists()
    membership_approve(actor=officers[1], request=request)
    assert Membership.objects.get(user=newcomer).role == Role.HANDLER


def test_nobody_approves_a_role_for_themselves(cast, org, officers):
    request = membership_request(actor=cast.admin, user=officers[0], unit=org.street_centre,
                                 role=Role.SECURITY_OFFICER, reason="兼管街道")  # a second seat, same duty
    with pytest.raises(ValidationError, match="for themselves"):
        membership_approve(actor=officers[0], request=request)
    membership_approve(actor=officers[1], request=request)


def test_the_administrator_cannot_approve(cast, org, newcomer, officers):
    request = membership_request(actor=officers[0], user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    with pytest.raises(ValidationError, match="Only a security officer"):
        membership_approve(actor=cast.admin, request=request)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_people_without_the_right_cannot_ask(cast, org, newcomer):
    for who in (cast.op_district, cast.auditor, cast.leader):
        with pytest.raises(ValidationError):
            membership_request(actor=who, user=newcomer, unit=org.hr, role=Role.HANDLER, reason="帮忙")
    assert not GrantRequest.objects.filter(user=newcomer).exists()


def test_the_database_refuses_a_self_approval_written_around_the_service(cast, org, officers, newcomer):
    request = membership_request(actor=officers[0], user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantRequest.objects.filter(pk=request.pk).update(status="approved", decided_by=officers[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantRequest.objects.create(user=officers[1], unit=org.hr, role=Role.HANDLER, requested_by=officers[1],
                                    requested_at=request.requested_at)


def test_the_auditor_cannot_be_given_a_case_role_too(cast, org, officers):
    with pytest.raises(ValidationError, match="goes with no other role"):
        membership_request(actor=cast.admin, user=cast.auditor, unit=org.district_centre, role=Role.OPERATOR,
                           reason="兼职")


def test_a_refusal_says_why_and_gives_nothing(cast, org, officers, newcomer):
    request = membership_request(actor=cast.admin, user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    with pytest.raises(ValidationError):
        membership_refuse(actor=officers[0], request=request, reason=" ")
    membership_refuse(actor=officers[0], request=request, reason="未见借调文件")
    request.refresh_from_db()
    assert request.status == "refused" and not Membership.objects.filter(user=newcomer).exists()
    with pytest.raises(ValidationError):
        membership_approve(actor=officers[1], request=request)  # decided is decided


def test_revoking_takes_the_access_away_at_once(cast, org, make_case, officers):
    case = make_case()
    membership = Membership.objects.get(user=cast.op_community)
    assert may(fresh(cast.op_community), Capability.CASE_VIEW, case)
    with pytest.raises(ValidationError):
        membership_revoke(actor=cast.admin, membership=membership, reason="")
    membership_revoke(actor=cast.admin, membership=membership, reason="调离岗位")
    assert not may(fresh(cast.op_community), Capability.CASE_VIEW, case)
    assert GrantRecord.objects.filter(event="revoked", subject=cast.op_community, actor=cast.admin,
                                      reason="调离岗位").exists()


# --- the record ---------------------------------------------------------------------------------------------------


def test_every_step_of_a_grant_is_recorded_who_whom_what_when_why(cast, org, officers, newcomer):
    request = membership_request(actor=cast.admin, user=newcomer, unit=org.hr, role=Role.HANDLER, reason="新入职科员")
    membership_approve(actor=officers[0], request=request, reason="任职文件已核")
    rows = list(GrantRecord.objects.filter(subject=newcomer).order_by("at", "pk"))
    assert [(r.event, r.actor, r.subject, r.unit, r.role, r.reason) for r in rows] == [
        ("requested", cast.admin, newcomer, org.hr, Role.HANDLER, "新入职科员"),
        ("approved", officers[0], newcomer, org.hr, Role.HANDLER, "任职文件已核"),
    ]
    assert all(r.at is not None and r.request_id == request.pk for r in rows)


def test_a_platform_set_up_is_recorded_as_such(org, newcomer):
    membership_grant(user=newcomer, unit=org.hr, role=Role.HANDLER, seed="demo")
    membership_grant(user=newcomer, unit=org.hr, role=Role.HANDLER, seed="demo")  # already in effect: no new line
    row = GrantRecord.objects.get(subject=newcomer)
    assert (row.event, row.actor, row.basis) == ("seeded", None, "demo")


def test_the_record_is_append_only_in_the_code_and_in_the_database(org, newcomer):
    membership_grant(user=newcomer, unit=org.hr, role=Role.HANDLER)
    row = GrantRecord.objects.get(subject=newcomer)
    row.reason = "改写"
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        GrantRecord.objects.filter(pk=row.pk).update(reason="改写")
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE org_grantrecord SET reason = %s WHERE id = %s", ["改写", row.pk])
    assert GrantRecord.objects.get(pk=row.pk).reason == ""


# --- the pages ----------------------------------------------------------------------------------------------------


def test_the_security_officer_decides_on_the_page(cast, org, officers, newcomer, client_for):
    request = membership_request(actor=officers[0], user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    own = client_for(officers[0])
    page = own.get(reverse("org:grants")).content.decode()
    assert f'data-request="{request.pk}"' in page and f'action="{reverse("org:grant_decide", args=[request.pk])}"' \
        not in page  # no form for the one who asked
    refused = own.post(reverse("org:grant_decide", args=[request.pk]), {"decision": "approve"})
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()
    other = client_for(officers[1])
    assert f'action="{reverse("org:grant_decide", args=[request.pk])}"' in other.get(reverse("org:grants")).content.decode()
    assert other.post(reverse("org:grant_decide", args=[request.pk]), {"decision": "approve"}).status_code == 302
    assert Membership.objects.get(user=newcomer).role == Role.HANDLER


@pytest.mark.parametrize("who", ["admin", "auditor", "op_district", "resident", "outsider"])
def test_only_security_officers_open_the_decisions(cast, org, officers, newcomer, client_for, who):
    request = membership_request(actor=officers[0], user=newcomer, unit=org.hr, role=Role.HANDLER, reason="借调")
    client = client_for(getattr(cast, who))
    assert client.get(reverse("org:grants")).status_code == 404
    assert client.post(reverse("org:grant_decide", args=[request.pk]), {"decision": "approve"}).status_code == 404
    assert not Membership.objects.filter(user=newcomer).exists()


def test_the_auditor_reads_the_grant_record_and_others_do_not(cast, org, officers, newcomer, client_for):
    request = membership_request(actor=cast.admin, user=newcomer, unit=org.hr, role=Role.HANDLER, reason="新入职科员")
    membership_approve(actor=officers[1], request=request)
    page = client_for(cast.auditor).get(reverse("org:grant_audit"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-event="requested"' in html and 'data-event="approved"' in html and "新入职科员" in html
    for who in (cast.admin, officers[0], cast.op_district, cast.outsider):
        assert client_for(who).get(reverse("org:grant_audit")).status_code == 404


# --- set-ups: the shell command and the demo ------------------------------------------------------------------------


def test_grant_duty_installs_a_duty_at_the_shell_and_never_a_case_role(org, newcomer):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("grant_duty", newcomer.username, "--duty", Role.OPERATOR, "--reason", "x")
    call_command("grant_duty", newcomer.username, "--duty", Role.SECURITY_OFFICER, "--reason", "首位安全保密管理员")
    assert Capability.GRANT_APPROVE in scope_for(fresh(newcomer)).capabilities
    row = GrantRecord.objects.get(subject=newcomer)
    assert (row.event, row.actor, row.role, row.basis) == ("seeded", None, Role.SECURITY_OFFICER,
                                                           "grant_duty: 首位安全保密管理员")
    with pytest.raises(CommandError, match="no other role"):
        call_command("grant_duty", newcomer.username, "--duty", Role.AUDITOR, "--reason", "兼任")


def test_seed_duties_shows_each_step_and_runs_twice(org):
    import random

    from django.utils import timezone

    from fengqiao.org.demo import seed_duties

    staff_user_create(username="gm_admin", password="x-Pass-2026-x", name="管理员",
                      memberships=[(org.district_centre, Role.ADMINISTRATOR)])
    logins = seed_duties(random.Random(1), timezone.now())
    assert [login.username for login in logins] == ["gm_security"]
    assert sorted(GrantRequest.objects.values_list("status", flat=True)) == ["approved", "pending", "refused"]
    assert Membership.objects.get(user__username="gm_new_operator").role == Role.OPERATOR
    assert not Membership.objects.filter(user__username__in=["gm_new_handler", "gm_new_leader"]).exists()
    records = GrantRecord.objects.count()
    seed_duties(random.Random(1), timezone.now())
    assert GrantRecord.objects.count() == records


def test_the_security_officer_home_leads_to_the_decisions_and_to_no_case(officers, make_case, client_for):
    make_case()
    page = client_for(officers[0]).get(reverse("core:home")).content.decode()
    assert 'data-role="security_officer"' in page and reverse("org:grants") in page
    assert 'class="code"' not in page  # no case listed
