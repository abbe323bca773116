"""The agreement pages: drawing up through the form and its formset of terms, signing from the panel, the PDF for
those who may see the case (each download on the timeline), 404 outside the scope, the public verification page
that shows no personal data, and the resident's copy on the tracking page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases.models import CaseEvent
from fengqiao.cases.public import public_timeline
from fengqiao.mediation.models import Agreement
from fengqiao.mediation.tests.test_agreement import draft, make_dispute, sign_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediation(cast, org, make_case):
    return make_dispute(cast, org, make_case)


def _draft_post(mediation, **extra) -> dict:
    party = mediation.case.parties.get(name="王小梅")
    data = {
        "agr-form": "written", "agr-facts": "楼上漏水致楼下受损。", "agr-matters": "维修费用。",
        "agr-responsibilities": "楼上住户负主要责任。",
        "agrt-TOTAL_FORMS": "2", "agrt-INITIAL_FORMS": "0", "agrt-MIN_NUM_FORMS": "0", "agrt-MAX_NUM_FORMS": "30",
        "agrt-0-content": "李建国赔偿王小梅维修费", "agrt-0-manner": "银行转账",
        "agrt-0-due_on": (timezone.localdate() + timedelta(days=5)).isoformat(), "agrt-0-amount": "3500",
        "agrt-1-content": "", f"agr-address-{party.pk}": "光明街道华夏路1号",
    }
    data.update(extra)
    return data


def test_the_mediator_draws_up_and_everyone_signs_from_the_page(cast, client_for, mediation):
    client = client_for(cast.mediator)
    page = client.get(reverse("agreements:new", args=[mediation.pk]))
    assert page.status_code == 200 and 'name="agrt-TOTAL_FORMS"' in page.content.decode()
    response = client.post(reverse("agreements:new", args=[mediation.pk]), _draft_post(mediation))
    agreement = Agreement.objects.get(mediation=mediation)
    assert response.status_code == 302 and response["Location"] == reverse("agreements:detail", args=[agreement.pk])
    assert agreement.terms.count() == 1 and agreement.parties.get(name="王小梅").address == "光明街道华夏路1号"
    detail = client.get(response["Location"]).content.decode()
    assert agreement.number in detail and "王**" in detail and "13800138000" not in detail  # masked on screen
    act = reverse("agreements:act", args=[agreement.pk, "sign_party"])
    for party in agreement.parties.all():
        client.post(act, {"party": party.pk, f"agrp{party.pk}-signed_by": "fingerprint"})
    client.post(reverse("agreements:act", args=[agreement.pk, "sign_mediator"]))
    done = client.post(reverse("agreements:act", args=[agreement.pk, "seal"]), {"next": "/somewhere/"}, follow=False)
    assert done["Location"] == "/somewhere/"
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EFFECTIVE
    before = CaseEvent.objects.filter(case=mediation.case).count()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    again = client.post(act, {"party": agreement.parties.first().pk}, follow=True)
    assert "nothing more can be signed" in again.content.decode()
    assert CaseEvent.objects.filter(case=mediation.case).count() == before


def test_a_draft_without_terms_is_sent_back_with_the_reason(cast, client_for, mediation):
    client = client_for(cast.mediator)
    response = client.post(reverse("agreements:new", args=[mediation.pk]),
                           _draft_post(mediation, **{"agrt-0-content": "", "agrt-0-manner": "", "agrt-0-amount": "",
                                                     "agrt-0-due_on": ""}))
    assert response.status_code == 400 and not Agreement.objects.exists()
    assert "协议至少要有一项约定条款" in response.content.decode()  # Chinese unless the reader chose English


def test_outside_the_scope_everything_is_404(cast, client_for, mediation):
    agreement = draft(mediation, cast.mediator)
    urls = [reverse("agreements:detail", args=[agreement.pk]), reverse("agreements:pdf", args=[agreement.pk]),
            reverse("agreements:new", args=[mediation.pk])]
    for user in (cast.outsider, cast.luohu_op, cast.handler_other):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("agreements:act", args=[agreement.pk, "seal"])).status_code == 404
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_auditor_reads_but_neither_signs_nor_exports(cast, client_for, mediation):
    agreement = draft(mediation, cast.mediator)
    client = client_for(cast.auditor)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert agreement.number in page and 'data-testid="sign-party"' not in page
    assert client.post(reverse("agreements:act", args=[agreement.pk, "seal"])).status_code == 404
    # the PDF holds the parties' identity numbers in full: exporting personal data needs pii.export (privacy)
    assert client.get(reverse("agreements:pdf", args=[agreement.pk])).status_code == 403
    agreement.refresh_from_db()
    assert agreement.sealed_at is None


def test_each_download_is_a_staff_only_step(cast, client_for, mediation):
    agreement = draft(mediation, cast.mediator)
    response = client_for(cast.mediator).get(reverse("agreements:pdf", args=[agreement.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    event = CaseEvent.objects.filter(case=mediation.case, data__step="agreement_downloaded").get()
    assert not event.is_public and event.actor == cast.mediator and len(event.data["sha256"]) == 64
    agreement.refresh_from_db()
    assert agreement.pdf_sha256 == event.data["sha256"]
    from fengqiao.privacy.models import ExportRecord

    export = ExportRecord.objects.get(subject=agreement.number)
    assert export.user == cast.mediator and export.case == mediation.case and export.purpose
    assert not any("download" in e.label.lower() for e in public_timeline(mediation.case))


def test_the_verification_page_says_genuine_and_shows_no_personal_data(cast, mediation):
    agreement = sign_all(draft(mediation, cast.mediator, addresses={
        mediation.case.parties.get(name="王小梅").pk: "光明街道华夏路1号"}), cast.mediator)
    client = Client()
    form = client.get(reverse("agreements:verify"))
    assert form.status_code == 200
    typed = client.get(reverse("agreements:verify"), {"code": agreement.verification_code.lower()[:6] + " "
                                                      + agreement.verification_code.lower()[6:]})
    assert typed.status_code == 302 and typed["Location"] == reverse("agreements:verify_code",
                                                                     args=[agreement.verification_code])
    page = client.get(typed["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    assert agreement.number in html and "光明街道人民调解委员会" in html and 'data-status="effective"' in html
    for secret in ("王小梅", "李建国", "13800138000", "13900139000", "440311199001011228", "华夏路", "3500", "3,500",
                   "维修费"):
        assert secret not in html, secret


def test_a_wrong_code_is_not_found_in_both_languages_and_guessing_is_limited(cast, mediation, settings):
    settings.FQ_RATE_VERIFY_IP = "3/m"
    client = Client(REMOTE_ADDR="10.9.8.7")
    response = client.get(reverse("agreements:verify_code", args=["NOSUCHCODE22"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "No agreement with this code" in html and "未找到使用此验证码的调解协议" in html
    client.get(reverse("agreements:verify_code", args=["NOSUCHCODE23"]))
    client.get(reverse("agreements:verify_code", args=["NOSUCHCODE24"]))
    assert client.get(reverse("agreements:verify_code", args=["NOSUCHCODE25"])).status_code == 429


def test_the_resident_sees_the_agreement_on_the_tracking_page_and_gets_a_copy(cast, mediation):
    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    case = mediation.case
    stranger = Client()
    pdf_url = reverse("agreements:track_pdf", args=[case.code, agreement.pk])
    assert stranger.get(pdf_url).status_code == 404
    resident = Client()
    resident.post(reverse("intake:track"), {"code": case.code, "digits": "8000"})
    page = resident.get(reverse("intake:track_case", args=[case.code])).content.decode()
    assert 'data-testid="track-agreements"' in page and agreement.number in page
    assert reverse("agreements:verify_code", args=[agreement.verification_code]) in page and pdf_url in page
    response = resident.get(pdf_url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    event = CaseEvent.objects.filter(case=case, data__step="agreement_downloaded").get()
    assert not event.is_public and event.data["by_resident"] is True


def test_a_draft_is_not_yet_on_the_tracking_page(cast, mediation):
    draft(mediation, cast.mediator)
    resident = Client()
    resident.post(reverse("intake:track"), {"code": mediation.case.code, "digits": "8000"})
    page = resident.get(reverse("intake:track_case", args=[mediation.case.code])).content.decode()
    assert 'data-testid="track-agreements"' not in page


def test_follow_ups_are_recorded_from_the_page_and_the_overdue_listed(cast, client_for, mediation):
    agreement = sign_all(draft(mediation, cast.mediator), cast.mediator)
    visit = agreement.follow_ups.first()
    visit.due_on = timezone.localdate() - timedelta(days=2)
    visit.save()
    client = client_for(cast.mediator)
    listing = client.get(reverse("agreements:followups")).content.decode()
    assert agreement.number in listing.split('data-testid="followups-overdue"')[1].split("</table>")[0]
    client.post(reverse("agreements:followup_record", args=[visit.pk]),
                {f"agrf{visit.pk}-performance": "performed", f"agrf{visit.pk}-note": "已付款"})
    visit.refresh_from_db()
    assert visit.performance == "performed" and visit.by == cast.mediator
    assert client_for(cast.luohu_op).post(reverse("agreements:followup_record", args=[visit.pk])).status_code == 404
