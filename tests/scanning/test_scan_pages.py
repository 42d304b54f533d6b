"""Page analysis (blank, colour), camera shots, and reading files, good and bad."""

from __future__ import annotations

import io
from pathlib import Path

import img2pdf
import numpy as np
import pytest
from PIL import Image
from scan_helpers import (
    blank_page,
    camera_shot,
    corpus,
    save,
    seal_page,
    short_line_page,
    signature_page,
    text_page,
)

from app.scanning.analysis import analyse, choose_color
from app.scanning.camera import find_page_corners
from app.scanning.errors import ImageTooLargeError, UnreadableImageError
from app.scanning.loading import count_pages, load_page
from app.scanning.parallel_pages import process_file_page
from app.scanning.pipeline import PageFailure, PageResult, process_page
from app.scanning.profile import DEFAULT_PROFILE, ColorMode, ScanProfile

PROFILE = DEFAULT_PROFILE


def run(image: np.ndarray) -> PageResult:
    result = process_page(image, PROFILE, dpi=200)
    assert isinstance(result, PageResult), result
    return result


# --------------------------------------------------------------------------- blank pages


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_punch_holes_and_dust_are_blank(seed: int) -> None:
    """GIVEN an empty sheet with punch holes and dust WHEN processed THEN flagged blank (kept)."""
    result = run(blank_page(seed))
    assert result.blank
    assert len(result.encoded.data) > 0  # flagged for review, never dropped


def test_holes_seen_against_a_white_lid_are_blank() -> None:
    assert run(blank_page(backing=225)).blank


@pytest.mark.parametrize("text", ["Trang này cố ý để trống.", "Hết.", "Ký tên"])
def test_one_short_line_of_text_is_not_blank(text: str) -> None:
    """GIVEN the same dusty sheet with one short line of text THEN it is not blank."""
    assert not run(short_line_page(text, size=26)).blank


def test_full_text_page_is_not_blank() -> None:
    assert not run(text_page()).blank


# --------------------------------------------------------------------------- colour


def test_red_seal_keeps_colour() -> None:
    assert run(seal_page()).color is ColorMode.COLOR


def test_blue_signature_keeps_colour() -> None:
    assert run(signature_page()).color is ColorMode.COLOR


def test_plain_black_text_is_stored_bw_and_small() -> None:
    result = run(text_page())
    assert result.color in (ColorMode.BW, ColorMode.GRAY)
    assert result.color is ColorMode.BW
    assert result.encoded.media_type == "image/tiff"
    assert len(result.encoded.data) <= 120 * 1024


def test_photo_like_tones_are_stored_gray() -> None:
    page = text_page(lines=10)
    gradient = np.linspace(60, 200, 700, dtype=np.uint8)
    page[1200:1900, 300:1000] = np.tile(gradient, (700, 1))[:, :, None]
    assert run(page).color is ColorMode.GRAY


def test_profile_colour_mode_overrides_the_choice() -> None:
    result = process_page(text_page(), ScanProfile(color_mode=ColorMode.COLOR), dpi=200)
    assert isinstance(result, PageResult)
    assert result.color is ColorMode.COLOR and result.encoded.media_type == "image/jpeg"


def test_analysis_shares_are_reported() -> None:
    analysis = analyse(seal_page(), 200, PROFILE.blank_threshold)
    assert analysis.color_share > 0.001 and analysis.ink_share > 0.01
    assert choose_color(analysis, PROFILE.color_threshold) is ColorMode.COLOR


# --------------------------------------------------------------------------- camera


CORNERS = [
    ((260, 140), (1370, 210), (1300, 1080), (190, 1000)),
    ((400, 100), (1200, 100), (1250, 1150), (350, 1150)),
    ((600, 80), (1450, 500), (900, 1170), (100, 700)),
]


@pytest.mark.parametrize("truth", CORNERS)
def test_camera_shot_corners_within_two_percent(truth: tuple[tuple[int, int], ...]) -> None:
    """GIVEN a page photographed with perspective on a dark table under uneven light
    WHEN its corners are found THEN each is within 2% of the image size of the truth, in order."""
    shot = camera_shot(text_page(seed=1), truth)
    corners = find_page_corners(shot)
    assert corners is not None
    tolerance = 0.02 * max(shot.shape[:2])
    for (x, y), (tx, ty) in zip(corners, truth, strict=True):
        assert abs(x - tx) <= tolerance and abs(y - ty) <= tolerance, (corners, truth)


