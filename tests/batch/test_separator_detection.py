"""Separator sheets on paper: our PDF rasterised like a scan, Patch T bars, quality flags, hashes."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw

from app.core.separator import PATCH_T, parse_separator
from app.documents.separator import HEADING, render_separator_pdf
from app.scanning.geometry import reduce
from app.scanning.pipeline import PageResult, process_page
from app.scanning.profile import DEFAULT_PROFILE
from app.scanning.separators import (
    BATCH_STEPS,
    NEAR_DUPLICATE_BITS,
    analyse_page,
    checks_of,
    find_patch_t,
    hash_distance,
    separator_payload,
)
from tests.batch.batch_helpers import TYPE, patch_sheet, separator_sheet, text_doc_page
from tests.scanning.scan_helpers import blank_page, font, paper, rotate, seal_page, short_line_page


def checks(image: np.ndarray):  # type: ignore[no-untyped-def]
    small, dpi = reduce(image, 200)
    return analyse_page(small, dpi)


def through_pipeline(image: np.ndarray) -> PageResult:
    result = process_page(image, DEFAULT_PROFILE, dpi=200, steps=BATCH_STEPS)
    assert isinstance(result, PageResult)
    return result


def test_the_separator_pdf_is_a4_with_heading_payload_and_count() -> None:
    pdf = render_separator_pdf(TYPE, "Giấy chứng nhận kết hôn", count=3, record="HS-0001")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 3
        box = [float(v) for v in doc.pages[0].MediaBox]
        assert box[2] == pytest.approx(595.27, abs=0.5) and box[3] == pytest.approx(841.89, abs=0.5)
    import subprocess
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert HEADING in text and "Giấy chứng nhận kết hôn" in text and TYPE in text
    assert "MOTCUA-SEP:1;type=KQ.1.000894;rec=HS-0001" in text


@pytest.mark.parametrize("result_type", [None, TYPE])
def test_our_sheet_is_a_separator_through_the_pipeline(result_type: str | None) -> None:
    result = through_pipeline(separator_sheet(result_type))
    found = checks_of(result)
    payload = separator_payload(result.barcodes, found.patch_t)
    assert payload is not None
    parsed = parse_separator(payload)
    assert parsed is not None and parsed.result_code == result_type
    assert found.patch_t  # the sheet carries Patch T bars too


def test_a_slightly_skewed_and_a_turned_separator_still_count() -> None:
    sheet = separator_sheet(TYPE)
    for image in (rotate(sheet, 1.5), np.ascontiguousarray(np.rot90(sheet, 2))):
        result = through_pipeline(image)
        assert separator_payload(result.barcodes, checks_of(result).patch_t) == f"MOTCUA-SEP:1;type={TYPE}"


@pytest.mark.parametrize(("angle", "vertical"), [(0.0, False), (2.0, False), (-3.0, False), (0.0, True)])
def test_patch_t_alone_is_found(angle: float, vertical: bool) -> None:
    sheet = patch_sheet("0101", angle=angle, vertical=vertical)
    assert checks(sheet).patch_t
    result = through_pipeline(sheet)
    assert separator_payload(result.barcodes, checks_of(result).patch_t) == PATCH_T


def test_patch_t_fed_upside_down_is_found() -> None:
    assert checks(np.ascontiguousarray(np.rot90(patch_sheet("0101"), 2))).patch_t


@pytest.mark.parametrize("pattern", ["1100", "1001", "0110", "0011", "0000", "1111", "010"])
def test_other_patch_codes_are_not_patch_t(pattern: str) -> None:
    assert not checks(patch_sheet(pattern)).patch_t


def ruled_form(seed: int = 0) -> np.ndarray:
    """A form with thick and thin table rules, a black title bar and text: no separator."""
    im = Image.fromarray(paper(seed))
    draw = ImageDraw.Draw(im)
    draw.rectangle((150, 150, 1500, 230), fill=(15, 15, 15))
    for row in range(12):
        y = 400 + row * 80
        draw.rectangle((150, y, 1500, y + (12 if row % 3 == 0 else 4)), fill=(20, 20, 20))
        draw.text((170, y + 25), f"Mục {row + 1}: Nguyễn Văn Đức", font=font(30), fill=(20, 20, 20))
    for y in (1500, 1520, 1560, 1580):  # four parallel rules, evenly spaced: not a patch pattern
        draw.rectangle((300, y, 1000, y + 8), fill=(20, 20, 20))
    return np.asarray(im).copy()


@pytest.mark.parametrize("make", [lambda: text_doc_page(3), lambda: blank_page(1), short_line_page, seal_page,
                                  ruled_form])
def test_ordinary_pages_are_not_separators(make) -> None:  # type: ignore[no-untyped-def]
    result = through_pipeline(make())
    assert separator_payload(result.barcodes, checks_of(result).patch_t) is None


def test_quality_flags() -> None:
    page = text_doc_page(5)
    assert checks(page).flags == ()
    dark = (page.astype(np.float32) * 0.3).astype(np.uint8)
    assert "too_dark" in checks(dark).flags
    faint = np.clip(255 - (255 - page.astype(np.float32)) * 0.25, 0, 255).astype(np.uint8)
    assert "too_light" in checks(faint).flags
    cut = np.full_like(page, 246)
    cut[:, :1250] = page[:, 404:]  # the sheet shifted: text runs off the right edge
    assert "cut_off" in checks(cut).flags
    assert checks(blank_page(2)).flags == ()  # blank, but neither dark, faint nor cut
    assert checks(short_line_page()).flags == ()


def rescan(image: np.ndarray, seed: int) -> np.ndarray:
    """The same sheet scanned again: shifted, a little turned, other noise, JPEG."""
    rng = np.random.default_rng(seed)
    moved = cv2.warpAffine(image, np.float32([[1, 0, rng.uniform(-25, 25)], [0, 1, rng.uniform(-25, 25)]]),
                           (image.shape[1], image.shape[0]), borderValue=(246, 246, 246))
    moved = rotate(moved, float(rng.uniform(-0.3, 0.3)))
    noisy = np.clip(moved * rng.uniform(0.95, 1.03) + rng.normal(0, 3, moved.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, "JPEG", quality=70)
    return np.asarray(Image.open(buffer))


def test_perceptual_hash_finds_rescans_not_other_pages() -> None:
    pages = [text_doc_page(seed) for seed in range(6)]
    hashes = [checks(p).phash for p in pages]
    assert all(hashes)
    for page, value in zip(pages, hashes, strict=True):
        assert hash_distance(value, checks(rescan(page, 7)).phash) <= NEAR_DUPLICATE_BITS  # type: ignore[arg-type]
    for i in range(len(pages)):
        for j in range(i + 1, len(pages)):
            assert hash_distance(hashes[i], hashes[j]) > 2 * NEAR_DUPLICATE_BITS  # type: ignore[arg-type]


def test_patch_t_finder_on_an_empty_image() -> None:
    assert not find_patch_t(np.zeros((0, 0), np.uint8), 100)
