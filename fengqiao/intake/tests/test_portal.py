"""The public form /report/: every validation message, QR pre-fill, idempotent re-posts, signed-in residents."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.cases.models import Attachment, Case, Channel, Party
from fengqiao.intake.models import IdempotencyRecord
from fengqiao.intake.qr import demo_token, qr_place_save
from fengqiao.org.models import Region, ServicePoint

from .conftest import HOME_COMMUNITY, INSIDE, OUTSIDE, big_jpeg, fake_jpeg, photo, report_data, zh

pytestmark = pytest.mark.django_db
URL = "/report/"


def errors_of(response) -> list[str]:
    return re.findall(r'<p class="field-error" role="alert">(.*?)</p>', response.content.decode())


def post(client, data, files=None):
    payload = dict(data)
    if files:
        payload["files"] = files
    return client.post(URL, payload)


def test_form_renders_in_chinese_with_the_five_services_and_a_one_time_token(anon):
    response = anon.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in html
    for value in ("mediation", "legal", "psychological", "assistance", "complaint"):
        assert f'value="{value}"' in html
    assert re.search(r'name="submission_token" value="[0-9a-f]{32}"', html)
    assert "光明街道" in html and "桂园街道" in html  # communities grouped by street in both districts
    assert "vendor/leaflet/leaflet.js" in html


def test_a_valid_demand_becomes_a_web_case_with_its_files(anon):
    before = Case.objects.count()
    response = post(anon, report_data(), files=[photo("a.png"), photo("b.png")])
    assert response.status_code == 302
    case = Case.objects.get(pk=Case.objects.latest("pk").pk)
    assert Case.objects.count() == before + 1
    assert response["Location"] == reverse("intake:done", args=[case.code])
    assert case.channel == Channel.WEB and case.region.code == HOME_COMMUNITY
    assert case.address == "碧眼新村3栋门口" and not case.is_anonymous and case.consent_contact
    applicant = case.parties.get(role=Party.PartyRole.APPLICANT)
    assert (applicant.name, applicant.phone) == ("王小梅", "13912345678")
    assert Attachment.objects.filter(case=case).count() == 1  # the same photo twice is kept once
    done = anon.get(response["Location"])
    assert case.code in done.content.decode()
    assert reverse("intake:track_case", args=[case.code]) in done.content.decode()


def test_missing_description(anon):
    response = post(anon, report_data(description=""))
    assert response.status_code == 400
    assert zh(_("Please describe what happened in a few words (at least 5 characters).")) in errors_of(response)


def test_unknown_community(anon):
    response = post(anon, report_data(community="999999999999"))
    assert zh(_("We do not know this community. Please choose one from the list.")) in errors_of(response)


def test_no_place_at_all(anon):
    response = post(anon, report_data(community=""))
    assert zh(_("Choose your community, or put a pin on the map.")) in errors_of(response)


def test_bad_phone(anon):
    response = post(anon, report_data(phone="12345"))
    expected = zh(_("“%(phone)s” is not a phone number. Give an 11-digit mobile number or a landline with its area code.")
                  % {"phone": "12345"})
    assert expected in errors_of(response)


def test_named_demand_needs_name_and_phone(anon):
    response = post(anon, report_data(name="", phone=""))
    errors = errors_of(response)
    assert zh(_("Please tell us your name.")) in errors
    assert zh(_("Please give a phone number so that we can reach you.")) in errors


def test_coordinates_outside_the_served_area(anon):
    response = post(anon, report_data(community="", latitude=OUTSIDE[0], longitude=OUTSIDE[1]))
    assert zh(_("This place is outside the area we serve. Please choose a place inside the district.")) in errors_of(response)


def test_coordinates_half_given_or_not_numbers(anon):
    assert zh(_("Give both latitude and longitude, or leave both empty.")) in errors_of(
        post(anon, report_data(latitude=INSIDE[0])))
    assert zh(_("The position is not a valid latitude and longitude.")) in errors_of(
        post(anon, report_data(latitude="north", longitude="east")))


def test_pin_in_another_district_than_the_community(anon):
    response = post(anon, report_data(community="440303001001", latitude=INSIDE[0], longitude=INSIDE[1]))
    assert zh(_("The pin on the map is not in the district of the community you chose.")) in errors_of(response)


def test_a_pin_alone_places_the_case_in_its_district(anon):
    response = post(anon, report_data(community="", latitude=INSIDE[0], longitude=INSIDE[1]))
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert case.region.code == "440311" and (case.latitude, case.longitude) == (22.7797, 113.935)


def test_too_big_attachment_saves_nothing(anon, settings):
    settings.FQ_MAX_UPLOAD_MB = 1
    cases, files = Case.objects.count(), Attachment.objects.count()
    response = post(anon, report_data(), files=[big_jpeg(1.5)])
    assert response.status_code == 400
    upload = big_jpeg(1.5)
    expected = zh(_("“%(name)s” is too big (%(size).1f MB). Files can be at most %(limit)d MB.")
                  % {"name": "big.jpg", "size": upload.size / 1024 / 1024, "limit": 1})
    assert expected in errors_of(response)
    assert (Case.objects.count(), Attachment.objects.count()) == (cases, files)
    assert not IdempotencyRecord.objects.filter(key="tok-1").exists()


def test_wrong_type_judged_by_content_saves_nothing(anon):
    cases = Case.objects.count()
    response = post(anon, report_data(), files=[photo(), fake_jpeg("holiday.jpg")])
    expected = zh(_("“%(name)s” is not a photo, a recording or a PDF. Please attach JPG, PNG, PDF, MP3, M4A, AMR or WAV files.")
                  % {"name": "holiday.jpg"})
    assert expected in errors_of(response)
    assert Case.objects.count() == cases
    assert zh(_("For your safety, files are not kept when the form has to be corrected: please choose them again.")) in (
        response.content.decode())


def test_anonymous_only_for_complaints(anon):
    response = post(anon, report_data(service_type="mediation", identity="anonymous", name="", phone=""))
    assert zh(_("Only complaints and suggestions can be made anonymously. For this kind of help we need your name "
                "and phone number to help you.")) in errors_of(response)
    ok = post(anon, report_data(identity="anonymous", name="", phone=""))
    assert ok.status_code == 302
    case = Case.objects.latest("pk")
    assert case.is_anonymous and not case.consent_contact and not case.parties.exists()


def test_psychological_help_is_confidential_and_needs_its_consent(anon):
    refused = post(anon, report_data(service_type="psychological"))
    assert zh(_("Psychological help is confidential. Please agree that we record what a counsellor needs to help you.")) in (
        errors_of(refused))
    assert zh(_("Psychological help is confidential")) in refused.content.decode()
    ok = post(anon, report_data(service_type="psychological", consent_sensitive="on"))
    assert ok.status_code == 302
    assert Case.objects.latest("pk").consent_sensitive


def test_consent_is_required(anon):
    data = report_data()
    del data["consent"]
    assert zh(_("Please agree, so that we may handle your demand.")) in errors_of(post(anon, data))


def test_dispute_details_are_kept(anon):
    response = post(anon, report_data(service_type="mediation", people_count="12", amount="36000",
                                      respondent="某某建筑劳务公司"))
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert (case.people_count, str(case.amount)) == (12, "36000.00")
    assert case.parties.get(role=Party.PartyRole.RESPONDENT).name == "某某建筑劳务公司"
    bad = post(anon, report_data(token="tok-2", people_count="0", amount="-5"))
    assert zh(_("At least one person is involved.")) in errors_of(bad)
    assert zh(_("The money involved cannot be negative.")) in errors_of(bad)


def test_double_tap_returns_the_same_case(anon):
    before = Case.objects.count()
    first = post(anon, report_data(token="same-token"), files=[photo()])
    second = post(anon, report_data(token="same-token"), files=[photo()])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == before + 1


def test_same_token_for_a_different_demand_is_not_a_replay(anon):
    first = post(anon, report_data(token="t-9"))
    changed = post(anon, report_data(token="t-9", description="另一件事情：楼下餐馆油烟很大，影响居民生活。"))
    assert changed.status_code == 409
    code = first["Location"].rstrip("/").split("/")[-1]
    assert code in changed.content.decode()
    assert 'value="t-9"' not in changed.content.decode()  # a fresh token: sending again makes a new case


def test_qr_point_prefills_the_place(anon):
    point = ServicePoint.objects.filter(region__code=HOME_COMMUNITY).order_by("name").first()
    html = anon.get(URL, {"point": point.token}).content.decode()
    assert point.name in html
    assert f'<option value="{HOME_COMMUNITY}" selected>' in html
    response = post(anon, report_data(point=point.token))
    assert response.status_code == 302
    assert Case.objects.latest("pk").service_point == point


def test_qr_place_prefills_building_and_position(anon):
    region = Region.objects.get(code=HOME_COMMUNITY)
    place = qr_place_save(name="光明社区碧眼新村3栋", region=region, address="光明街道碧眼新村3栋",
                          latitude=22.7797, longitude=113.935, token=demo_token("t"))
    html = anon.get(URL, {"place": place.token}).content.decode()
    assert "光明社区碧眼新村3栋" in html and 'value="22.7797"' in html
    response = post(anon, report_data(place=place.token, community="", address="", latitude="", longitude=""))
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert case.region == region and case.address == "光明街道碧眼新村3栋"
    assert (case.latitude, case.longitude) == (22.7797, 113.935)


def test_unknown_qr_code_says_so_and_the_form_still_works(anon):
    response = anon.get(URL, {"point": "no-such-token"})
    assert response.status_code == 200
    html = response.content.decode()
    assert zh(_("We do not recognise this QR code (it may be old). You can still use the form: choose your community below.")) in html
    assert 'name="description"' in html
    assert post(anon, report_data(point="no-such-token")).status_code == 302


def test_signed_in_resident_owns_the_case(cast, client):
    client.force_login(cast.resident)
    response = post(client, report_data())
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert case.applicant_user == cast.resident
    assert case.code in client.get(reverse("intake:my_cases")).content.decode()


def test_confirmation_page_only_for_the_browser_that_sent_it(anon, make_case):
    case = make_case()
    response = anon.get(reverse("intake:done", args=[case.code]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("intake:track"))


def test_submissions_are_rate_limited_per_ip(anon, settings):
    settings.FQ_RATE_SUBMIT_IP = "2/h"
    assert post(anon, report_data(token="r1")).status_code == 302
    assert post(anon, report_data(token="r2")).status_code == 302
    limited = post(anon, report_data(token="r3"))
    assert limited.status_code == 429
    assert zh(_("Too many attempts")) in limited.content.decode()


def test_submissions_are_rate_limited_per_phone(anon, settings):
    settings.FQ_RATE_SUBMIT_PHONE = "1/h"
    assert post(anon, report_data(token="p1")).status_code == 302
    assert post(anon, report_data(token="p1")).status_code == 302  # a replay is not a new submission
    assert post(anon, report_data(token="p2")).status_code == 429
    assert post(anon, report_data(token="p3", phone="13600001234")).status_code == 302


def test_map_outline_is_served_locally(anon):
    data = anon.get(reverse("intake:area")).json()
    assert {f["properties"]["code"] for f in data["features"]} == {"440311", "440303"}
