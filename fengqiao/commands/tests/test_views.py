"""Commands on the web: issue from the case page, the command page and its live part, check in, close; who sees what."""

from __future__ import annotations

import pytest

from fengqiao.commands.models import Command, CommandTarget, Flag, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case):
    return make_case()


def _issue_through_the_page(client, case, org, level=Level.URGENT):
    return client.post(f"/commands/new/{case.code}/", {
        "issuer": org.street_centre.pk, "level": level, "units": [org.hr.pk, org.housing.pk],
        "instructions": "立即到现场处置"})


def test_the_case_page_offers_the_command_form_to_a_centre_and_not_to_a_department(client_for, cast, case, org):
    page = client_for(cast.op_street).get(f"/cases/{case.code}/")
    assert b"data-commands" in page.content and f"/commands/new/{case.code}/".encode() in page.content
    assert org.hr.name.encode() in page.content  # a department of the district is offered
    assert b"/commands/new/" not in client_for(cast.auditor).get(f"/cases/{case.code}/").content


def test_issue_sign_check_in_and_see_it_live(client_for, cast, case, org, people):
    operator = client_for(cast.op_street)
    response = _issue_through_the_page(operator, case, org)
    command = Command.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == f"/commands/{command.number}/"
    assert command.status == Command.Status.AWAITING_SIGNATURE
    head = client_for(people.head)
    assert b'id="sign"' in head.get(f"/commands/{command.number}/").content
    head.post(f"/commands/{command.number}/sign/")
    command.refresh_from_db()
    assert command.status == Command.Status.ISSUED

    hr_target = command.targets.get(unit=org.hr)
    hr = client_for(cast.handler)
    page = hr.get(f"/commands/{command.number}/")
    assert f"/commands/{command.number}/check-in/{hr_target.pk}/".encode() in page.content
    assert f"/commands/{command.number}/live/".encode() in page.content and b'hx-trigger="every 5s"' in page.content
    hr.post(f"/commands/{command.number}/check-in/{hr_target.pk}/", {
        f"t{hr_target.pk}-mode": "online", f"t{hr_target.pk}-people": [str(cast.handler.pk)]})
    hr_target.refresh_from_db()
    assert hr_target.status == CommandTarget.Status.CHECKED_IN
    assert set(hr_target.flags) == {Flag.UNDER_RANKED, Flag.SHORT_HANDED, Flag.ONLINE}
    # the issuing centre sees it in the live part, in its language
    live = operator.get(f"/commands/{command.number}/live/", HTTP_ACCEPT_LANGUAGE="en")
    assert live.status_code == 200
    assert b"Below the required rank" in live.content or "职级不够".encode() in live.content
    assert b'data-flags="under_ranked,short_handed,online"' in live.content

    operator.post(f"/commands/{command.number}/post/", {"text": "街道已安排场地"})
    operator.post(f"/commands/{command.number}/confirm/", {"reason": ""})
    command.refresh_from_db()
    assert command.status == Command.Status.ISSUED  # housing has not checked in: a reason is needed
    operator.post(f"/commands/{command.number}/confirm/", {"reason": "住建局电话确认已派员，现场已处置"})
    command.refresh_from_db()
    assert command.status == Command.Status.FULFILLED


def test_outsiders_learn_nothing(client_for, cast, case, org, people):
    _issue_through_the_page(client_for(cast.op_street), case, org)
    number = Command.objects.get(case=case).number
    for user in (cast.luohu_op, cast.mediator, cast.resident):
        assert client_for(user).get(f"/commands/{number}/").status_code == 404
        assert client_for(user).get(f"/commands/{number}/live/").status_code == 404
    # a department not commanded cannot check in for one that is
    hr_target = Command.objects.get(case=case).targets.get(unit=org.hr)
    client_for(cast.handler_other).post(f"/commands/{number}/check-in/{hr_target.pk}/", {
        f"t{hr_target.pk}-mode": "online", f"t{hr_target.pk}-people": [str(cast.handler_other.pk)]})
    hr_target.refresh_from_db()
    assert hr_target.status == CommandTarget.Status.WAITING


def test_a_command_to_a_unit_of_another_district_is_refused_with_its_name(client_for, cast, case, org):
    from fengqiao.org.models import OrgUnit

    luohu = OrgUnit.objects.filter(region__path__contains="/440303/").exclude(kind__endswith="centre").first()
    response = client_for(cast.op_street).post(f"/commands/new/{case.code}/", {
        "issuer": org.street_centre.pk, "level": Level.URGENT, "units": [luohu.pk], "instructions": "到场"},
        follow=True)
    assert not Command.objects.exists()
    assert response.status_code == 200  # back on the case page with the message


def test_a_check_in_photo_is_stored_under_a_neutral_name_and_served_to_the_group_only(client_for, cast, case, org,
                                                                                       people, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    _issue_through_the_page(client_for(cast.op_street), case, org)
    command = Command.objects.get(case=case)
    client_for(people.head).post(f"/commands/{command.number}/sign/")
    target = command.targets.get(unit=org.hr)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = SimpleUploadedFile("张三13800138000.jpg", buffer.getvalue(), content_type="image/jpeg")
    client_for(cast.handler).post(f"/commands/{command.number}/check-in/{target.pk}/", {
        f"t{target.pk}-mode": "online", f"t{target.pk}-people": [str(cast.handler.pk)], f"t{target.pk}-photo": photo})
    target.refresh_from_db()
    stored = target.checkin.photo.name
    assert stored.endswith(f"{command.number}-{org.hr.pk}.jpg") and "13800138000" not in stored
    url = f"/commands/{command.number}/photo/{target.pk}/"
    assert client_for(cast.op_street).get(url).status_code == 200
    assert client_for(cast.luohu_op).get(url).status_code == 404
