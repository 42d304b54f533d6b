"""Marking a reprinted slip as a copy: "BẢN SAO" across every page, and a line saying when.

The stamp is drawn with ReportLab (bundled font, embedded) and laid over each page with pikepdf, so
the slip's own text stays as it was and remains searchable.
"""

from __future__ import annotations

import io
from datetime import datetime

import pikepdf
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from app.documents.fonts import BOLD, ITALIC, ensure_fonts

COPY_MARK = "BẢN SAO"


def _stamp(width: float, height: float, printed_at: datetime, number: int) -> bytes:
    ensure_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(width, height))
    c.saveState()
    c.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.18))
    c.translate(width / 2, height / 2)
    c.rotate(35)
    c.setFont(BOLD, min(width, height) / 6)
    c.drawCentredString(0, 0, COPY_MARK)
    c.restoreState()
    c.setFillColor(colors.Color(0.75, 0.05, 0.05))
    c.setFont(BOLD, 11)
    c.drawRightString(width - 40, height - 28, COPY_MARK)
    c.setFont(ITALIC, 8)
    c.drawRightString(width - 40, height - 38,
                      f"In lại lần {number} lúc {printed_at:%H:%M} ngày {printed_at:%d/%m/%Y}")
    c.showPage()
    c.save()
    return buffer.getvalue()


def mark_copy(pdf: bytes, printed_at: datetime, number: int) -> bytes:
    """``pdf`` with the copy stamp on every page (``number``: which reprint this is, from 1)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stamps: dict[tuple[float, float], pikepdf.Pdf] = {}
        for page in document.pages:
            box = page.mediabox
            size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
            if size not in stamps:
                stamps[size] = pikepdf.open(io.BytesIO(_stamp(size[0], size[1], printed_at, number)))
            page.add_overlay(stamps[size].pages[0])
        out = io.BytesIO()
        document.save(out)
        for stamp in stamps.values():
            stamp.close()
    return out.getvalue()
