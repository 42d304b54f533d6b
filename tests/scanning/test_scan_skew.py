"""Skew: the corpus's real scans within 0.5 degrees of ``expected.json``, synthetic pages closer."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scan_helpers import corpus, rotate, text_page

from app.scanning.batch import process_file_page
from app.scanning.geometry import estimate_skew, find_border_crop
from app.scanning.loading import load_page
from app.scanning.pipeline import PageResult
from app.scanning.profile import DEFAULT_PROFILE

EXPECTED: dict[str, float] = json.loads(corpus("skew", "expected.json").read_text(encoding="utf-8"))
TOLERANCE = 0.5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_skew_found_within_half_a_degree(name: str) -> None:
    """GIVEN a real skewed scan WHEN its skew is estimated THEN it matches the deskew package's angle."""
    image = load_page(corpus("skew", name)).image
    estimate = estimate_skew(image)
    assert estimate.confident
    assert abs(estimate.angle - EXPECTED[name]) <= TOLERANCE, (name, estimate.angle, EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pipeline_reports_the_rotation_it_applied(name: str) -> None:
    """GIVEN a real skewed scan WHEN it goes through the whole pipeline THEN skew_deg is the angle."""
    result = process_file_page(str(corpus("skew", name)), 0, DEFAULT_PROFILE)
    assert isinstance(result, PageResult), result
    assert abs(result.skew_deg - EXPECTED[name]) <= TOLERANCE, (name, result.skew_deg)
    assert result.corners is None  # scans, not camera shots


@pytest.mark.parametrize(("name", "turn"), [("deskew-4.png", 8.0), ("deskew-3.png", -9.0)])
def test_real_scan_turned_to_fifteen_degrees_found(name: str, turn: float) -> None:
    """GIVEN a real scan turned further clockwise to about 15 degrees either way WHEN estimated
    THEN the total angle is found (a large skew on real print, not only on synthetic pages)."""
    image = rotate(load_page(corpus("skew", name)).image, -turn)
    estimate = estimate_skew(image)
    assert estimate.confident
    assert abs(estimate.angle - (EXPECTED[name] + turn)) <= TOLERANCE, (name, estimate.angle)


@pytest.mark.parametrize("angle", [-12.0, -3.5, -0.8, 2.25, 7.0, 30.0])
def test_synthetic_vietnamese_page_angle_recovered(angle: float) -> None:
    """GIVEN a Vietnamese page turned clockwise by ``angle`` WHEN estimated THEN +angle straightens it."""
    page = rotate(text_page(seed=3), -angle)
    estimate = estimate_skew(page)
    assert estimate.confident
    assert estimate.angle == pytest.approx(angle, abs=0.15)


def test_straight_page_is_left_alone() -> None:
    estimate = estimate_skew(text_page())
    assert abs(estimate.angle) < 0.1


def test_border_crop_removes_dark_scanner_border() -> None:
    """GIVEN a page on a black scanner background WHEN cropped THEN the box is the page."""
    page = text_page(lines=10)
    canvas = np.full((page.shape[0] + 200, page.shape[1] + 160, 3), 15, np.uint8)
    canvas[120:120 + page.shape[0], 60:60 + page.shape[1]] = page
    box = find_border_crop(canvas)
    assert box is not None
    x0, y0, x1, y1 = box
    assert abs(x0 - 60) <= 4 and abs(y0 - 120) <= 4
    assert abs(x1 - (60 + page.shape[1])) <= 4 and abs(y1 - (120 + page.shape[0])) <= 4
    assert find_border_crop(page) is None  # white to the edges: nothing to crop
