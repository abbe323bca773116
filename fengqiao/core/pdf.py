"""PDF documents in Chinese: the embedded CJK font, page furniture and the verification QR (reportlab).

The font is WenQuanYi Micro Hei (Apache-2.0 / GPLv3 with the font exception), a TrueType collection shipped inside
the PyPI package `mpl-font`, found on disk without importing it; `FQ_PDF_FONT` may name another TrueType file
(.ttf/.ttc), and Debian's `fonts-wqy-microhei` is the last resort. Nothing is fetched at run time, and reportlab
embeds the subset of glyphs a document uses, so the PDF reads the same on any machine.

`document(title)` gives a story list and a `build()` that returns the bytes; `styles()` the paragraph styles with
Chinese line breaking (wordWrap="CJK"); `qr(url)` a QR flowable (segno). Documents themselves (the mediation
agreement, the petition reply …) live with their domain: `mediation/documents.py`, `petitions/documents.py`.
"""

from __future__ import annotations

import importlib.util
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FONT = "FqCJK"
DEBIAN_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def font_path() -> Path:
    """The TrueType file the documents embed (FQ_PDF_FONT, else mpl-font's WenQuanYi Micro Hei, else Debian's)."""
    configured = os.environ.get("FQ_PDF_FONT", "").strip()
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ImproperlyConfigured(f"FQ_PDF_FONT={configured} is not a file")
        return path
    spec = importlib.util.find_spec("mpl_font")  # finds the package without running its matplotlib import
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            path = Path(location) / "fonts" / "wqy" / "wqy-microhei.ttc"
            if path.is_file():
                return path
    if DEBIAN_FONT.is_file():
        return DEBIAN_FONT
    raise ImproperlyConfigured("No CJK font for PDFs: install the requirements (mpl-font) or set FQ_PDF_FONT.")


@cache
def register_font() -> str:
    """Register the CJK font with reportlab once per process; returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = font_path()
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc"
                            else TTFont(FONT, str(path)))
    return FONT


@cache
def styles() -> dict:
    """Paragraph styles for official documents: title, heading, body, small, with CJK line breaking."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK", firstLineIndent=0)
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=6),
        "number": ParagraphStyle("number", parent=body, fontSize=10.5, alignment=TA_CENTER, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=body, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=2),
        "body": body,
        "indent": ParagraphStyle("indent", parent=body, firstLineIndent=23),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=12),
    }


def qr(url: str, size_mm: float = 26):
    """A QR code of `url` as a flowable (segno draws it; reportlab places the PNG)."""
    import segno
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return Image(buffer, width=size_mm * mm, height=size_mm * mm)


def escape(text: str) -> str:
    """Text for a reportlab Paragraph (its mini-markup): &, <, > escaped, line breaks kept."""
    from xml.sax.saxutils import escape as xml_escape

    return xml_escape(text or "").replace("\n", "<br/>")


@dataclass
class Document:
    """A4 portrait document with a footer on every page ("page n · footer"); `story` takes flowables."""

    title: str
    footer: str = ""
    story: list = field(default_factory=list)

    def build(self, on_page: Callable | None = None) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        font = register_font()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
                                bottomMargin=20 * mm, title=self.title, author="Fengqiao", subject=self.title)

        def furniture(canvas, document):
            canvas.saveState()
            canvas.setFont(font, 8)
            canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {document.page} —   {self.footer}".strip())
            canvas.restoreState()
            if on_page is not None:
                on_page(canvas, document)

        doc.build(list(self.story), onFirstPage=furniture, onLaterPages=furniture)
        return buffer.getvalue()


def document(title: str, footer: str = "") -> Document:
    return Document(title=title, footer=footer)
