"""The administration: bad input is refused with the services' own messages and changes nothing;
good input is saved through the services, so the materialised paths stay right."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from fengqiao.accounts.tests.conftest import PASSWORD, make_user, verify
from fengqiao.accounts.tests.formdata import form_data
from fengqiao.cases.models import Case, CaseEvent, Category
from fengqiao.intake.qr import svg_bytes
from fengqiao.mediation.models import MediatorProfile
from fengqiao.org.admin import report_url
from fengqiao.org.grants import membership_approve
from fengqiao.org.models import GrantRequest, Membership, OrgUnit, Region, Role, ServicePoint, UnitKind
from fengqiao.org.services import service_point_save, unit_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"  # the platform is Chinese unless the person switched


def errors_of(response) -> dict:
    assert response.status_code == 200, f"expected the form back with errors, got {response.status_code}"
    return response.context["adminform"].form.errors


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def edit(client, obj, **changes):
    """Open the change form as a browser would, change some fields, submit."""
    url = change_url(obj)
    data = form_data(client.get(url).content.decode(), f"{obj._meta.model_name}_form")
    data.update({k: ("" if v is None else v) for k, v in changes.items()})
    return client.post(url, data)


# --- the second factor guards the administration ---------------------------------------
def test_admin_needs_the_second_factor(org, client):
    user = make_user("root2", unit=org.district_centre, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.login(username="root2", password=PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:2fa"))
    verify(client, user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_asks_for_the_code_even_when_staff_2fa_is_relaxed(org, client, settings):
    settings.FQ_STAFF_2FA = False
    make_user("root3", unit=org.district_centre, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.login(username="root3", password=PASSWORD)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302
    login = client.get(index.url)
    assert login.status_code == 302 and login.url.startswith(reverse("accounts:2fa"))


def test_anonymous_admin_login_goes_to_the_platform_sign_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- regions ----------------------------------------------------------------------------
NEW_CODE = "440311001999"  # not a real community: free for the tests


def STREET() -> Region:
    return Region.objects.get(code="440311001")  # 光明街道


REGION_ADD = {
    "name": "新社区",
    "level": "community",
    "case_prefix": "",
    "boundary": "",
    "latitude": "",
    "longitude": "",
}


def test_region_malformed_code_is_refused(admin_user_verified, client, org):
    before = Region.objects.count()
    response = client.post(
        reverse("admin:org_region_add"), {**REGION_ADD, "code": "44031100100X", "parent": STREET().pk}
    )
    assert "“44031100100X” is not a valid code for a Community." in errors_of(response)["code"]
    assert escape("“44031100100X” is not a valid code for a Community.") in response.content.decode()
    assert Region.objects.count() == before


def test_region_outline_is_not_edited_as_raw_json_in_the_admin(admin_user_verified, client, org):
    """Outlines go through /org/regions/<code>/boundary/ (validated, converted, recorded): the admin form has no
    boundary field, and a boundary posted to it is ignored."""
    district = Region.objects.get(code="440311")
    outline = district.boundary
    assert outline
    url = reverse("admin:org_region_change", args=[district.pk])
    assert 'name="boundary"' not in client.get(url).content.decode()
    data = {"name": "光明区", "level": "district", "parent": district.parent_id, "case_prefix": district.case_prefix,
            "latitude": "", "longitude": "", "boundary": '{"type": "Point", "coordinates": [0, 0]}'}
    assert client.post(url, data).status_code == 302
    district.refresh_from_db()
    assert district.boundary == outline


def test_region_errors_are_in_chinese_by_default(admin_user_verified, client, org):
    del client.cookies["django_language"]
    response = client.post(
        reverse("admin:org_region_add"), {**REGION_ADD, "code": "44031100100X", "parent": STREET().pk}
    )
    assert "“44031100100X”不是有效的社区区划代码。" in errors_of(response)["code"]


def test_region_code_not_under_its_parent_is_refused(admin_user_verified, client, org):
    before = Region.objects.count()
    response = client.post(
        reverse("admin:org_region_add"), {**REGION_ADD, "code": "440303001001", "parent": STREET().pk}
    )
    assert "Code 440303001001 does not belong under 440311001." in errors_of(response)["code"]
    assert Region.objects.count() == before


def test_region_under_a_parent_of_the_wrong_level_is_refused(admin_user_verified, client, org):
    response = client.post(
        reverse("admin:org_region_add"), {**REGION_ADD, "code": NEW_CODE, "parent": org.region("440311").pk}
    )
    assert "A Community must sit under a Street." in errors_of(response)["code"]
    assert not Region.objects.filter(code=NEW_CODE).exists()


def test_region_with_a_parent_that_does_not_exist_is_refused(admin_user_verified, client, org):
    response = client.post(reverse("admin:org_region_add"), {**REGION_ADD, "code": NEW_CODE, "parent": 999999})
    assert "parent" in errors_of(response)
    assert not Region.objects.filter(code=NEW_CODE).exists()


def test_region_added_through_the_service_gets_its_path(admin_user_verified, client, org):
    response = client.post(reverse("admin:org_region_add"), {**REGION_ADD, "code": NEW_CODE, "parent": STREET().pk})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    region = Region.objects.get(code=NEW_CODE)
    assert region.path == f"{STREET().path}{NEW_CODE}/"
    assert region.name == "新社区"


def test_region_rename_keeps_code_and_path(admin_user_verified, client, org):
    community = org.region("440311001001")
    path = community.path
    response = edit(client, community, name="光明社区（新）")
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.code, community.path) == ("光明社区（新）", "440311001001", path)
    assert path.endswith("/440311/440311001/440311001001/")


# --- org units ------------------------------------------------------------------------------
def test_unit_cannot_report_to_itself(admin_user_verified, client, org):
    response = edit(client, org.hr, parent=org.hr.pk)
    assert "A unit cannot report to itself or to a unit below it." in errors_of(response)["parent"]
    org.hr.refresh_from_db()
    assert org.hr.parent_id == org.district_centre.pk


def test_unit_cannot_report_to_a_unit_below_it(admin_user_verified, client, org):
    sub = unit_save(name="人力资源局劳动监察大队", kind=UnitKind.DEPARTMENT, region=org.hr.region, parent=org.hr)
    response = edit(client, org.hr, parent=sub.pk)
    assert "A unit cannot report to itself or to a unit below it." in errors_of(response)["parent"]
    org.hr.refresh_from_db()
    assert org.hr.parent_id == org.district_centre.pk
    assert org.hr.path == f"{org.district_centre.path}{org.hr.pk}/"


def test_centre_must_report_to_the_right_kind_of_centre(admin_user_verified, client, org):
    response = edit(client, org.community_centre, parent=org.hr.pk)
    assert "A Community centre must report to a Street centre." in errors_of(response)["parent"]
    org.community_centre.refresh_from_db()
    assert org.community_centre.parent_id == org.street_centre.pk


def test_moving_a_unit_repaths_it_and_everything_below(admin_user_verified, client, org):
    sub = unit_save(name="人力资源局劳动监察大队", kind=UnitKind.DEPARTMENT, region=org.hr.region, parent=org.hr)
    response = edit(client, org.hr, parent=org.street_centre.pk, name="光明区人力资源局（街道派驻）")
    assert response.status_code == 302
    org.hr.refresh_from_db()
    sub.refresh_from_db()
    assert org.hr.name == "光明区人力资源局（街道派驻）"
    assert org.hr.path == f"{org.street_centre.path}{org.hr.pk}/"
    assert sub.path == f"{org.hr.path}{sub.pk}/"
    assert OrgUnit.objects.filter(name="光明区人力资源局").count() == 0  # renamed in place, not copied


def test_deactivating_a_unit(admin_user_verified, client, org):
    response = edit(client, org.court, is_active=None)
    assert response.status_code == 302
    org.court.refresh_from_db()
    assert org.court.is_active is False


# --- memberships -------------------------------------------------------------------------------
def test_role_not_allowed_in_unit_kind_is_refused(admin_user_verified, client, org):
    clerk = make_user("clerk")
    response = client.post(
        reverse("admin:org_membership_add"),
        {"user": clerk.pk, "unit": org.community_centre.pk, "role": Role.COURT_CLERK, "title": "", "is_active": "on"},
    )
    assert "A Court clerk cannot belong to a Community centre." in errors_of(response)["role"]
    assert not Membership.objects.filter(user=clerk).exists()


def test_unit_and_role_of_an_existing_membership_stay_as_they_are(admin_user_verified, client, org):
    """A different role or unit is a new request (approved by a second person), never an edit of the old one."""
    user = make_user("op", unit=org.community_centre, role=Role.OPERATOR)
    membership = Membership.objects.get(user=user)
    response = edit(client, membership, role=Role.HANDLER, unit=org.hr.pk, title="科长")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.unit, membership.title) == (Role.OPERATOR, org.community_centre, "科长")


def test_membership_added_in_the_admin_waits_for_a_security_officer(admin_user_verified, client, org):
    user = make_user("handler")
    data = {"user": user.pk, "unit": org.hr.pk, "role": Role.HANDLER, "title": "科员", "is_active": "on"}
    assert "Say why the person needs the role." in errors_of(client.post(reverse("admin:org_membership_add"), data))[
        "reason"]
    response = client.post(reverse("admin:org_membership_add"), {**data, "reason": "新入职科员"})
    assert response.status_code == 302
    assert response.url == reverse("admin:org_grantrequest_changelist")
    assert not Membership.objects.filter(user=user).exists()  # nothing in effect yet
    request = GrantRequest.objects.get(user=user)
    assert (request.unit, request.role, request.title, request.requested_by) == (
        org.hr, Role.HANDLER, "科员", admin_user_verified)
    officer = make_user("officer", unit=org.district_centre, role=Role.SECURITY_OFFICER)
    membership_approve(actor=officer, request=request)
    assert Membership.objects.get(user=user, is_active=True).role == Role.HANDLER


def test_user_page_membership_inline_uses_the_same_rule(admin_user_verified, client, org):
    user = make_user("newbie", phone="13800138000")
    url = change_url(user)
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-unit": str(org.court.pk),
            "memberships-0-role": Role.OPERATOR,
            "memberships-0-title": "",
            "memberships-0-is_active": "on",
            "memberships-0-reason": "法院书记员",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "A Centre operator cannot belong to a Court." in inline_errors[0]["role"]
    assert not Membership.objects.filter(user=user).exists()
    data["memberships-0-role"] = Role.COURT_CLERK
    response = client.post(url, data)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=user).exists()  # asked for, not given
    assert GrantRequest.objects.get(user=user, status="pending").role == Role.COURT_CLERK


def test_user_page_refuses_a_role_for_oneself(admin_user_verified, client, org):
    url = change_url(admin_user_verified)
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update({"memberships-TOTAL_FORMS": str(int(data["memberships-TOTAL_FORMS"]) + 1)})
    n = int(data["memberships-TOTAL_FORMS"]) - 1
    data.update({f"memberships-{n}-unit": str(org.district_centre.pk), f"memberships-{n}-role": Role.OPERATOR,
                 f"memberships-{n}-title": "", f"memberships-{n}-is_active": "on", f"memberships-{n}-reason": "值班"})
    response = client.post(url, data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "Nobody can give a role to themselves." in " ".join(inline_errors[n]["role"])
    assert not Membership.objects.filter(user=admin_user_verified, role=Role.OPERATOR).exists()
    assert not GrantRequest.objects.filter(user=admin_user_verified).exists()


def test_user_list_masks_phone_numbers(admin_user_verified, client, org):
    make_user("resident1", phone="13912345678", name="居民甲")
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page


# --- service points and their QR codes ------------------------------------------------------------
def test_service_point_qr_encodes_the_intake_url(admin_user_verified, client, org, settings):
    settings.FQ_PUBLIC_BASE_URL = "https://fq.example.gov.cn"
    point = service_point_save(
        name="测试诉求服务站", level="station", region=org.community_centre.region, unit=org.community_centre
    )
    url = f"https://fq.example.gov.cn/report/?point={point.token}"
    assert report_url(point) == url
    response = client.get(reverse("admin:org_servicepoint_qr", args=[point.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content == svg_bytes(url)
    page = client.get(change_url(point)).content.decode()
    assert escape(url) in page
    assert "<svg" in page


def test_service_point_unit_must_serve_its_region(admin_user_verified, client, org):
    response = client.post(
        reverse("admin:org_servicepoint_add"),
        {
            "name": "错误的服务站",
            "level": "station",
            "place_kind": "other",
            "region": org.region("440311001001").pk,
            "unit": org.luohu_centre.pk,
            "address": "",
            "latitude": "",
            "longitude": "",
            "is_active": "on",
        },
    )
    assert "The operating unit must serve the point's region." in errors_of(response)["unit"]
    assert not ServicePoint.objects.filter(name="错误的服务站").exists()


# --- mediators and categories ------------------------------------------------------------------------
def test_mediator_in_a_unit_that_cannot_hold_mediators_is_refused(admin_user_verified, client, org):
    person = make_user("mediator1")
    response = client.post(
        reverse("admin:mediation_mediatorprofile_add"),
        {
            "user": person.pk,
            "unit": org.court.pk,
            "kind": "peoples_mediator",
            "specialties": ["family"],
            "languages": "普通话",
            "service_point": "",
            "bio": "",
            "is_available": "on",
        },
    )
    assert "A Mediator cannot belong to a Court." in errors_of(response)["unit"]
    assert not MediatorProfile.objects.filter(user=person).exists()
    assert not Membership.objects.filter(user=person).exists()


def test_mediator_registered_with_membership(admin_user_verified, client, org):
    person = make_user("mediator2")
    response = client.post(
        reverse("admin:mediation_mediatorprofile_add"),
        {
            "user": person.pk,
            "unit": org.community_centre.pk,
            "kind": "lawyer",
            "specialties": ["labour", "family"],
            "languages": "普通话",
            "service_point": "",
            "bio": "",
            "is_available": "on",
        },
    )
    assert response.status_code == 302
    assert MediatorProfile.objects.get(user=person).specialties == ["labour", "family"]
    # The mediator role comes with the registration, asked for like any role: in effect once a security officer approves.
    assert not Membership.objects.filter(user=person).exists()
    request = GrantRequest.objects.get(user=person, role=Role.MEDIATOR, unit=org.community_centre, status="pending")
    membership_approve(actor=make_user("officer", unit=org.district_centre, role=Role.SECURITY_OFFICER), request=request)
    assert Membership.objects.filter(user=person, role=Role.MEDIATOR, unit=org.community_centre, is_active=True).exists()


def test_nobody_registers_themselves_as_a_mediator(admin_user_verified, client, org):
    response = client.post(
        reverse("admin:mediation_mediatorprofile_add"),
        {"user": admin_user_verified.pk, "unit": org.community_centre.pk, "kind": "lawyer", "specialties": ["labour"],
         "languages": "普通话", "service_point": "", "bio": "", "is_available": "on"},
    )
    assert "Nobody can give a role to themselves." in " ".join(errors_of(response)["__all__"] + errors_of(response).get(
        "role", []))
    assert not MediatorProfile.objects.filter(user=admin_user_verified).exists()
    assert not Membership.objects.filter(user=admin_user_verified, role=Role.MEDIATOR).exists()


def test_category_third_level_is_refused(admin_user_verified, client, org):
    top = Category.objects.create(code="T01", name="测试一级")
    child = Category.objects.create(code="T01-01", name="测试二级", parent=top)
    response = client.post(
        reverse("admin:cases_category_add"),
        {"code": "T01-01-01", "name": "建筑工地欠薪", "parent": child.pk, "default_service_type": "complaint"},
    )
    assert "parent" in errors_of(response)
    assert not Category.objects.filter(code="T01-01-01").exists()


# --- cases are read-only, the timeline append-only -------------------------------------------------------
@pytest.fixture
def case(make_case):
    return make_case(title="楼上噪音")


def test_cases_are_not_in_the_admin(admin_user_verified, client, case):
    """Separation of duties: the administrator keeps the organisation, not the cases."""
    from django.contrib import admin

    assert not admin.site.is_registered(Case) and not admin.site.is_registered(CaseEvent)
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 404
    assert client.get("/admin/cases/caseevent/").status_code == 404
