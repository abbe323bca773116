"""The agreement PDF: A4, Chinese whatever the reader's language, the parties' particulars, the terms, the
signature blocks, and the verification code with the QR of the public page — rendered and read back."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from django.utils import translation

from fengqiao.mediation import agreements as svc
from fengqiao.mediation.documents import agreement_pdf, chinese_count, verification_url
from fengqiao.mediation.models import Agreement
from fengqiao.mediation.tests.test_agreement import draft, make_dispute, sign_all

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")  # lines broken by the typesetting joined again


def _text(data: bytes) -> tuple[str, pdfium.PdfDocument]:
    document = pdfium.PdfDocument(data)
    return _flat("".join(page.get_textpage().get_text_range() for page in document)), document


def test_the_pdf_carries_what_article_29_requires(cast, org, make_case, settings):
    settings.FQ_PUBLIC_BASE_URL = "https://fq.example.gov.cn"
    mediation = make_dispute(cast, org, make_case)
    agreement = sign_all(draft(mediation, cast.mediator, addresses={
        mediation.case.parties.get(name="王小梅").pk: "光明街道华夏路1号"}), cast.mediator)
    url = verification_url(agreement)
    assert url == f"https://fq.example.gov.cn/agreements/verify/{agreement.verification_code}/"
    with translation.override("en"):  # a legal document: in Chinese whatever the reader's language
        data = agreement_pdf(agreement, url=url)
    assert data.startswith(b"%PDF") and b"FontFile2" in data
    text, document = _text(data)
    page = document[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    image = page.render(scale=1.5).to_pil()
    assert image.size[0] > 800 and image.convert("L").getextrema()[0] < 100
    first_page = _flat(page.get_textpage().get_text_range())
    for expected in ("人民调解协议书", agreement.number, "王小梅", "李建国"):
        assert expected in first_page
    for expected in ("440311199001011228", "13800138000", "光明街道华夏路1号", "性别：女", "纠纷主要事实", "争议事项",
                     "各方责任", "人民币3,500.00元", "履行方式：银行转账", "履行期限", "具有法律约束力",
                     "本协议一式三份", "人民调解员", "光明街道人民调解委员会（盖章）", "已于", agreement.verification_code):
        assert expected in text, expected
    assert "Mediation" not in text
    document.close()


def test_an_unsigned_draft_leaves_the_blanks_to_sign(cast, org, make_case):
    agreement = draft(make_dispute(cast, org, make_case), cast.mediator)
    text, _document = _text(agreement_pdf(agreement, url="http://x/agreements/verify/ABC/"))
    assert "尚未生效" in text and "已于" not in text and "签名、盖章或按指印" in text


def test_an_oral_agreement_is_a_record_by_the_mediator(cast, org, make_case):
    agreement = draft(make_dispute(cast, org, make_case), cast.mediator, form=Agreement.Form.ORAL,
                      terms=[{"content": "互相道歉"}])
    svc.agreement_record_oral(agreement=agreement, actor=cast.mediator)
    agreement.refresh_from_db()
    text, _document = _text(agreement_pdf(agreement, url="http://x/agreements/verify/ABC/"))
    assert "口头协议记录" in text and "记录人" in text and "已于" in text


def test_copies_and_term_numbers_are_chinese_numerals():
    assert [chinese_count(n) for n in (1, 3, 10, 12, 20, 23)] == ["一", "三", "十", "十二", "二十", "二十三"]
