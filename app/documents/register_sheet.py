"""The dossier register as a spreadsheet (openpyxl, write-only: rows streamed to disk) and as CSV.

The columns are those of the PDF (:data:`app.core.register.COLUMNS`), one sheet per form set
("Mẫu 06", "Mẫu 07"), the totals under the last row. CSV is UTF-8 with a BOM (so a spreadsheet
program reads the diacritics), one header line, the form set's register one after the other.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from app.core.register import COLUMNS, TITLE, RegisterEntry, RegisterTotals, cells, register_form
from app.documents.formatting import clean

_WIDTHS = (6, 24, 40, 10, 26, 34, 26, 17, 17, 17, 24, 26, 20)


def _safe(text: str) -> str:
    """Spreadsheet formula injection: a value starting with = + - @ is kept as text."""
    value = clean(text)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


class RegisterSheet:
    """``start(form_set)``, ``add(entry)`` ..., ``finish()``, then ``close()`` writes ``out``."""

    def __init__(self, out: Path, heading_vi: str) -> None:
        self.out = out
        self.heading_vi = heading_vi
        self.book = Workbook(write_only=True)
        self.rows = 0
        self._sheet: Any = None
        self._number = 0
        self._totals = RegisterTotals()

    def _cell(self, value: Any, *, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self._sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def start(self, form_set: str) -> None:
        form = register_form(form_set)
        self._sheet = self.book.create_sheet(f"Mẫu {form.form_no}")
        for index, width in enumerate(_WIDTHS):
            self._sheet.column_dimensions[chr(ord("A") + index)].width = width
        self._sheet.freeze_panes = "A4"
        self._sheet.append([self._cell(f"{TITLE} (Mẫu số {form.form_no}, {form.basis})", bold=True)])
        self._sheet.append([self._cell(self.heading_vi)])
        self._sheet.append([self._cell(title, bold=True) for title in COLUMNS])
        self._number = 0
        self._totals = RegisterTotals()

    def add(self, entry: RegisterEntry) -> None:
        self._number += 1
        self.rows += 1
        self._totals.add(entry)
        values: list[Any] = [_safe(t) for t in cells(self._number, entry)]
        values[0], values[3] = self._number, entry.sets_count
        self._sheet.append(values)

    def finish(self) -> None:
        self._sheet.append([])
        self._sheet.append([self._cell(self._totals.text_vi(), bold=True)])

    def close(self) -> None:
        if self._sheet is None:
            self.start("TT01-2018")
            self._sheet.append(["Không có hồ sơ nào trong kỳ."])
        self.book.save(self.out)


class RegisterCsv:
    def __init__(self, out: Path) -> None:
        self._file = out.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["Mẫu", *COLUMNS])
        self.rows = 0
        self._number = 0
        self._form = ""

    def start(self, form_set: str) -> None:
        self._form = register_form(form_set).form_no
        self._number = 0

    def add(self, entry: RegisterEntry) -> None:
        self._number += 1
        self.rows += 1
        self._writer.writerow([self._form, *(_safe(t) for t in cells(self._number, entry))])

    def finish(self) -> None:
        """CSV has no totals line: a program reading it would take it for a dossier."""

    def close(self) -> None:
        self._file.close()
