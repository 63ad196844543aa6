"""The drop-off slip as a PDF, for a customer who prints from a file or forwards it.

fpdf2 writes it in pure Python (no browser or system library at run time; Pillow, which it
brings, draws nothing here), and shapes Arabic through HarfBuzz (uharfbuzz wheels), with its
own Unicode bidi algorithm, so joined letters and right-to-left lines come out right. The
font is DejaVu Sans, vendored in fonts/ with its licence: one font with Latin and Arabic
letters, so an Arabic slip's Latin ids and a shop's Latin name need no fallback. reportlab
was the other candidate; it shapes Arabic only with extra packages and its own bidi rules.
The QR code is the same segno code the HTML slip shows, placed as a PNG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from pages.portal.i18n import Translator

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
QR_MM = 50
WIDTH_MM = 180  # A4 less 15 mm margins


def slip_pdf(view: dict[str, Any], reference: str, t: Translator) -> bytes:
    pdf = _document(t)
    align = "R" if t.dir == "rtl" else "L"
    _line(pdf, str(view["brand"]["name"]), size=11, align=align)
    _line(pdf, t("slip_title"), size=20, bold=True, align=align)
    _line(pdf, str(view["id"]), size=26, bold=True, align=align)
    _qr(pdf, reference)
    _line(pdf, t("slip_scan"), size=10, align="C")
    _line(pdf, f"{t('slip_order')}: {view['order']}", size=11, align=align)
    pdf.ln(2)
    _line(pdf, t("items_title"), size=13, bold=True, align=align)
    for item in view["items"]:
        line = f"{item['quantity']} \u00d7 {item['name']} ({item['sku']})"
        _line(pdf, line, size=11, align=align)
    pdf.ln(2)
    _line(pdf, str(view["next"]), size=11, align=align)
    place = view.get("where")
    if place:
        _line(pdf, str(place["heading"]), size=11, bold=True, align=align)
        for value, kind in place["lines"]:
            # A phone number reads left to right on an Arabic slip too (as bidi.py's `code`).
            _line(pdf, str(value), size=11, align=align, ltr=kind == "code")
    shipment = view.get("shipment")
    if shipment and shipment.get("tracking"):
        _line(pdf, f"{t('tracking')}: {shipment['tracking']}", size=11, align=align)
    return bytes(pdf.output())


def _document(t: Translator) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_lang(t.lang)
    pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(pdf))
    pdf.set_title(t("slip_title"))
    pdf.add_page()
    return pdf


def _line(
    pdf: FPDF, text: str, *, size: int, align: str, bold: bool = False, ltr: bool = False
) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    if ltr:
        pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
    pdf.multi_cell(WIDTH_MM, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if ltr:
        pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(pdf))


def _direction(pdf: FPDF) -> str:
    """The document's own direction, from the language it was set to."""
    return "rtl" if (pdf.lang or "").startswith("ar") else "ltr"


def _qr(pdf: FPDF, reference: str) -> None:
    image = io.BytesIO()
    segno.make_qr(reference, error="m").save(image, kind="png", scale=8, border=4)
    image.seek(0)
    pdf.ln(3)
    pdf.image(image, x=(210 - QR_MM) / 2, w=QR_MM, h=QR_MM)
    pdf.ln(2)
