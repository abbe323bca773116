"""Staff entry (walk-in / hotline) with the caller's history, and the grid worker's report."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case, Channel, Party
from fengqiao.intake.models import GridReport, PatrolType

from .conftest import HOME_COMMUNITY, LUOHU_COMMUNITY, OUTSIDE, fake_jpeg, photo, zh

pytestmark = pytest.mark.django_db
CALLER = "13566667777"


def staff_data(token="s-1", **overrides):
    data = {
        "submission_token": token, "channel": "hotline", "phone": CALLER, "applicant_name": "陈先生",
        "service_type": "mediation", "category": "", "title": "碧眼新村装修噪音扰民",
        "description": "楼上装修每天早上七点就开始电钻，多次沟通无果。", "community": HOME_COMMUNITY, "address": "碧眼新村5栋",
        "latitude": "", "longitude": "", "people_count": "2", "amount": "", "respondent": "楼上住户",
        "consent_contact": "on",
    }
    data.update(overrides)
    return data


def caller(phone=CALLER):
    return [cs.PartyInput(role=Party.PartyRole.APPLICANT, name="陈先生", phone=phone)]


@pytest.mark.parametrize("who", ["station", "op_community", "op_district"])
def test_intake_staff_open_the_form(cast, client_for, who):
    response = client_for(getattr(cast, who)).get(reverse("intake:staff_new"))
    assert response.status_code == 200
    assert 'hx-post="/intake/lookup/"' in response.content.decode()  # the phone never goes into a URL


@pytest.mark.parametrize("who", ["resident", "outsider", "grid", "handler", "admin"])
def test_others_are_refused(cast, client_for, who):
    assert client_for(getattr(cast, who)).get(reverse("intake:staff_new")).status_code == 403
    assert client_for(getattr(cast, who)).post(reverse("intake:staff_lookup"), {"phone": CALLER}).status_code == 403


def test_anonymous_is_sent_to_sign_in(anon):
    response = anon.get(reverse("intake:staff_new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_hotline_call_becomes_a_case_with_channel_and_operator(cast, client_for):
    client = client_for(cast.station)
    response = client.post(reverse("intake:staff_new"), staff_data())
    case = Case.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.code])
    assert (case.channel, case.reporter, case.region.code) == (Channel.HOTLINE, cast.station, HOME_COMMUNITY)
    assert case.title == "碧眼新村装修噪音扰民" and case.people_count == 2
    assert case.parties.get(role="applicant").phone == CALLER
    assert case.parties.get(role="respondent").name == "楼上住户"
    again = client.post(reverse("intake:staff_new"), staff_data())  # a double click on "save"
    assert again["Location"] == response["Location"] and Case.objects.filter(reporter=cast.station).count() == 1


def test_walk_in_with_validation_errors(cast, client_for):
    client = client_for(cast.op_community)
    response = client.post(reverse("intake:staff_new"), staff_data(channel="walk_in", phone="555", description="",
                                                                   latitude=OUTSIDE[0], longitude=OUTSIDE[1]))
    html = response.content.decode()
    assert response.status_code == 400
    assert zh(_("Please describe what happened in a few words (at least 5 characters).")) in html
    assert zh(_("This place is outside the area we serve. Please choose a place inside the district.")) in html
    assert "555" in html
    ok = client.post(reverse("intake:staff_new"), staff_data(channel="walk_in"))
    assert ok.status_code == 302 and Case.objects.latest("pk").channel == Channel.WALK_IN


def test_community_outside_the_operators_area_is_refused(cast, client_for):
    response = client_for(cast.op_community).post(reverse("intake:staff_new"), staff_data(community=LUOHU_COMMUNITY))
    assert response.status_code == 400
    assert zh(_("We do not know this community. Please choose one from the list.")) in response.content.decode()


def test_lookup_shows_the_callers_history_and_duplicates(cast, make_case, client_for):
    earlier = make_case(title="装修噪音", parties=caller())
    similar = make_case(title="碧眼新村装修噪音扰民严重", parties=caller("13000000000"))
    unrelated = make_case(title="工地欠薪", parties=caller("13000000001"))
    response = client_for(cast.op_community).post(
        reverse("intake:staff_lookup"),
        {"phone": CALLER, "community": HOME_COMMUNITY, "title": "碧眼新村装修噪音扰民", "description": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'data-code="{earlier.code}"' in html and f'data-code="{similar.code}"' in html
    assert unrelated.code not in html
    assert zh(_("same phone number")) in html


def test_luohu_operator_sees_no_guangming_history(cast, make_case, client_for):
    guangming = make_case(parties=caller())
    luohu = make_case(LUOHU_COMMUNITY, parties=caller())
    html = client_for(cast.luohu_op).post(reverse("intake:staff_lookup"), {"phone": CALLER}).content.decode()
    assert luohu.code in html and guangming.code not in html
    html = client_for(cast.op_community).post(reverse("intake:staff_lookup"), {"phone": CALLER}).content.decode()
    assert guangming.code in html and luohu.code not in html


def test_lookup_without_javascript_keeps_the_form_and_saves_nothing(cast, make_case, client_for):
    earlier = make_case(parties=caller())
    before = Case.objects.count()
    data = staff_data(description="")
    data["lookup"] = "1"
    response = client_for(cast.op_community).post(reverse("intake:staff_new"), data)
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == before
    assert earlier.code in html and 'value="碧眼新村装修噪音扰民"' in html
    assert 'class="field-error"' not in html


# --- grid -------------------------------------------------------------------------------------


def grid_data(token="g-1", **overrides):
    data = {"submission_token": token, "patrol_type": "immediate", "service_type": "complaint",
            "description": "光明大街12号门前井盖缺失，有行人跌落风险。", "community": HOME_COMMUNITY,
            "address": "光明大街12号", "latitude": "22.785", "longitude": "113.94", "people_count": "1"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["grid", "volunteer"])
def test_grid_report_becomes_a_grid_case(cast, client_for, who):
    user = getattr(cast, who)
    client = client_for(user)
    form = client.get(reverse("intake:grid_report")).content.decode()
    assert f'<option value="{HOME_COMMUNITY}" selected>' in form
    response = client.post(reverse("intake:grid_report"), {**grid_data(), "files": [photo()]})
    assert response.status_code == 302 and response["Location"] == reverse("intake:grid_reports")
    case = Case.objects.latest("pk")
    assert (case.channel, case.reporter, case.region.code) == (Channel.GRID, user, HOME_COMMUNITY)
    assert GridReport.objects.get(case=case).patrol_type == PatrolType.IMMEDIATE
    assert Attachment.objects.filter(case=case).count() == 1
    mine = client.get(reverse("intake:grid_reports")).content.decode()
    assert case.code in mine and zh(PatrolType.IMMEDIATE.label) in mine


def test_grid_report_refuses_a_fake_photo(cast, client_for):
    before = Case.objects.count()
    response = client_for(cast.grid).post(reverse("intake:grid_report"), {**grid_data(), "files": [fake_jpeg()]})
    assert response.status_code == 400 and Case.objects.count() == before


@pytest.mark.parametrize("who", ["resident", "station", "outsider"])
def test_only_grid_workers_and_volunteers_report(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("intake:grid_report")).status_code == 403
    assert client.get(reverse("intake:grid_reports")).status_code == 403
