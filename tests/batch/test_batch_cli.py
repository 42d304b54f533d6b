"""``motcua separator`` and ``motcua batch`` as a user runs them: the JSON contract, text output,
errors in English with --json and Vietnamese without."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pikepdf

from tests.batch.batch_helpers import TYPE, expected_documents, make_stack, motcua


def test_batch_json_contract_on_a_folder_with_a_printed_separator_pdf(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sheets = motcua("separator", "--out", str(tmp_path / "sheets" / "tach.pdf"), "--type", TYPE,
                    "--count", "2", "--json", data_dir=data)
    assert sheets.returncode == 0, sheets.stderr
    info = json.loads(sheets.stdout)
    assert info["payload"] == f"MOTCUA-SEP:1;type={TYPE}" and info["count"] == 2
    assert info["type_name"] == "Giấy chứng nhận kết hôn"
    with pikepdf.open(io.BytesIO((tmp_path / "sheets" / "tach.pdf").read_bytes())) as pdf:
        assert len(pdf.pages) == 2
    folder = tmp_path / "stack"
    kinds = "TBTSTT"
    names = make_stack(folder, kinds)
    # the printed PDF itself goes into the stack (rasterised as a page), between p002 and p003
    one = motcua("separator", "--out", str(folder / "p002b-tach.pdf"), "--type", TYPE, data_dir=data)
    assert one.returncode == 0, one.stderr
    result = motcua("batch", "--source", f"folder:{folder}", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got == {"documents": [
        {"pages": ["p001.png", "p002.png"], "separator": None, "blank_pages": ["p002.png"]},
        *expected_documents("K" + kinds[2:], ["p002b-tach.pdf", *names[2:]]),
    ]}
    assert list(got) == ["documents"] and all(list(d) == ["pages", "separator", "blank_pages"]
                                              for d in got["documents"])


def test_batch_text_output_and_details(tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    make_stack(folder, "TSTT")
    shutil.copy(folder / "p003.png", folder / "p005.png")
    text = motcua("batch", "--source", f"folder:{folder}", data_dir=tmp_path / "data")
    assert text.returncode == 0, text.stderr
    assert "2 tài liệu, 5 trang nhận được = 4 trang lưu + 1 tờ tách + 0 trang lỗi" in text.stdout
    assert "trùng trang: p005.png" in text.stdout and "CẦN KIỂM TRA" in text.stdout
    again = motcua("batch", "--source", f"folder:{folder}", "--json", "--details", "--new",
                   data_dir=tmp_path / "data")
    details = json.loads(again.stdout)
    assert details["accounting"] == {"delivered": 5, "stored": 4, "separators": 1, "failed": 0, "ok": True}
    assert details["documents"][1]["flags"] == {"duplicate": ["p005.png"]}
    assert details["batch"] == 2  # --new: a second batch, the first was finished anyway


def test_errors_are_english_with_json_and_vietnamese_without(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = motcua("batch", "--source", f"folder:{tmp_path / 'nope'}", "--json", data_dir=data)
    assert missing.returncode == 1 and json.loads(missing.stdout)["error"].startswith("folder not found")
    missing_vi = motcua("batch", "--source", f"folder:{tmp_path / 'nope'}", data_dir=data)
    assert missing_vi.returncode == 1 and "Lỗi: Không tìm thấy thư mục" in missing_vi.stderr
    bad_type = motcua("separator", "--out", str(tmp_path / "x.pdf"), "--type", "mã sai", "--json",
                      data_dir=data)
    assert bad_type.returncode == 1
    assert json.loads(bad_type.stdout) == {"error": "invalid result code 'mã sai'"}
    assert not (tmp_path / "x.pdf").exists()
    zero = motcua("separator", "--out", str(tmp_path / "x.pdf"), "--count", "0", data_dir=data)
    assert zero.returncode == 2
    nothing = motcua("batch", "--json", data_dir=data)
    assert nothing.returncode == 2 and "error" in json.loads(nothing.stdout)
    resume = motcua("batch", "--resume", "--json", data_dir=data)
    assert resume.returncode == 0 and json.loads(resume.stdout) == {"batches": []}
