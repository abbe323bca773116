"""The resident's way in: `/` is the portal, the community list starts where the resident is, the confirmation says
one thing, length limits speak the resident's words, and /report/ is cheap to draw."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fengqiao.cases.models import Case
from fengqiao.intake import forms as intake_forms
from fengqiao.intake.places import forget_community_groups
from fengqiao.intake.qr import qr_place_save
from fengqiao.intake.views import LAST_DISTRICT
from fengqiao.org.models import Region

from .conftest import HOME_COMMUNITY, LUOHU_COMMUNITY, report_data

pytestmark = pytest.mark.django_db
DJANGO_TOO_LONG = ("Ensure this value has at most", "确保该值不超过")


def optgroups(html: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]+)"', html)


# --- the front door ----------------------------------------------------------------------------------


def test_a_visitor_at_the_root_sees_the_resident_portal_with_a_smaller_staff_sign_in(anon):
    response = anon.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for url in (reverse("intake:report"), reverse("intake:track"), reverse("intake:signup")):
        assert f'href="{url}"' in html
    assert 'data-testid="staff-signin"' in html and f'href="{reverse("accounts:login")}"' in html


def test_a_signed_in_user_at_the_root_gets_their_home(cast, client_for):
    html = client_for(cast.op_community).get("/").content.decode()
    assert 'data-testid="portal"' not in html and "data-role" in html


# --- the community list --------------------------------------------------------------------------------


def test_without_a_hint_the_home_district_comes_first(anon, settings):
    assert optgroups(anon.get("/report/").content.decode())[0].startswith("光明区")  # before: Luohu, by code order
    settings.FQ_HOME_DISTRICT = "440303"
    assert optgroups(anon.get("/report/").content.decode())[0].startswith("罗湖区")


def test_a_guangming_qr_code_puts_guangming_first(anon, settings):
    settings.FQ_HOME_DISTRICT = "440303"  # a Luohu platform: only the QR code says Guangming
    place = qr_place_save(name="测试二维码", region=Region.objects.get(code=HOME_COMMUNITY))
    assert optgroups(anon.get("/report/").content.decode())[0].startswith("罗湖区")
    groups = optgroups(anon.get(f"/report/?place={place.token}").content.decode())
    assert groups[0].startswith("光明区") and any(g.startswith("罗湖区") for g in groups)
    assert len(groups) == len(set(groups))  # every street once


def test_the_last_district_chosen_comes_first_next_time(anon):
    response = anon.post("/report/", report_data(token="tok-last", community=HOME_COMMUNITY))
    assert response.status_code == 302
    assert anon.session[LAST_DISTRICT] == "440311"
    assert optgroups(anon.get("/report/").content.decode())[0].startswith("光明区")
    response = anon.post("/report/", report_data(token="tok-luohu", community=LUOHU_COMMUNITY, phone="13912345670"))
    assert response.status_code == 302
    assert optgroups(anon.get("/report/").content.decode())[0].startswith("罗湖区")


def test_report_page_reads_no_outlines_and_no_database_once_warm(anon):
    forget_community_groups()
    with CaptureQueriesContext(connection) as cold:
        assert anon.get("/report/").status_code == 200
    assert not any("boundary" in q["sql"] for q in cold.captured_queries)  # 0.2 s of JSON per page before
    with CaptureQueriesContext(connection) as warm:
        assert anon.get("/report/").status_code == 200
    assert len(warm.captured_queries) == 0


def test_report_page_query_budget(anon, django_assert_max_num_queries):
    anon.get("/report/")
    with django_assert_max_num_queries(0):
        anon.get("/report/")


def test_a_new_community_shows_at_once(anon):
    anon.get("/report/")
    street = Region.objects.get(code=HOME_COMMUNITY).parent
    Region.objects.create(code="440311001099", name="测试新社区", level="community", parent=street)
    assert "测试新社区" in anon.get("/report/").content.decode()


# --- the confirmation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_confirmation_says_one_thing_with_or_without_a_phone(anon, language):
    anon.cookies["django_language"] = language
    with_phone = anon.post("/report/", report_data(token="tok-p"), follow=True).content.decode()
    without = anon.post("/report/", report_data(token="tok-a", identity="anonymous", name="", phone=""),
                        follow=True).content.decode()
    with translation.override(language):
        any_device = str(translation.gettext(
            "Keep the code (take a screenshot). With it and the last four digits of your phone number you can follow "
            "the demand on any device."))
    assert any_device in with_phone and 'data-follow="phone"' in with_phone
    assert any_device not in without and 'data-follow="browser"' in without
    for phrase in ("last four digits", "手机号码后四位", "any device", "任何设备"):
        assert phrase not in without.split('data-testid="next-steps"')[1].split("</ol>")[0]


def test_a_signed_in_resident_without_a_phone_is_sent_to_my_demands(cast, client_for):
    client = client_for(cast.resident)
    cast.resident.phone = ""
    cast.resident.save(update_fields=["phone"])
    page = client.post("/report/", report_data(token="tok-acc", identity="anonymous", name="", phone=""), follow=True)
    assert 'data-follow="account"' in page.content.decode()
    assert Case.objects.filter(applicant_user=cast.resident).exists()


# --- length limits -------------------------------------------------------------------------------------------


PUBLIC_FORMS = [intake_forms.ReportForm, intake_forms.TrackForm, intake_forms.AddInfoForm, intake_forms.WithdrawForm,
                intake_forms.ReopenForm, intake_forms.SignupForm]


@pytest.mark.parametrize("form_class", PUBLIC_FORMS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_length_limit_of_the_public_forms_speaks_the_residents_words(form_class, language):
    form = form_class()
    limited = [name for name, f in form.fields.items() if getattr(f, "max_length", None)]
    assert limited
    with translation.override(language):
        bound = form_class({name: "长" * (form.fields[name].max_length + 1) for name in limited})
        bound.is_valid()
        for name in limited:
            messages = " ".join(bound.errors.get(name, []))
            assert messages, name
            assert not any(phrase in messages for phrase in DJANGO_TOO_LONG), (name, messages)


def test_a_too_long_description_says_so_in_chinese(anon):
    response = anon.post("/report/", report_data(token="tok-long", description="路灯坏了。" * 1001))
    html = response.content.decode()
    assert response.status_code == 400
    assert "描述过长：您写了5005个字，最多5000个字" in html
