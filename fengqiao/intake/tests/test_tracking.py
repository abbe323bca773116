"""/track/: code + last four digits, the public timeline only, the resident's own moves, files behind a check."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.cases.workflow import Action, Status
from fengqiao.core.reasons import render_all

from .conftest import LUOHU_COMMUNITY, fake_jpeg, photo, zh

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
GENERIC = "We could not find a case with this code and these digits. Check both and try again."


@pytest.fixture
def case(make_case):
    return make_case(parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=PHONE)])


def verified(case, digits="5678") -> Client:
    client = Client()
    response = client.post(reverse("intake:track"), {"code": case.code.lower(), "digits": digits})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("intake:track_case", args=[case.code])
    return client


def resolve(case, cast, org):
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr)
    cs.case_sign(case=case, actor=cast.handler)
    cs.case_start(case=case, actor=cast.handler)
    cs.case_resolve(case=case, actor=cast.handler, outcome="resolved", note="已协调物业修复路灯，并回访确认。")
    return Case.objects.get(pk=case.pk)


def test_right_digits_open_the_case_in_plain_words(case):
    client = verified(case)
    page = client.get(reverse("intake:track_case", args=[case.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert zh(_("Received — we are checking it")) in html
    assert case.holder_unit.name in html
    assert 'data-testid="due"' in html  # the current deadline


@pytest.mark.parametrize(("code", "digits"), [("right", "0000"), ("GM-2000-999999", "5678"), ("GM-2000-999999", "0000")])
def test_wrong_code_or_digits_give_one_generic_message(case, anon, code, digits):
    response = anon.post(reverse("intake:track"), {"code": case.code if code == "right" else code, "digits": digits})
    assert response.status_code == 400
    assert zh(_(GENERIC)) in response.content.decode()
    assert anon.get(reverse("intake:track_case", args=[case.code])).status_code == 302


def test_verification_is_remembered_for_that_code_only(case, make_case):
    other = make_case(parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="李", phone=PHONE)])
    client = verified(case)
    assert client.get(reverse("intake:track_case", args=[case.code])).status_code == 200
    response = client.get(reverse("intake:track_case", args=[other.code]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("intake:track"))


def test_internal_notes_and_personal_data_reads_never_show(case, cast):
    cs.case_note(case=case, actor=cast.op_community, text="申请人情绪激动，注意沟通方式", internal=True)
    cs.case_reveal_personal_data(case=case, actor=cast.op_community, reason="核实身份用于回访")
    cs.case_note(case=case, actor=cast.op_community, text="已电话联系您，明天上门查看。", internal=False)
    html = verified(case).get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert "申请人情绪激动" not in html and "核实身份用于回访" not in html
    assert zh(Action.NOTE.label) not in html  # "internal note" is the workbench's word, not the resident's
    assert 'data-action="pii_reveal"' not in html
    assert "已电话联系您，明天上门查看。" in html


def test_resident_adds_text_and_a_photo(case):
    client = verified(case)
    response = client.post(reverse("intake:track_act", args=[case.code, "add"]),
                           {"version": case.version, "text": "补充：晚上九点后特别暗。", "files": [photo()]})
    assert response.status_code == 302
    notes = CaseEvent.objects.filter(case=case, action=Action.NOTE, is_public=True)
    assert notes.filter(reason="补充：晚上九点后特别暗。", actor__isnull=True).exists()
    attachment = Attachment.objects.get(case=case)
    assert attachment.is_public and attachment.content_type == "image/png"
    page = client.get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert reverse("intake:attachment", args=[attachment.pk]) in page


def test_what_the_resident_adds_is_graded_again_and_named_as_theirs(case, cast, client_for):
    assert case.grade == "green"
    client = verified(case)
    response = client.post(reverse("intake:track_act", args=[case.code, "add"]),
                           {"version": case.version, "text": "楼下有人扬言要跳楼，情况紧急。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.grade == "red" and any("跳楼" in r for r in render_all(case.grade_reasons))
    assert case.events.filter(action=Action.REGRADE, actor__isnull=True).exists()
    page = client.get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert zh(_("What you added")) in page and "楼下有人扬言要跳楼" in page
    # staff read it as the resident's information, not as an internal note of the platform
    staff = client_for(cast.op_community).get(reverse("cases:detail", args=[case.code])).content.decode()
    line = staff[staff.index('class="event event-note'):]
    line = line[: line.index("</li>")]
    assert zh(_("Information added by the resident")) in line and zh(_("the resident")) in line
    assert zh(Action.NOTE.label) not in line and "internal" not in line
    submitted = staff[staff.index('class="event event-submit'):]
    assert zh(_("the resident")) in submitted[: submitted.index("</li>")]  # the web form: the resident, not "platform"


def test_who_made_an_event_without_an_account(make_case):
    from fengqiao.cases.models import Channel

    web = make_case().events.get(action=Action.SUBMIT)
    imported = make_case(channel=Channel.IMPORT).events.get(action=Action.SUBMIT)
    assert web.by_resident and not imported.by_resident  # an import is the platform's doing


def test_adding_nothing_or_a_fake_photo_is_refused(case):
    client = verified(case)
    url = reverse("intake:track_act", args=[case.code, "add"])
    empty = client.post(url, {"version": case.version, "text": ""})
    assert empty.status_code == 400 and zh(_("Write something or attach a file.")) in empty.content.decode()
    fake = client.post(url, {"version": case.version, "text": "看照片", "files": [fake_jpeg()]})
    assert fake.status_code == 400
    assert not CaseEvent.objects.filter(case=case, reason="看照片").exists()


def test_resident_withdraws(case):
    client = verified(case)
    response = client.post(reverse("intake:track_act", args=[case.code, "withdraw"]),
                           {"version": case.version, "reason": "已自行解决"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    page = client.get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert 'data-action="withdraw"' in page and "已自行解决" in page


def test_stale_version_is_refused_and_changes_nothing(case, cast):
    client = verified(case)
    version = case.version
    cs.case_accept(case=case, actor=cast.op_community)
    response = client.post(reverse("intake:track_act", args=[case.code, "withdraw"]), {"version": version})
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_resident_confirms_and_rates(case, cast, org):
    case = resolve(case, cast, org)
    client = verified(case)
    page = client.get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert "已协调物业修复路灯" in page and 'data-action="confirm"' in page
    response = client.post(reverse("intake:track_act", args=[case.code, "confirm"]),
                           {"version": case.version, "satisfaction": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CONFIRMED, "satisfied")
    assert case.events.get(action=Action.CONFIRM).data == {"by": "resident"}


def test_resident_rejects_the_outcome_and_the_case_reopens(case, cast, org):
    case = resolve(case, cast, org)
    client = verified(case)
    url = reverse("intake:track_act", args=[case.code, "reopen"])
    missing = client.post(url, {"version": case.version, "reason": ""})
    assert missing.status_code == 400
    assert zh(_("Tell us what is still not solved, so that it can be handled again.")) in missing.content.decode()
    response = client.post(url, {"version": case.version, "reason": "路灯修好两天又坏了。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.satisfaction) == (Status.IN_PROGRESS, 1, "dissatisfied")
    assert case.events.filter(action=Action.REOPEN, reason="路灯修好两天又坏了。").exists()


def test_confirm_is_not_offered_before_the_case_is_resolved(case):
    client = verified(case)
    response = client.post(reverse("intake:track_act", args=[case.code, "confirm"]),
                           {"version": case.version, "satisfaction": "satisfied"})
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_signed_in_applicant_needs_no_digits(cast, make_case, client):
    case = make_case(applicant_user=cast.resident)
    client.force_login(cast.resident)
    assert client.get(reverse("intake:track_case", args=[case.code])).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(reverse("intake:track_case", args=[case.code])).status_code == 302


def test_tracking_attempts_are_rate_limited_per_ip(case, anon, settings):
    settings.FQ_RATE_TRACK_IP = "3/h"
    for _attempt in range(3):
        assert anon.post(reverse("intake:track"), {"code": case.code, "digits": "0000"}).status_code == 400
    limited = anon.post(reverse("intake:track"), {"code": case.code, "digits": "5678"})
    assert limited.status_code == 429
    html = limited.content.decode()
    assert zh(_("Too many attempts")) in html
    assert "You have tried this too often in a short time. Please wait a while and try again later." in html


# --- files -------------------------------------------------------------------------------------


@pytest.fixture
def files(case, cast):
    public = cs.case_attach(case=case, actor=None, upload=photo("public.png"))
    other_png = SimpleUploadedFile("internal.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    internal = cs.case_attach(case=case, actor=cast.op_community, upload=other_png, is_public=False)
    return public, internal


def test_verified_resident_downloads_public_files_only(case, files):
    public, internal = files
    client = verified(case)
    response = client.get(reverse("intake:attachment", args=[public.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "private" in response["Cache-Control"]
    assert client.get(reverse("intake:attachment", args=[internal.pk])).status_code == 404


def test_staff_who_may_see_the_case_download_everything(case, files, cast, client_for):
    public, internal = files
    staff = client_for(cast.op_community)
    assert staff.get(reverse("intake:attachment", args=[public.pk])).status_code == 200
    assert staff.get(reverse("intake:attachment", args=[internal.pk])).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "luohu_op", "outsider", "resident"])
def test_everyone_else_gets_404(case, files, cast, client_for, who):
    public, internal = files
    client = Client() if who == "anonymous" else client_for(getattr(cast, who))
    for attachment in (public, internal):
        assert client.get(reverse("intake:attachment", args=[attachment.pk])).status_code == 404


def test_luohu_operator_cannot_see_a_luohu_file_of_guangming(make_case, cast, client_for):
    luohu_case = make_case(LUOHU_COMMUNITY)
    attachment = cs.case_attach(case=luohu_case, actor=None, upload=photo())
    assert client_for(cast.luohu_op).get(reverse("intake:attachment", args=[attachment.pk])).status_code == 200
    assert client_for(cast.op_community).get(reverse("intake:attachment", args=[attachment.pk])).status_code == 404
