"""QR codes for service points and QR places: the link they carry, SVG/PNG images and an A4 sheet to print.

Every code opens the public form pre-filled with its place:
`{FQ_PUBLIC_BASE_URL}/report/?point=<token>` or `…?place=<token>`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from fengqiao.org.models import QrPlace, Region, ServicePoint


def report_url(*, point: str = "", place: str = "") -> str:
    query = urlencode({"place": place} if place else {"point": point})
    return f"{settings.FQ_PUBLIC_BASE_URL.rstrip('/')}{reverse('intake:report')}?{query}"


def make_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def svg_bytes(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    make_code(url).save(out, kind="svg", scale=scale, border=2, xmldecl=True, svgns=True)
    return out.getvalue()


def png_bytes(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    make_code(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


@dataclass(frozen=True)
class Printable:
    kind: str  # "point" | "place"
    name: str
    token: str
    url: str


def printables(region: Region | None = None) -> list[Printable]:
    """Every active service point and QR place (under `region` when given), in region order."""
    points = ServicePoint.objects.filter(is_active=True).select_related("region")
    places = QrPlace.objects.filter(is_active=True).select_related("region")
    if region is not None:
        points = points.filter(region__path__startswith=region.path)
        places = places.filter(region__path__startswith=region.path)
    rows = [(p.region.code, 0, p.name, Printable("point", p.name, p.token, report_url(point=p.token))) for p in points]
    rows += [(p.region.code, 1, p.name, Printable("place", p.name, p.token, report_url(place=p.token))) for p in places]
    return [row[-1] for row in sorted(rows, key=lambda r: r[:3])]


def sheet_pdf(items: list[Printable], *, title: str, hint: str) -> bytes:
    """An A4 sheet, 3 × 4 codes a page, each with its place's name under it (vector, sharp when printed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from fengqiao.core.pdf import register_font

    cjk_font = register_font()  # embedded, so the names print the same on a machine without Chinese fonts
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    cols, rows, margin, top = 3, 4, 15 * mm, 22 * mm
    cell_w = (width - 2 * margin) / cols
    cell_h = (height - margin - top) / rows
    size = min(cell_w, cell_h) - 22 * mm
    per_page = cols * rows
    pages = max(1, -(-len(items) // per_page))
    for page in range(pages):
        pdf.setFont(cjk_font, 14)
        pdf.drawString(margin, height - 14 * mm, title)
        pdf.setFont(cjk_font, 8)
        pdf.drawRightString(width - margin, height - 14 * mm, f"{page + 1}/{pages}")
        pdf.drawString(margin, 8 * mm, hint)
        for i, item in enumerate(items[page * per_page : (page + 1) * per_page]):
            col, row = i % cols, i // cols
            x0 = margin + col * cell_w + (cell_w - size) / 2
            y0 = height - top - (row + 1) * cell_h + 16 * mm
            _draw_code(pdf, item.url, x0, y0, size)
            pdf.setFont(cjk_font, 9)
            for n, line in enumerate(_wrap(item.name, 16)[:2]):
                pdf.drawCentredString(x0 + size / 2, y0 - 5 * mm - n * 4 * mm, line)
            pdf.setFont("Helvetica", 5.5)
            pdf.drawCentredString(x0 + size / 2, y0 - 13.5 * mm, item.url[-60:])
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _draw_code(pdf, url: str, x0: float, y0: float, size: float) -> None:
    matrix = make_code(url).matrix
    n = len(matrix)
    module = size / n
    pdf.setFillColorRGB(0, 0, 0)
    for r, line in enumerate(matrix):
        for c, dark in enumerate(line):
            if dark:
                pdf.rect(x0 + c * module, y0 + (n - 1 - r) * module, module, module, stroke=0, fill=1)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


# --- QR places: the one write path ----------------------------------------------------------


def demo_token(name: str) -> str:
    """A token fixed by the name (demo data: a re-seeded demo keeps its printed codes)."""
    return hashlib.sha256(f"fengqiao-qr-place:{name}".encode()).hexdigest()[:12]


@transaction.atomic
def qr_place_save(
    *,
    name: str,
    region: Region,
    address: str = "",
    service_point: ServicePoint | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    token: str | None = None,
) -> QrPlace:
    """Create the QR place named `name` in `region`, or update it in place (its token never changes)."""
    place = QrPlace.objects.filter(region=region, name=name).first() or QrPlace(region=region, name=name)
    if place.pk is None and token:
        place.token = token
    place.address, place.service_point = address, service_point
    place.latitude, place.longitude = latitude, longitude
    place.save()
    return place