def test_camera_shot_is_straightened_and_evenly_lit() -> None:
    truth = CORNERS[0]
    result = run(camera_shot(text_page(seed=1), truth))
    assert result.corners is not None
    assert result.corners[0] == pytest.approx(truth[0], abs=32)
    assert not result.blank
    assert result.skew_deg == pytest.approx(3.9, abs=0.5)  # the rotation part of the correction


def test_scans_and_small_images_are_not_camera_shots() -> None:
    assert find_page_corners(text_page()) is None
    with Image.open(corpus("barcodes", "qrcode-2", "1.png")) as im:
        assert find_page_corners(np.asarray(im.convert("L"))) is None


# --------------------------------------------------------------------------- files


def test_multipage_tiff_gives_every_page(tmp_path: Path) -> None:
    pages = [Image.fromarray(p) for p in (text_page(lines=5), blank_page(), seal_page())]
    path = tmp_path / "three.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(200, 200))
    assert count_pages(path) == 3
    results = [process_file_page(str(path), i, PROFILE) for i in range(3)]
    assert [type(r) for r in results] == [PageResult] * 3
    assert [r.blank for r in results] == [False, True, False]  # type: ignore[union-attr]
    assert [r.index for r in results] == [0, 1, 2]


def test_scanned_pdf_page_image_is_taken_as_is(tmp_path: Path) -> None:
    """GIVEN a PDF of JPEG scans WHEN read THEN each page is its JPEG (no rendering, no re-encoding)."""
    jpeg = io.BytesIO()
    Image.fromarray(seal_page()).save(jpeg, "JPEG", quality=80, dpi=(200, 200))
    path = tmp_path / "scan.pdf"
    path.write_bytes(img2pdf.convert([jpeg.getvalue(), jpeg.getvalue()]))
    assert count_pages(path) == 2
    loaded = load_page(path, 1)
    assert loaded.jpeg == jpeg.getvalue()
    assert loaded.dpi == pytest.approx(200, abs=0.5)
    result = process_file_page(str(path), 1, PROFILE)
    assert isinstance(result, PageResult) and result.color is ColorMode.COLOR
    assert result.encoded.data == jpeg.getvalue()  # unchanged page: stored without re-encoding


def test_vector_pdf_page_is_rasterised(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "form.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(595.27, 841.89))
    for i in range(30):
        pdf.drawString(72, 770 - i * 22, f"Don de nghi cap ban sao trich luc ho tich - dong so {i}")
    pdf.save()
    loaded = load_page(path, 0)
    assert loaded.image.shape[:2] == (2339, 1654)
    result = process_file_page(str(path), 0, PROFILE)
    assert isinstance(result, PageResult) and not result.blank


def make_bad_inputs(folder: Path) -> dict[str, Path]:
    jpeg = folder / "good.jpg"
    save(text_page(lines=8), jpeg, quality=80)
    data = jpeg.read_bytes()
    truncated = folder / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 3])
    text = folder / "notes.png"
    text.write_text("Đây không phải là ảnh.\n", encoding="utf-8")
    empty = folder / "empty.png"
    empty.write_bytes(b"")
    huge = folder / "huge.png"
    Image.new("1", (20_000, 20_000), 1).save(huge)
    return {"truncated": truncated, "text": text, "empty": empty, "huge": huge}


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_bad_inputs(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(("kind", "words"), [
    ("truncated", "truncated"), ("text", "not an image"), ("empty", "empty file"), ("huge", "too large"),
])
def test_bad_input_is_a_failure_not_a_crash(bad_inputs: dict[str, Path], kind: str, words: str) -> None:
    outcome = process_file_page(str(bad_inputs[kind]), 0, PROFILE)
    assert isinstance(outcome, PageFailure)
    assert words in outcome.error
    assert outcome.error_vi


def test_huge_image_refused_from_its_header(bad_inputs: dict[str, Path]) -> None:
    with pytest.raises(ImageTooLargeError, match="400 MP"):
        load_page(bad_inputs["huge"])
    limit = ScanProfile(max_pixels=1_000_000)
    with pytest.raises(ImageTooLargeError, match="4 MP is above the limit of 1 MP"):
        count_pages(save(text_page(lines=1), bad_inputs["huge"].with_name("a4.png")), limit)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableImageError, match="not found"):
        load_page(tmp_path / "nowhere.png")
