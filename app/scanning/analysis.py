"""What is on a page: blank or not, and whether colour or grey tones matter.

Both run on a copy at 100-150 dpi, with the paper's brightness divided out first, so shading and
a yellowish sheet do not count as content.

Blank: ink is grouped like text. Dust (specks under 0.8 mm) and punch holes (round, 4-10 mm,
near an edge) are ignored; what remains counts when it forms a group of at least three marks
along a line (a word, a line of text) or one mark at least 10 mm long (a signature, a rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.scanning.geometry import percentile_u8, reduce, to_gray
from app.scanning.profile import ColorMode

_INK = 0.65  # darker than this share of the local paper brightness is ink
_EDGE_MM = 3.0  # a band along the edges left out (remains of the scanner border, shadows)
_GRAY_SHARE = 0.002  # share of the page in mid-tone areas (a photo, a tint) that makes a page grey


@dataclass(frozen=True)
class PageAnalysis:
    blank: bool
    ink_share: float  # text-like ink, share of the page area
    color_share: float  # saturated pixels, share of the page area
    midtone_share: float  # mid-tones away from strokes, share of the page area


def _mm(dpi: float, mm: float) -> float:
    return mm * dpi / 25.4


def paper_level(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Local brightness of the paper: a grey closing removes marks narrower than ~4 mm."""
    import cv2

    size = max(3, int(_mm(dpi, 4.0)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    return cv2.blur(background, (size, size))


def analyse(image: np.ndarray, dpi: float, blank_threshold: float) -> PageAnalysis:
    """Analyse a page; ``image`` may be the page itself or its reduced copy (``geometry.reduce``).

    The thresholds are relative (to the paper nearby, to the page's paper white) but compared on
    the uint8 pixels themselves: ``gray / white < t`` is ``gray < ceil(t * white)`` for whole-number
    pixels, so no float copy of the page is made."""
    small, sdpi = reduce(image, dpi)
    gray = to_gray(small)
    # relative to the paper nearby (text) and to the page's paper white (photos, large dark areas)
    paper = paper_level(gray, sdpi)
    local = gray.astype(np.uint16) * 100 < np.maximum(paper, 1).astype(np.uint16) * round(_INK * 100)
    white = max(float(percentile_u8(gray, 95)), 64.0)
    ink = local | (gray < math.ceil(0.5 * white))
    edge = round(_mm(sdpi, _EDGE_MM))
    if edge and min(ink.shape) > 4 * edge:
        ink[:edge], ink[-edge:], ink[:, :edge], ink[:, -edge:] = False, False, False, False
    ink_share = _text_like_ink(ink, sdpi) / float(ink.size)
    color_share = _color_share(small) if small.ndim == 3 else 0.0
    midtone_share = _midtone_share(gray, white)
    return PageAnalysis(ink_share < blank_threshold, ink_share, color_share, midtone_share)


def _text_like_ink(ink: np.ndarray, dpi: float) -> int:
    import cv2

    mask = ink.view(np.uint8)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return 0
    w_, h_ = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    longest = np.maximum(w_, h_)
    height, width = ink.shape
    dust = longest < _mm(dpi, 0.8)
    squarish = (np.minimum(w_, h_) / np.maximum(longest, 1)) > 0.75
    hole_size = (longest >= _mm(dpi, 4.0)) & (longest <= _mm(dpi, 10.0))
    cx, cy = centroids[:, 0], centroids[:, 1]
    near_edge = np.minimum.reduce([cx, cy, width - cx, height - cy]) < _mm(dpi, 25.0)
    hole = squarish & hole_size & near_edge
    marks = ~(dust | hole)
    marks[0] = False
    if not marks.any():
        return 0
    # only the ink pixels (a few per cent of the page) are looked up, not the whole label image
    flat = np.flatnonzero(ink)
    flat = flat[marks[labels.ravel()[flat]]]
    keep = np.zeros(ink.size, np.uint8)
    keep[flat] = 1
    # group marks that sit on one line, as letters of a word do
    size = (max(3, int(_mm(dpi, 4.0))), max(1, int(_mm(dpi, 1.0))))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    grouped = cv2.dilate(keep.reshape(ink.shape), kernel)
    _, groups = cv2.connectedComponents(grouped, connectivity=8)
    mark_ids = np.nonzero(marks)[0]
    group_of = np.zeros(count, dtype=np.int64)
    group_of[labels.ravel()[flat]] = groups.ravel()[flat]  # every pixel of a mark lies in one group
    mark_groups = group_of[mark_ids]
    members = np.bincount(mark_groups)
    long_mark = longest[mark_ids] >= _mm(dpi, 10.0)
    counted = (members[mark_groups] >= 3) | long_mark
    return int(stats[mark_ids[counted], cv2.CC_STAT_AREA].sum())


def _color_share(rgb: np.ndarray) -> float:
    """Share of pixels that are clearly coloured (a red seal, blue ink), in clusters, not fringes."""
    import cv2

    red, green, blue = cv2.split(rgb)
    high = cv2.max(cv2.max(red, green), blue)
    chroma = cv2.subtract(high, cv2.min(cv2.min(red, green), blue))
    strong = np.flatnonzero(cv2.compare(chroma, 60, cv2.CMP_GT))  # few pixels on a paper page
    if not len(strong):
        return 0.0
    chroma_at, high_at = chroma.ravel()[strong].astype(np.uint16), high.ravel()[strong].astype(np.uint16)
    picked = strong[chroma_at * 100 > high_at * 35]
    if not len(picked):
        return 0.0
    colored = np.zeros(chroma.size, np.uint8)
    colored[picked] = 1
    colored = colored.reshape(chroma.shape)
    _, _, stats, _ = cv2.connectedComponentsWithStats(colored, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA]
    return float(sizes[sizes >= 6].sum()) / float(colored.size)


def _midtone_share(gray: np.ndarray, white: float) -> float:
    """Mid-tones in areas, not the anti-aliased edges of strokes: photos, tints, pencil shading.
    Edges are thin, so an opening removes them along with whatever lies next to a dark stroke.
    Mid-tones lie between 0.3 and 0.8 of the paper white, strokes at most 0.5 of it."""
    import cv2

    mid = cv2.inRange(gray, math.floor(0.3 * white) + 1, math.ceil(0.8 * white) - 1)
    stroke = cv2.inRange(gray, 0, math.floor(0.5 * white))
    near_stroke = cv2.dilate(stroke, np.ones((3, 3), np.uint8))
    areas = cv2.morphologyEx(cv2.bitwise_and(mid, cv2.bitwise_not(near_stroke)), cv2.MORPH_OPEN,
                             np.ones((3, 3), np.uint8))
    return float(cv2.countNonZero(areas)) / float(gray.size)


def choose_color(analysis: PageAnalysis, color_threshold: float) -> ColorMode:
    if analysis.color_share >= color_threshold:
        return ColorMode.COLOR
    if analysis.midtone_share >= _GRAY_SHARE:
        return ColorMode.GRAY
    return ColorMode.BW


def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Black-and-white version of a grey page: True where paper, False where ink."""
    import cv2

    small, sdpi = reduce(gray, dpi)
    background = paper_level(small, sdpi)
    if small.shape != gray.shape:
        background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    # paper where the pixel is not clearly darker than the paper around it: gray > 0.6 * background,
    # i.e. gray > floor(0.6 * background) for whole numbers (one table look-up, no wide copies)
    threshold = cv2.LUT(background, _PAPER_CUT)
    return np.greater(gray, threshold)


_PAPER_CUT = (np.arange(256, dtype=np.int32) * 60 // 100).astype(np.uint8)
