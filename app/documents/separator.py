"""Separator sheets (tờ tách tài liệu) for batch archive scanning, as an A4 PDF.

Each sheet carries, from top to bottom: the big heading "TÁCH TÀI LIỆU — TÀI LIỆU MỚI", a large
QR code with the separator payload (:mod:`app.core.separator`, e.g. ``MOTCUA-SEP:1;type=KQ.1.000894``),
the document type's name and result code in clear, and a Patch T bar pattern (the Kodak "transfer
patch": four bars narrow, wide, narrow, wide from the top edge; narrow 2.03 mm, wide 5.08 mm, spaces
2.03 mm, bars 63.5 mm long, parallel to the leading edge), so that scanners and software that read
patch codes also split at it. Pure function: payload and names in, PDF bytes out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from app.core.separator import SeparatorPayload, format_separator
from app.documents.fonts import BOLD, REGULAR, ensure_fonts
from app.documents.formatting import clean

HEADING = "TÁCH TÀI LIỆU — TÀI LIỆU MỚI"
QR_SIDE = 95 * mm
# Patch code geometry (Kodak): narrow bars and spaces 0.08", wide bars 0.20", bars 2.5" long.
PATCH_NARROW = 0.08 * inch
PATCH_WIDE = 0.20 * inch
PATCH_LENGTH = 2.5 * inch
PATCH_T = (False, True, False, True)  # from the leading (top) edge: narrow, wide, narrow, wide


@dataclass(frozen=True)
class SeparatorSheet:
    """One sheet: its payload and the human-readable lines printed under the QR code."""

    payload: SeparatorPayload
    type_name: str = ""


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 8 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _patch_t(canvas: Canvas, centre_x: float, top_y: float) -> float:
    """Draw the Patch T bars from ``top_y`` downwards; return the y under the last bar."""
    y = top_y
    for index, wide in enumerate(PATCH_T):
        if index:
            y -= PATCH_NARROW  # space
        thickness = PATCH_WIDE if wide else PATCH_NARROW
        canvas.rect(centre_x - PATCH_LENGTH / 2, y - thickness, PATCH_LENGTH, thickness, stroke=0, fill=1)
        y -= thickness
    return y


def _sheet(canvas: Canvas, sheet: SeparatorSheet, number: int, count: int) -> None:
    width, height = A4
    text = format_separator(sheet.payload)
    usable = width - 30 * mm
    size = _fit(canvas, HEADING, BOLD, 30, usable)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(width / 2, height - 32 * mm, HEADING)
    canvas.setFont(REGULAR, 13)
    canvas.drawCentredString(width / 2, height - 42 * mm,
                             "Đặt tờ này TRƯỚC trang đầu của mỗi tài liệu. Tờ tách không được lưu vào kho.")

    qr = QrCodeWidget(text, barLevel="M", barWidth=QR_SIDE, barHeight=QR_SIDE, barBorder=4)
    drawing = Drawing(QR_SIDE, QR_SIDE, initialFontName=REGULAR)
    drawing.add(qr)
    qr_bottom = height - 50 * mm - QR_SIDE
    renderPDF.draw(drawing, canvas, (width - QR_SIDE) / 2, qr_bottom)

    y = qr_bottom - 10 * mm
    code = sheet.payload.result_code
    name = clean(sheet.type_name)
    if code or name:
        line = f"Loại tài liệu: {name}" if name else "Loại tài liệu:"
        canvas.setFont(BOLD, _fit(canvas, line, BOLD, 18, usable))
        canvas.drawCentredString(width / 2, y, line)
        y -= 9 * mm
        if code:
            canvas.setFont(BOLD, 22)
            canvas.drawCentredString(width / 2, y, f"Mã kết quả: {code}")
            y -= 9 * mm
    else:
        canvas.setFont(BOLD, 18)
        canvas.drawCentredString(width / 2, y, "Loại tài liệu: (nhập khi số hóa)")
        y -= 9 * mm
    if sheet.payload.record:
        canvas.setFont(REGULAR, 15)
        canvas.drawCentredString(width / 2, y, f"Mã bản ghi: {clean(sheet.payload.record)}")
        y -= 8 * mm

    canvas.setFillGray(0)
    bottom = _patch_t(canvas, width / 2, 62 * mm)
    canvas.setFont(REGULAR, 9)
    canvas.drawCentredString(width / 2, bottom - 5 * mm, "Patch T")
    canvas.setFont(REGULAR, 9)
    canvas.drawString(15 * mm, 12 * mm, f"MotCua Desk — tờ tách {number}/{count}")
    canvas.drawRightString(width - 15 * mm, 12 * mm, clean(text)[:110])


def render_separators(sheets: list[SeparatorSheet]) -> bytes:
    """A PDF with one A4 page per sheet."""
    if not sheets:
        raise ValueError("at least one separator sheet")
    ensure_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Tờ tách tài liệu")
    canvas.setAuthor("MotCua Desk")
    canvas.setSubject(format_separator(sheets[0].payload))
    for number, sheet in enumerate(sheets, start=1):
        _sheet(canvas, sheet, number, len(sheets))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_separator_pdf(result_code: str | None = None, type_name: str = "", count: int = 1,
                         record: str | None = None) -> bytes:
    """``count`` identical separator sheets (of one document type, if given)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    sheet = SeparatorSheet(SeparatorPayload(result_code or None, record or None), type_name)
    return render_separators([sheet] * count)
