"""``motcua ocr --json`` on generated past results: the real command, the real Tesseract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import img2pdf

from app.documents.specimens import render_specimen
from app.scanning.ocr.fields import FIELD_NAMES

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(PYTHONIOENCODING="utf-8", MOTCUA_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=300, check=False)


def test_ocr_reads_text_and_fields_and_reports_a_bad_file_without_stopping(tmp_path: Path) -> None:
    birth, marriage = render_specimen(7), render_specimen(8)
    (tmp_path / "birth.jpg").write_bytes(birth.jpeg)
    (tmp_path / "two.pdf").write_bytes(img2pdf.convert([marriage.jpeg, birth.jpeg]))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")

    files = [str(tmp_path / name) for name in ("birth.jpg", "broken.png", "two.pdf")]
    result = run(tmp_path, "ocr", "--lang", "vie", "--json", *files)

    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["seconds"] > 0
    pages = data["pages"]
    assert [(Path(p["file"]).name, p["page"]) for p in pages] == [
        ("birth.jpg", 0), ("broken.png", 0), ("two.pdf", 0), ("two.pdf", 1)]
    assert "error" in pages[1] and "text" not in pages[1]
    for page, truth in ((pages[0], birth), (pages[2], marriage), (pages[3], birth)):
        assert set(page["fields"]) == set(FIELD_NAMES)
        assert "Số định danh cá nhân" in page["text"]
        assert 0.5 < page["confidence"] <= 1
        expected = truth.fields.as_dict()
        right = [n for n in FIELD_NAMES if page["fields"][n] == expected[n]]
        must = {"type", "number", "issued", "owner_id", "owner_name"}
        assert must <= set(right), (page["fields"], expected)
        assert len(right) >= 7, (page["fields"], expected)


def test_ocr_of_a_page_with_no_document_gives_null_fields(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    page = Image.new("L", (1654, 2339), 255)
    ImageDraw.Draw(page).rectangle((200, 200, 400, 400), outline=0, width=5)
    page.save(tmp_path / "blank.png", dpi=(200, 200))
    result = run(tmp_path, "ocr", "--json", str(tmp_path / "blank.png"))
    assert result.returncode == 0, result.stderr
    [only] = json.loads(result.stdout)["pages"]
    assert only["fields"] == dict.fromkeys(FIELD_NAMES)


def test_ocr_in_words_for_the_clerk(tmp_path: Path) -> None:
    specimen = render_specimen(3)
    (tmp_path / "p.jpg").write_bytes(specimen.jpeg)
    result = run(tmp_path, "ocr", str(tmp_path / "p.jpg"))
    assert result.returncode == 0, result.stderr
    assert f"Số định danh: {specimen.fields.owner_id}" in result.stdout
    assert "1/1 trang" in result.stdout
