"""Chinese PDFs (fengqiao/core/pdf.py): the font is embedded from a package, text survives, QR codes render."""

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ImproperlyConfigured

from fengqiao.core import pdf


def test_the_font_comes_from_the_installed_package_not_from_the_machine(monkeypatch):
    monkeypatch.delenv("FQ_PDF_FONT", raising=False)
    path = pdf.font_path()
    assert path.is_file() and "mpl_font" in str(path)


def test_a_configured_font_that_is_missing_is_named_in_the_error(monkeypatch, tmp_path):
    monkeypatch.setenv("FQ_PDF_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(ImproperlyConfigured, match=r"missing\.ttf"):
        pdf.font_path()


def test_a_document_embeds_the_font_and_its_chinese_text_can_be_extracted():
    from reportlab.platypus import Paragraph

    doc = pdf.document("人民调解协议书", footer="验证码 ABC234")
    s = pdf.styles()
    doc.story += [Paragraph(pdf.escape("人民调解协议书"), s["title"]),
                  Paragraph(pdf.escape("申请人：张<三> & 李四\n第二行"), s["body"]), pdf.qr("https://example.org/v/ABC234")]
    data = doc.build()
    assert data.startswith(b"%PDF") and b"FontFile2" in data  # a TrueType font program inside the file
    page = pdfium.PdfDocument(data)[0]
    text = page.get_textpage().get_text_range()
    assert "人民调解协议书" in text and "张<三> & 李四" in text and "ABC234" in text
    image = page.render(scale=1).to_pil()
    assert image.size[0] > 500 and image.convert("L").getextrema()[0] < 100  # something was drawn
