"""``motcua pipeline``: the JSON contract, run as a real subprocess.

``COMMANDS`` runs the installed ``motcua`` (the contract) and ``python -m app.cli_scanning`` (the
same handler on its own entry point); both must pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from scan_helpers import blank_page, camera_shot, corpus, save, seal_page, text_page

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
COMMANDS = {
    "motcua": [str(BIN)],
    "module": [sys.executable, "-m", "app.cli"],
}
PAGE_KEYS = {"file", "page", "skew_deg", "blank", "barcodes", "corners", "color", "bytes"}


def run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([*COMMANDS[command], "pipeline", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=300, check=False)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    files = {
        "seal": save(seal_page(), folder / "con dấu.jpg", quality=85, dpi=(200, 200)),
        "blank": save(blank_page(), folder / "trang-trang.png", dpi=(200, 200)),
        "camera": save(camera_shot(text_page(seed=1), ((260, 140), (1370, 210), (1300, 1080), (190, 1000))),
                       folder / "chup.jpg", quality=90),
    }
    truncated = folder / "cut.jpg"
    truncated.write_bytes(files["seal"].read_bytes()[:5000])
    text = folder / "readme.png"
    text.write_text("không phải ảnh", encoding="utf-8")
    empty = folder / "zero.png"
    empty.write_bytes(b"")
    huge = folder / "huge.png"
    Image.new("1", (20_000, 20_000), 1).save(huge)
    files.update(truncated=truncated, text=text, empty=empty, huge=huge)
    return files


def check_page(entry: dict[str, object], file: str, page: int) -> None:
    assert set(entry) == PAGE_KEYS, entry
    assert entry["file"] == file and entry["page"] == page
    assert isinstance(entry["skew_deg"], float)
    assert isinstance(entry["blank"], bool)
    assert isinstance(entry["barcodes"], list)
    assert entry["color"] in ("color", "gray", "bw")
    assert isinstance(entry["bytes"], int) and entry["bytes"] > 0
    corners = entry["corners"]
    assert corners is None or (len(corners) == 4 and all(len(c) == 2 for c in corners))  # type: ignore[arg-type]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_contract_on_good_pages(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    """GIVEN good images WHEN ``pipeline --json --out`` runs THEN one JSON object, exit 0, a PDF."""
    qr = str(corpus("barcodes", "qrcode-2", "1.png"))
    skew = str(corpus("skew", "deskew-4.png"))
    files = [str(inputs["seal"]), str(inputs["blank"]), str(inputs["camera"]), qr, skew]
    out = tmp_path / "hồ sơ.pdf"
    result = run(command, "--out", str(out), "--profile", "default", *files, "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    data = json.loads(result.stdout)
    assert set(data) == {"pages", "seconds"} and isinstance(data["seconds"], float)
    assert len(data["pages"]) == len(files)
    for entry, file in zip(data["pages"], files, strict=True):
        check_page(entry, file, 0)
    seal, blank, camera, code, skewed = data["pages"]
    assert seal["color"] == "color" and not seal["blank"]
    assert blank["blank"] and blank["corners"] is None
    assert camera["corners"] is not None and abs(camera["corners"][0][0] - 260) < 32
    assert code["barcodes"] and code["barcodes"][0]["format"] == "QRCode"
    assert code["barcodes"][0]["text"].startswith("When we at WRT talk about")
    assert abs(skewed["skew_deg"] - 7.0) <= 0.5
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == len(files)  # blank pages are flagged, never dropped


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_inputs_get_error_entries_and_exit_1(command: str, inputs: dict[str, Path]) -> None:
    """GIVEN a truncated JPEG, a text file named .png, a 0-byte file and a 20,000 x 20,000 image
    among good ones WHEN processed THEN each bad one has an error entry, the good ones are done."""
    names = ["seal", "truncated", "text", "empty", "huge", "blank"]
    files = [str(inputs[n]) for n in names]
    result = run(command, "--json", *files)
    assert result.returncode == 1, result.stderr
    pages = json.loads(result.stdout)["pages"]
    assert [p["file"] for p in pages] == files
    for entry, name in zip(pages, names, strict=True):
        if name in ("seal", "blank"):
            check_page(entry, str(inputs[name]), 0)
        else:
            assert set(entry) == {"file", "page", "error"} and entry["page"] == 0
            assert isinstance(entry["error"], str) and entry["error"]
    assert "too large" in pages[4]["error"]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_workers_give_the_same_pages_in_order(command: str, inputs: dict[str, Path]) -> None:
    files = [str(inputs["seal"]), str(inputs["blank"]), str(inputs["empty"]), str(inputs["camera"])]
    one = json.loads(run(command, "--json", "--workers", "1", *files).stdout)["pages"]
    two = run(command, "--json", "--workers", "2", *files)
    assert two.returncode == 1  # the empty file
    assert json.loads(two.stdout)["pages"] == one


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_usage_errors_exit_2_with_json_error(command: str, inputs: dict[str, Path]) -> None:
    for args in (["--workers", "0", str(inputs["seal"])], ["--profile", "nope", str(inputs["seal"])], []):
        result = run(command, "--json", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert set(json.loads(result.stdout)) == {"error"}


def test_text_output_is_vietnamese(inputs: dict[str, Path]) -> None:
    result = run("module", str(inputs["blank"]), str(inputs["empty"]))
    assert result.returncode == 1
    assert "TRANG TRẮNG" in result.stdout and "tệp rỗng" in result.stderr
