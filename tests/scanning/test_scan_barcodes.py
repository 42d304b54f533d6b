"""Barcodes: the pipeline reads at least what raw zxing-cpp reads on the corpus, nothing on the
false-positive images, and Vietnamese UTF-8 payloads exactly, with either reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import qrcode
import zxingcpp
from PIL import Image
from scan_helpers import corpus, text_page

from app.scanning.barcodes import Barcode, read_barcodes
from app.scanning.batch import process_file_page
from app.scanning.pipeline import PageFailure, PageResult
from app.scanning.profile import DEFAULT_PROFILE, BarcodeReader, ScanProfile

FOLDERS = ["qrcode-2", "qrcode-5", "qrcode-6", "qrcode-7", "code128-1", "code128-2"]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".pgm"}
VIETNAMESE = "Nguyễn Thị Ánh Tuyết|079185001234|Số 12, đường Trần Hưng Đạo, phường Cầu Ông Lãnh, Quận 1"


def images(folder: str) -> list[Path]:
    return sorted(p for p in corpus("barcodes", folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def expected(image: Path) -> bytes | None:
    text = image.with_suffix(".txt")
    return text.read_bytes() if text.exists() else None


def raw_payloads(image: Path) -> list[tuple[bytes, str]]:
    with Image.open(image) as im:
        return [(bytes(r.bytes), r.text) for r in zxingcpp.read_barcodes(im)]


def pipeline_payloads(image: Path) -> list[tuple[bytes, str]]:
    result = process_file_page(str(image), 0, DEFAULT_PROFILE)
    assert isinstance(result, PageResult), result
    return [(b.raw, b.text) for b in result.barcodes]


def read_ok(payloads: list[tuple[bytes, str]], want: bytes | None) -> bool:
    """With an expected text: one payload equals it (bytes or UTF-8 text). Without: anything read."""
    if want is None:
        return bool(payloads)
    return any(raw == want or text.encode("utf-8") == want for raw, text in payloads)


@pytest.mark.parametrize("folder", FOLDERS)
def test_read_rate_at_least_raw_zxing(folder: str) -> None:
    """GIVEN a corpus folder WHEN each image goes through the pipeline THEN it reads, per image
    class (with an expected text, without), at least as many as raw ``zxingcpp.read_barcodes``."""
    counts = {"raw": [0, 0], "pipeline": [0, 0]}  # [with expected text, without]
    missed = []
    for image in images(folder):
        want = expected(image)
        slot = 0 if want is not None else 1
        raw = read_ok(raw_payloads(image), want)
        ours = read_ok(pipeline_payloads(image), want)
        counts["raw"][slot] += raw
        counts["pipeline"][slot] += ours
        if raw and not ours:
            missed.append(image.name)
    assert not missed, f"raw zxing-cpp read these, the pipeline did not: {missed}"
    assert counts["pipeline"][0] >= counts["raw"][0]
    assert counts["pipeline"][1] >= counts["raw"][1]


def test_qr_and_code128_read_rates_are_high() -> None:
    totals = [0, 0]
    for folder in FOLDERS:
        for image in images(folder):
            want = expected(image)
            if want is not None:
                totals[0] += 1
                totals[1] += read_ok(pipeline_payloads(image), want)
    assert totals[1] / totals[0] >= 0.9, totals


def test_no_barcode_on_false_positive_images() -> None:
    """Nothing read on images holding no barcode; the degenerate ones (1x1, 1x100 pixels) are
    refused as pages when loaded, which reads nothing either."""
    found = {}
    for image in images("falsepositives-1"):
        result = process_file_page(str(image), 0, DEFAULT_PROFILE)
        if isinstance(result, PageFailure):
            assert result.step == "load" and min(Image.open(image).size) < 16, result
            found[image.name] = []
        else:
            found[image.name] = [(b.raw, b.text) for b in result.barcodes]
    assert len(found) >= 15  # the repository's subset (tests/data/README.md): tiny, small and large photos
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_pyzbar_finds_nothing_on_false_positive_images_either() -> None:
    for image in images("falsepositives-1"):
        with Image.open(image) as im:
            gray = np.asarray(im.convert("L"))
        assert read_barcodes(gray, reader=BarcodeReader.PYZBAR) == (), image.name


def qr_image(payload: bytes | str, box: int = 6) -> np.ndarray:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return np.asarray(code.make_image(fill_color="black", back_color="white").convert("L")).copy()


@pytest.mark.parametrize("reader", [BarcodeReader.ZXING, BarcodeReader.PYZBAR])
def test_vietnamese_utf8_qr_decoded_exactly(reader: BarcodeReader) -> None:
    """GIVEN a QR holding Vietnamese UTF-8 bytes (no ECI, as on a CCCD) WHEN read THEN exact text."""
    found = read_barcodes(qr_image(VIETNAMESE.encode("utf-8")), reader=reader)
    assert [(b.format, b.text) for b in found] == [("QRCode", VIETNAMESE)]
    assert found[0].raw == VIETNAMESE.encode("utf-8")


def test_qr_on_a_scanned_page_through_the_pipeline(tmp_path: Path) -> None:
    """GIVEN a text page with a QR pasted in a corner WHEN processed THEN the code is reported."""
    page = text_page(lines=12)
    code = qr_image(VIETNAMESE.encode("utf-8"), box=5)
    h, w = code.shape
    page[2339 - h - 150:2339 - 150, 1654 - w - 150:1654 - 150] = code[:, :, None]
    path = tmp_path / "page.png"
    Image.fromarray(page).save(path)
    result = process_file_page(str(path), 0, ScanProfile())
    assert isinstance(result, PageResult)
    assert [b.to_json() for b in result.barcodes] == [{"format": "QRCode", "text": VIETNAMESE}]


def test_non_utf8_payload_keeps_the_readers_decoding() -> None:
    """Bytes that are not UTF-8 (Shift_JIS here) keep zxing-cpp's charset guess."""
    image = corpus("barcodes", "qrcode-2", "33.png")
    with Image.open(image) as im:
        found = read_barcodes(np.asarray(im.convert("L")))
    assert found and found[0].text.encode("utf-8") == expected(image)


def test_barcode_value_is_frozen_and_serialises() -> None:
    barcode = Barcode("Code128", "ABC-123", b"ABC-123")
    assert barcode.to_json() == {"format": "Code128", "text": "ABC-123"}
    with pytest.raises(AttributeError):
        barcode.text = "x"  # type: ignore[misc]
