"""The dossier register as a landscape A4 PDF, drawn page by page as the rows arrive.

Rows are laid out with the canvas directly (text split with font metrics, no flowables), so a page is
finished as soon as it is full and no row is kept once drawn. Each form set's register starts on a new
page with its title (Mẫu 06 / Mẫu 07), every page repeats the column headings and carries its
number, and the totals close each register. Fonts: the bundled Liberation Serif, embedded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.core.register import COLUMNS, TITLE, RegisterEntry, RegisterTotals, cells, register_form
from app.documents.fonts import BOLD, ITALIC, REGULAR, ensure_fonts
from app.documents.formatting import clean, clip

PAGE = landscape(A4)
LEFT, RIGHT, TOP, BOTTOM = 12 * mm, 10 * mm, 12 * mm, 14 * mm
#: Column widths in mm, in the order of :data:`app.core.register.COLUMNS` (sum: the frame width).
WIDTHS_MM = (8, 33, 33, 11, 26, 30, 21, 17, 17, 18, 20, 22, 19)
SIZE = 7.5
HEAD_SIZE = 7.5
LEADING = SIZE * 1.2
PAD = 1.6
CELL_LIMIT = 400  # characters of one cell: a garbage value cannot make a row taller than a page


@dataclass(frozen=True)
class RegisterHeading:
    """What the top of each register says: the unit and the period."""

    parent_agency: str
    unit_name: str
    period_vi: str  # e.g. "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    filters_vi: str = ""


class RegisterPdf:
    """Write entries as they come: ``start(form_set)``, ``add(entry)`` ..., ``finish()``, ``close()``."""

    def __init__(self, out: BinaryIO | Path | str, heading: RegisterHeading) -> None:
        ensure_fonts()
        self.heading = heading
        self.canvas = Canvas(str(out) if isinstance(out, Path | str) else out, pagesize=PAGE,
                             pageCompression=1)
        self.canvas.setTitle(TITLE.title())
        self.canvas.setAuthor("MotCua Desk")
        self.canvas.setCreator("MotCua Desk")
        self.widths = [w * mm for w in WIDTHS_MM]
        self.pages = 0
        self.rows = 0
        self._y = 0.0
        self._open = False
        self._number = 0
        self._totals = RegisterTotals()
        self._form_set = ""

    # -- pages ---------------------------------------------------------------------------------
    def _new_page(self, first: bool) -> None:
        if self._open:
            self._end_page()
        self._open = True
        self.pages += 1
        c = self.canvas
        top = PAGE[1] - TOP
        if first:
            form = register_form(self._form_set)
            c.setFont(REGULAR, 9)
            c.drawString(LEFT, top - 9, clean(self.heading.parent_agency))
            c.setFont(BOLD, 9)
            c.drawString(LEFT, top - 20, clean(self.heading.unit_name))
            c.setFont(ITALIC, 8)
            c.drawRightString(PAGE[0] - RIGHT, top - 9, f"Mẫu số {form.form_no}")
            c.setFont(BOLD, 14)
            c.drawCentredString(PAGE[0] / 2, top - 34, TITLE)
            c.setFont(ITALIC, 8.5)
            c.drawCentredString(PAGE[0] / 2, top - 46, f"(Ban hành kèm theo {form.basis})")
            c.setFont(REGULAR, 9.5)
            filters = self.heading.filters_vi
            line = self.heading.period_vi + (f" — {filters}" if filters else "")
            c.drawCentredString(PAGE[0] / 2, top - 60, clean(line))
            top -= 70
        self._y = self._draw_row([(BOLD, text) for text in COLUMNS], top, HEAD_SIZE, shade=True)
        self._y = self._draw_row([(ITALIC, f"({i})") for i in range(1, len(COLUMNS) + 1)], self._y, 7)

    def _end_page(self) -> None:
        c = self.canvas
        c.setFont(REGULAR, 8)
        c.drawCentredString(PAGE[0] / 2, BOTTOM - 8, f"Trang {self.pages}")
        c.drawRightString(PAGE[0] - RIGHT, BOTTOM - 8, f"Sổ theo dõi hồ sơ — {self.heading.unit_name}")
        c.showPage()
        self._open = False

    # -- rows ----------------------------------------------------------------------------------
    def _lines(self, font: str, text: str, width: float, size: float) -> list[str]:
        room = width - 2 * PAD
        out: list[str] = []
        for line in simpleSplit(clip(clean(text), CELL_LIMIT), font, size, room) or [""]:
            while stringWidth(line, font, size) > room and len(line) > 1:  # one word wider than the cell
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], font, size) > room:
                    cut -= 1
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
        return out

    def _height(self, parts: list[list[str]], size: float) -> float:
        return max(len(p) for p in parts) * size * 1.2 + 2 * PAD

    def _draw_row(self, texts: list[tuple[str, str]], top: float, size: float, shade: bool = False) -> float:
        parts = [self._lines(font, text, w, size) for (font, text), w in zip(texts, self.widths, strict=True)]
        height = self._height(parts, size)
        c = self.canvas
        x = LEFT
        if shade:
            c.setFillGray(0.92)
            c.rect(LEFT, top - height, sum(self.widths), height, stroke=0, fill=1)
            c.setFillGray(0)
        c.setLineWidth(0.4)
        for (font, _text), width, lines in zip(texts, self.widths, parts, strict=True):
            c.rect(x, top - height, width, height, stroke=1, fill=0)
            c.setFont(font, size)
            y = top - PAD - size
            for line in lines:
                if shade:
                    c.drawCentredString(x + width / 2, y, line)
                else:
                    c.drawString(x + PAD, y, line)
                y -= size * 1.2
            x += width
        return top - height

    def start(self, form_set: str) -> None:
        """Begin the register of a form set on a new page."""
        self._form_set = form_set
        self._number = 0
        self._totals = RegisterTotals()
        self._new_page(first=True)

    def add(self, entry: RegisterEntry) -> None:
        self._number += 1
        self.rows += 1
        self._totals.add(entry)
        texts = [(REGULAR, t) for t in cells(self._number, entry)]
        texts[1] = (BOLD, texts[1][1])
        parts = [self._lines(f, t, w, SIZE) for (f, t), w in zip(texts, self.widths, strict=True)]
        if self._y - self._height(parts, SIZE) < BOTTOM:
            self._new_page(first=False)
        self._y = self._draw_row(texts, self._y, SIZE)

    def add_many(self, entries: Iterable[RegisterEntry]) -> None:
        for entry in entries:
            self.add(entry)

    def finish(self) -> None:
        """Close the current form set's register with its totals."""
        text = self._totals.text_vi()
        if self._y - 20 < BOTTOM:
            self._new_page(first=False)
        self.canvas.setFont(BOLD, 9)
        self.canvas.drawString(LEFT, self._y - 14, text)
        self._y -= 20

    def close(self) -> None:
        """End the last page and write the file (an empty register still has its heading page)."""
        if not self._open:
            self._form_set = self._form_set or "TT01-2018"
            self._new_page(first=True)
            self.canvas.setFont(ITALIC, 9)
            self.canvas.drawString(LEFT, self._y - 14, "Không có hồ sơ nào trong kỳ.")
        self._end_page()
        self.canvas.save()
