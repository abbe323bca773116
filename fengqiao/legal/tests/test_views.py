"""The pages: the mediator files in two clicks, the clerk's inbox and actions, scoping (404 outside), bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.legal import services as ls
from fengqiao.legal.models import ConfirmationApplication, Linkage
from fengqiao.org.models import Region

pytestmark = pytest.mark.django_db
S = ConfirmationApplication.Status


def test_mediator_files_from_the_desk_in_two_clicks(agreement, cast, client_for, org):
    client = client_for(cast.mediator)
    desk = client.get(reverse("legal:home"))
    assert desk.status_code == 200
    apply_url = reverse("legal:apply", args=[agreement.pk])
    assert apply_url in desk.content.decode()  # click 1: the agreement's button
    page = client.get(apply_url)
    text = page.content.decode()
    assert page.status_code == 200 and "光明区法院" in text and "王**" in text and "王小梅" not in text
    filed = client.post(apply_url, {"court": org.court.pk, "matter_type": "civil"})  # click 2: file
    app = ConfirmationApplication.objects.get(agreement=agreement)
    assert filed.status_code == 302 and filed.url == reverse("legal:application", args=[app.pk])
    assert client.get(filed.url).status_code == 200


def test_bad_input_shows_the_reason_and_writes_nothing(agreement_maker, cast, client_for, org):
    client = client_for(cast.mediator)
    old = agreement_maker(effective_at=timezone.now() - timedelta(days=40))
    response = client.post(reverse("legal:apply", args=[old.pk]), {"court": org.court.pk, "matter_type": "civil"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert not ConfirmationApplication.objects.exists()
    response = client.post(reverse("legal:apply", args=[old.pk]),
                           {"court": org.court.pk, "matter_type": "marriage", "late_acknowledged": "on",
                            "late_reason": "外出务工"})
    assert response.status_code == 400 and not ConfirmationApplication.objects.exists()


def test_clerk_inbox_accept_and_ruling(agreement, cast, client_for):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    clerk = client_for(cast.court)
    inbox = clerk.get(reverse("legal:court"))
    assert inbox.status_code == 200 and agreement.number in inbox.content.decode()
    early = clerk.post(reverse("legal:application_act", args=[app.pk, "rule"]),
                       {"rule-decision": "confirm", "rule-ruling_number": "(2026)粤0311民特5号",
                        "rule-ruling_date": timezone.localdate().isoformat()})
    assert early.status_code == 400
    app.refresh_from_db()
    assert app.status == S.FILED
    assert clerk.post(reverse("legal:application_act", args=[app.pk, "accept"]), {"accept-court_case_number": ""}
                      ).status_code == 302
    done = clerk.post(reverse("legal:application_act", args=[app.pk, "rule"]),
                      {"rule-decision": "confirm", "rule-ruling_number": "(2026)粤0311民特5号",
                       "rule-ruling_date": timezone.localdate().isoformat()})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == S.CONFIRMED
    pdf = clerk.get(reverse("legal:application_pdf", args=[app.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_outside_scope_is_404(agreement, cast, client_for):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    for user in (cast.luohu_op, cast.outsider, cast.resident, cast.handler):
        client = client_for(user)
        assert client.get(reverse("legal:application", args=[app.pk])).status_code == 404, user
        assert client.get(reverse("legal:apply", args=[agreement.pk])).status_code == 404, user
        assert client.get(reverse("legal:court")).status_code == 404, user
    assert client_for(cast.mediator).get(reverse("legal:court")).status_code == 404


def test_auditor_reads_but_cannot_act(agreement, cast, client_for):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    auditor = client_for(cast.auditor)
    assert auditor.get(reverse("legal:application", args=[app.pk])).status_code == 200
    response = auditor.post(reverse("legal:application_act", args=[app.pk, "accept"]), {})
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == S.FILED


def test_court_invites_pre_litigation_mediation_from_its_inbox(cast, client_for, org):
    clerk = client_for(cast.court)
    response = clerk.post(reverse("legal:pre_litigation"), {
        "committee": org.mediation.pk, "community": Region.objects.get(code="440311001001").pk,
        "title": "物业费纠纷", "description": "物业公司诉业主拖欠物业费，委派诉前调解。", "plaintiff": "某物业公司",
        "defendant": "陈先生", "defendant_phone": "13600001111", "reference": "(2026)粤0311诉前调7号"})
    assert response.status_code == 302
    link = Linkage.objects.get(reference="(2026)粤0311诉前调7号")
    mediator = client_for(cast.mediator)
    assert link.case.code in mediator.get(reverse("legal:inbox")).content.decode()
    assert mediator.post(reverse("legal:linkage_act", args=[link.pk, "accept"])).status_code == 302
    link.refresh_from_db()
    assert link.status == Linkage.Status.ACCEPTED and link.mediation is not None
    assert link.case.code in clerk.get(reverse("legal:court")).content.decode()


def test_linkage_to_wrong_kind_from_the_form(agreement, cast, client_for, org):
    client = client_for(cast.mediator)
    case = agreement.mediation.case
    page = client.get(reverse("legal:linkage_new") + f"?case={case.code}")
    assert page.status_code == 200
    response = client.post(reverse("legal:linkage_new"), {"case": case.code, "kind": "police",
                                                          "from_unit": org.mediation.pk, "to_unit": org.court.pk,
                                                          "note": "需要公安协助"})
    assert response.status_code == 400 and not Linkage.objects.exists()


def test_the_case_page_offers_the_legal_routes(agreement, cast, client_for):
    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    case = agreement.mediation.case
    page = client_for(cast.mediator).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert reverse("legal:application", args=[app.pk]) in page
    assert f"{reverse('legal:referral_new')}?case={case.code}" in page
    assert reverse("legal:referral_new") not in client_for(cast.op_street).get(
        reverse("cases:detail", args=[case.code])).content.decode()


def test_the_package_for_the_court_holds_the_application_and_the_agreement(agreement, cast, client_for):
    import io
    import zipfile

    import pypdfium2 as pdfium

    app = ls.application_file(agreement=agreement, actor=cast.mediator)
    response = client_for(cast.court).get(reverse("legal:application_package", args=[app.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == ["01-司法确认申请书.pdf", "02-人民调解协议书.pdf"]
    document = pdfium.PdfDocument(archive.read(names[0]))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in ("司法确认申请书", "王小梅", "李建国", "光明区法院", agreement.number, "材料清单"):
        assert expected in text.replace("\r", "").replace("\n", ""), expected
    assert document[0].render(scale=0.5).to_pil().size[0] > 100
