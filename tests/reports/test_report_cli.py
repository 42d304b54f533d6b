"""The real ``motcua report``, ``register`` and ``rate`` commands (subprocesses, SQLite data folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.services.context import AppContext
from app.services.setup import init
from tests.cli.test_cli_reception import pdf_text, run
from tests.reports.crafted import EXPECTED, load_crafted


@pytest.fixture(scope="module")
def office(tmp_path_factory, small_catalogue) -> Path:
    folder = tmp_path_factory.mktemp("office")
    with AppContext.open(folder) as ctx:
        init(ctx, catalogue_path=small_catalogue)
        load_crafted(ctx)
    return folder


def test_report_json_is_the_contract(office, tmp_path):
    pdf, xlsx = tmp_path / "bao-cao.pdf", tmp_path / "bao-cao.xlsx"
    result = run("report", "--from", "2026-03-01", "--to", "2026-03-31", "--pdf", str(pdf),
                 "--xlsx", str(xlsx), "--json", data_dir=office)
    assert result.returncode == 0, result.stderr + result.stdout
    assert json.loads(result.stdout) == EXPECTED
    assert len(PdfReader(pdf).pages) == 1
    text = pdf_text(pdf)
    assert "BÁO CÁO CHỈ SỐ CHẤT LƯỢNG PHỤC VỤ" in text and "Giải quyết đúng hạn" in text and "62,5 %" in text
    sheet = load_workbook(xlsx)["Chỉ số"]
    lines = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert lines["late"][2:4] == (3, 8) and lines["satisfied"][2:4] == (2, 3)


def test_report_by_field_and_text_output(office):
    result = run("report", "--from", "2026-03-01", "--to", "2026-03-31", "--field", "Hộ tịch", "--json",
                 data_dir=office)
    data = json.loads(result.stdout)
    assert data["received"]["total"] == 9 and data["on_time"] == {"num": 3, "den": 6}
    text = run("report", "--from", "2026-03-01", "--to", "2026-03-31", data_dir=office)
    assert text.returncode == 0 and "Giải quyết quá hạn" in text.stdout and "37,5 %" in text.stdout


@pytest.mark.parametrize("args", [
    ("report", "--from", "2026-03-32", "--to", "2026-03-31"),
    ("report", "--from", "2026-03-31", "--to", "2026-03-01"),
    ("register", "--from", "2026-03-01", "--to", "2026-03-31", "--out", "so.docx"),
    ("rate", "X-H08", "--level", "5"),
    ("rate", "X-NONE", "--level", "2"),
])
def test_bad_input_is_a_clear_error(office, args):
    result = run(*args, "--json", data_dir=office)
    assert result.returncode == 1
    assert "error" in json.loads(result.stdout)
    plain = run(*args, data_dir=office)
    assert plain.returncode == 1 and plain.stderr.startswith("Lỗi:")


def test_register_and_rate(office, tmp_path):
    out = tmp_path / "so.xlsx"
    result = run("register", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out), "--json",
                 data_dir=office)
    assert json.loads(result.stdout) == {"out": str(out), "format": "xlsx", "rows": 11, "pages": 0}
    rated = run("rate", "X-H08", "--level", "3", "--reason", "Phục vụ nhanh, chu đáo", "--json",
                data_dir=office)
    data = json.loads(rated.stdout)
    assert (data["code"], data["event"], data["level"]) == ("X-H08", "receive", 3)
    again = run("rate", "X-H08", "--level", "2", data_dir=office)
    assert again.returncode == 1 and "đã được đánh giá" in again.stderr
