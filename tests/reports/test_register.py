"""The dossier register: PDF read back (official columns in order, page numbers, totals), the
spreadsheet opened with openpyxl, CSV; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.utils import simpleSplit

from app.core.errors import ValidationError
from app.core.register import COLUMNS
from app.documents.fonts import BOLD
from app.documents.register_pdf import HEAD_SIZE, PAD, WIDTHS_MM
from app.services.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.reports import register
from app.services.reports.indicators import Period
from app.store.repositories import AuditRepository
from tests.reports.crafted import load_crafted

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
CODES_IN_MARCH = ["X-A01", "X-B02", "X-D04", "X-E05", "X-F06", "X-C03", "X-G07", "X-J10", "X-L12", "X-H08",
                  "X-K11"]  # in the order they were received


def _fragments(path: Path, page: int = 0) -> list[tuple[str, float, float]]:
    found: list[tuple[str, float, float]] = []

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            found.append((unicodedata.normalize("NFC", text.strip()), tm[4], tm[5]))

    PdfReader(BytesIO(path.read_bytes())).pages[page].extract_text(visitor_text=visit)
    return found


def _text(path: Path) -> str:
    pages = PdfReader(BytesIO(path.read_bytes())).pages
    return unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages))


def test_pdf_has_the_columns_in_order_page_numbers_and_totals(app_ctx, tmp_path):
    load_crafted(app_ctx)
    out = tmp_path / "so" / "register.pdf"
    written = register.export(app_ctx, SYSTEM_OFFICER, MARCH, out)
    assert written.rows == 11 and written.pages >= 1 and written.format == "pdf"
    fragments = _fragments(out)
    positions = []
    for title, width in zip(COLUMNS, WIDTHS_MM, strict=True):
        first_line = simpleSplit(title, BOLD, HEAD_SIZE, width * 72 / 25.4 - 2 * PAD)[0]
        xs = [x for text, x, _y in fragments if text == first_line]
        assert xs, f"column heading {title!r} not found"
        positions.append(min(xs))
    assert positions == sorted(positions)
    numbers = [text for text, _x, _y in fragments if text.startswith("(") and text[1:-1].isdigit()]
    assert numbers[:13] == [f"({i})" for i in range(1, 14)]
    text = _text(out)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 06" in text and "Trang 1" in text
    assert "Tổng cộng: 11 hồ sơ (11 bộ)" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    for code in CODES_IN_MARCH:
        assert code in text
    assert "X-I09" not in text  # received in February
    assert text.index("X-A01") < text.index("X-B02") < text.index("X-K11")
    with app_ctx.session() as session:
        entry = AuditRepository(session).entries(action=register.AUDIT_REGISTER, limit=1)[0]
    assert entry.details["rows"] == 11 and entry.details["format"] == "pdf"


def test_many_rows_flow_onto_numbered_pages(app_ctx, tmp_path):

    load_crafted(app_ctx)
    out = tmp_path / "r.pdf"
    # a register of a longer period, filtered to one officer: still the crafted rows only
    written = register.export(app_ctx, SYSTEM_OFFICER, Period(date(2026, 1, 1), date(2026, 12, 31),
                                                             officer="minh"), out)
    assert written.rows == 2
    assert "cán bộ tiếp nhận minh" in _text(out)


def test_spreadsheet_opens_with_openpyxl(app_ctx, tmp_path):
    load_crafted(app_ctx)
    out = tmp_path / "register.xlsx"
    written = register.export(app_ctx, SYSTEM_OFFICER, MARCH, out)
    assert written.rows == 11
    book = load_workbook(out, read_only=True)
    sheet = book["Mẫu 06"]
    rows = list(sheet.iter_rows(values_only=True))
    assert "SỔ THEO DÕI HỒ SƠ" in rows[0][0]
    assert list(rows[2]) == list(COLUMNS)
    data = rows[3:14]
    assert [r[1] for r in data] == CODES_IN_MARCH
    assert [r[0] for r in data] == list(range(1, 12))
    assert data[0][7] == "02/03/2026 08:00" and data[0][8] == "05/03/2026 17:00"
    assert any("Tổng cộng: 11 hồ sơ" in str(r[0]) for r in rows[14:] if r)


def test_csv_and_filters(app_ctx, tmp_path):
    load_crafted(app_ctx)
    out = tmp_path / "register.csv"
    written = register.export(app_ctx, SYSTEM_OFFICER, Period(MARCH.first, MARCH.last,
                                                             field="Đăng ký, quản lý cư trú"), out)
    assert written.rows == 2
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Mẫu", *COLUMNS]
    assert [r[2] for r in rows[1:]] == ["X-G07", "X-J10"]
    assert rows[1][-1] == "Không được tiếp nhận"


def test_bad_requests_are_refused(app_ctx, tmp_path):
    folder = tmp_path / "out"
    with pytest.raises(ValidationError):
        register.export(app_ctx, SYSTEM_OFFICER, MARCH, folder / "register.docx")
    with pytest.raises(PermissionDeniedError):
        register.export(app_ctx, Officer("an", "Lê An", Role.OFFICER), MARCH, folder / "r.pdf")
    assert not folder.exists()
    empty = register.export(app_ctx, SYSTEM_OFFICER, MARCH, folder / "empty.pdf")
    assert empty.rows == 0 and "Không có hồ sơ nào trong kỳ" in _text(folder / "empty.pdf")
    assert [p.name for p in folder.iterdir()] == ["empty.pdf"]  # no part file left behind


def test_a_reprint_is_stamped_as_a_copy_and_audited(app_ctx, tmp_path):
    from app.services import printing

    load_crafted(app_ctx)
    officer = Officer("an", "Lê An", Role.OFFICER)
    preview = printing.render_slip(app_ctx, "01", "X-H08", officer, preview=True)
    first = printing.render_slip(app_ctx, "01", "X-H08", officer)
    second = printing.render_slip(app_ctx, "01", "X-H08", officer)
    third = printing.render_slip(app_ctx, "05", "X-H08", officer)

    def text(data: bytes) -> str:
        pages = PdfReader(BytesIO(data)).pages
        return unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages))

    assert "BẢN SAO" not in text(preview) and "BẢN SAO" not in text(first) and "BẢN SAO" not in text(third)
    assert "BẢN SAO" in text(second) and "In lại lần 1" in text(second)
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text(second) and "X-H08" in text(second)
    with app_ctx.session() as session:
        audit = AuditRepository(session)
        prints = audit.entries(dossier_code="X-H08", action="print")
        reprints = audit.entries(dossier_code="X-H08", action="reprint")
    assert [e.details["form"] for e in prints] == ["05", "01"]
    assert [(e.details["form"], e.details["copy"]) for e in reprints] == [("01", 1)]
    # a new step of the dossier makes the next print of a slip a new original, not a copy
    from datetime import datetime

    from app.core.dossier import DossierStatus
    from app.store.repositories import DossierRepository

    with app_ctx.session(write=True) as session:
        repo = DossierRepository(session)
        dossier = repo.get("X-H08")
        dossier.move_to(DossierStatus.DONE, datetime(2026, 3, 25, 9, 0), "an")
        repo.update(dossier)
    after_step = printing.render_slip(app_ctx, "05", "X-H08", officer)
    assert "BẢN SAO" not in text(after_step)
    with pytest.raises(PermissionDeniedError):  # a clerk prints, but may not reprint
        printing.render_slip(app_ctx, "05", "X-H08", Officer("hoa", "Nguyễn Thị Hoa", Role.CLERK))
