"""Page geometry: skew detection and straightening, scanner-border cropping.

Skew is found with a projection profile: the ink pixels of the page are projected on a line at
each candidate angle, and the angle whose histogram has the sharpest peaks (text lines, ruled
lines) wins. It runs coarse to fine on growing resolutions. Components too large to be text
(black scanner borders, photos) are left out first. The angle follows the ``deskew`` package:
degrees, counter-clockwise positive, the rotation that straightens the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_MIN_POINTS = 200
_MIN_CONTRAST = 1.12
_STRIP_PX = 400.0
_WORK_SIZE = 1200  # peak score over median score below which no angle is trusted
# ink points of the 1-degree search (the finer steps use up to 40,000): 10,000 find the same angle
# as 20,000 on the corpus, the synthetic pages and the benchmark pages, in half the time
_COARSE_POINTS = 10_000


def to_gray(image: np.ndarray) -> np.ndarray:
    import cv2

    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def reduce(image: np.ndarray, dpi: float, max_dpi: float = 150.0,
           min_longest: int = 1000) -> tuple[np.ndarray, float]:
    """Halve the image while it is finer than ``max_dpi`` and stays at least ``min_longest`` pixels
    long; the analysis copy of a page. Returns the copy and its resolution. Each halving averages
    2 x 2 pixels (``INTER_AREA`` at exactly one half: a few times cheaper than a Gaussian pyramid
    step on a colour page, and as free of aliasing for what the analysis looks at)."""
    import cv2

    small = image
    while dpi > max_dpi and max(small.shape[:2]) >= 2 * min_longest:
        small = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)  # 2 x 2 fast path
        dpi /= 2.0
    return small, dpi


def percentile_u8(image: np.ndarray, q: float) -> int:
    """The ``q``-th percentile of a uint8 image, from its histogram (far cheaper than a sort)."""
    import cv2

    counts = cv2.calcHist([np.ascontiguousarray(image)], [0], None, [256], [0, 256]).ravel()
    return int(np.searchsorted(np.cumsum(counts), q / 100.0 * image.size))


def _resize_to(gray: np.ndarray, longest: int) -> tuple[np.ndarray, float]:
    """Shrink so that the longest side is at most ``longest``: halvings first (cheap), then area."""
    import cv2

    h, w = gray.shape[:2]
    if max(h, w) <= longest:
        return gray, 1.0
    small = gray
    while max(small.shape[:2]) > longest and max(small.shape[:2]) >= 1.5 * longest:
        small = cv2.pyrDown(small)
    sh, sw = small.shape[:2]
    if max(sh, sw) > longest:
        factor = longest / max(sh, sw)
        small = cv2.resize(small, (max(1, round(sw * factor)), max(1, round(sh * factor))),
                           interpolation=cv2.INTER_AREA)
    return small, small.shape[1] / w


def _ink_points(gray: np.ndarray, limit: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of ink pixels that belong to text-sized components, at most ``limit`` of them."""
    import cv2

    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = gray.shape
    too_big = (stats[:, cv2.CC_STAT_HEIGHT] > h * 0.3) | (stats[:, cv2.CC_STAT_WIDTH] > w * 0.9) \
        | (stats[:, cv2.CC_STAT_AREA] > h * w * 0.01)
    too_big[0] = False
    found = cv2.findNonZero(ink)  # ink is a few per cent of the page: work on its pixels only
    if found is None:
        return np.empty(0), np.empty(0)
    found = found.reshape(-1, 2)  # (N, 1, 2) in OpenCV 4, (N, 2) in 5
    xs, ys = found[:, 0], found[:, 1]  # in row order, as np.nonzero gives them
    if too_big.any():
        kept = ~too_big[labels[ys, xs]]
        xs, ys = xs[kept], ys[kept]
    if len(xs) > limit:
        pick = np.sort(np.random.default_rng(seed).choice(len(xs), limit, replace=False))
        xs, ys = xs[pick], ys[pick]
    return xs.astype(np.float64), ys.astype(np.float64)


def _scores(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray, bin_px: float, strip_px: float) -> np.ndarray:
    """Sharpness of the projection profile at each angle: the sum of squared histogram counts.

    The page is cut in vertical strips about ``strip_px`` wide, each with its own histogram:
    with one histogram for the whole width, the lines of two columns can line up at a wrong angle.
    """
    width = float(xs.max()) + 1.0 if len(xs) else 1.0
    strips = max(1, round(width / strip_px))
    span = int(np.hypot(width, float(ys.max()) + 1.0) / bin_px) + 2
    offset = np.minimum((xs * strips / width).astype(np.int64), strips - 1) * span
    xs32, ys32 = (xs / bin_px).astype(np.float32), (ys / bin_px).astype(np.float32)
    out = np.empty(len(angles))
    for i, angle in enumerate(angles):
        theta = math.radians(angle)
        projected = xs32 * np.float32(math.sin(theta)) + ys32 * np.float32(math.cos(theta))
        projected -= projected.min()
        counts = np.bincount(offset + projected.astype(np.int64)).astype(np.float64)
        out[i] = float(np.dot(counts, counts))
    return out


@dataclass(frozen=True)
class SkewEstimate:
    angle: float  # degrees, counter-clockwise positive, to straighten the page
    confident: bool


def estimate_skew(image: np.ndarray, max_angle: float = 45.0) -> SkewEstimate:
    """Estimate the straightening angle of a page (grey or RGB array).

    One image of about 1200 pixels: every 1 degree on a sample of the ink, then 0.1 and 0.02
    degree steps around the best, with a parabola through the last three scores.
    """
    small, _ = _resize_to(to_gray(image), _WORK_SIZE)
    xs, ys = _ink_points(small, 40_000)
    if len(xs) < _MIN_POINTS:
        return SkewEstimate(0.0, confident=False)
    coarse = np.arange(-max_angle, max_angle + 1e-9, 1.0)
    sample = slice(None, None, max(1, len(xs) // _COARSE_POINTS))
    scores = _scores(xs[sample], ys[sample], coarse, 4.0, 1e9)
    contrast = scores.max() / max(float(np.median(scores)), 1.0)
    best = float(coarse[int(np.argmax(scores))])
    for half, step in ((1.0, 0.1), (0.1, 0.02)):
        angles = np.arange(best - half, best + half + 1e-9, step)
        scores = _scores(xs, ys, angles, 1.0, _STRIP_PX)
        i = int(np.argmax(scores))
        best = float(angles[i])
    if 0 < i < len(scores) - 1:
        left, mid, right = scores[i - 1], scores[i], scores[i + 1]
        curvature = left - 2 * mid + right
        if curvature < 0:
            best += 0.5 * step * (left - right) / curvature
    best = max(-max_angle, min(max_angle, best))
    return SkewEstimate(round(float(-best), 3), confident=bool(contrast >= _MIN_CONTRAST))


def rotated_size(width: int, height: int, angle: float) -> tuple[int, int]:
    """Width and height of the canvas that holds a ``width`` x ``height`` image turned by ``angle``."""
    theta = math.radians(angle)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    return math.ceil(width * cos + height * sin), math.ceil(width * sin + height * cos)


def rotation_matrix(width: int, height: int, angle: float,
                    window: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The affine map of :func:`rotate` (about the centre, onto the grown canvas), shifted so that
    ``window`` (``x0, y0, x1, y1`` on that canvas) starts at the origin."""
    import cv2

    new_w, new_h = rotated_size(width, height, angle)
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    matrix[0, 2] += (new_w - width) / 2.0
    matrix[1, 2] += (new_h - height) / 2.0
    if window is not None:
        matrix[0, 2] -= window[0]
        matrix[1, 2] -= window[1]
    return matrix


def rotate(image: np.ndarray, angle: float, fill: tuple[int, ...] | int | None = None,
           window: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Rotate counter-clockwise by ``angle`` degrees about the centre, growing the canvas so that
    nothing is cut; new areas take ``fill`` (default: the colour of the image's edge). With
    ``window`` (a box on the grown canvas) only that part is computed: rotation and crop in one pass."""
    import cv2

    h, w = image.shape[:2]
    if fill is None:
        fill = edge_color(image)
    matrix = rotation_matrix(w, h, angle, window)
    size = rotated_size(w, h, angle) if window is None else (window[2] - window[0], window[3] - window[1])
    value = (fill,) * 3 if isinstance(fill, int) else tuple(int(v) for v in fill)
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=value)


def edge_color(image: np.ndarray) -> int | tuple[int, ...]:
    """Median colour of the image's outermost rows and columns (the scanner background)."""
    ring = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    median = np.median(ring, axis=0)
    return int(median) if image.ndim == 2 else tuple(int(v) for v in median)


def find_border_crop(image: np.ndarray, min_contrast: int = 40) -> tuple[int, int, int, int] | None:
    """The page's box ``(x0, y0, x1, y1)`` inside a darker scanner border, or ``None`` when the page
    has no such border (it fills the image, or the background is as light as the paper)."""
    import cv2

    gray = to_gray(image)
    small, scale = _resize_to(gray, 800)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    background = int(np.median(np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])))
    paper = percentile_u8(small, 90)
    if paper - background < min_contrast:
        return None
    mask = (small > (background + paper) // 2).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if count < 2:
        return None
    page = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[page, cv2.CC_STAT_AREA] < small.size * 0.2:
        return None
    x0, y0, x1, y1 = _inner_box(labels == page)
    if x1 - x0 < small.shape[1] * 0.2 or y1 - y0 < small.shape[0] * 0.2:
        return None
    h, w = gray.shape
    box = (math.floor(x0 / scale), math.floor(y0 / scale), math.ceil(x1 / scale), math.ceil(y1 / scale))
    box = (max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3]))
    if box == (0, 0, w, h):
        return None
    return box


def _inner_box(mask: np.ndarray, fill: float = 0.9) -> tuple[int, int, int, int]:
    """Shrink the mask's bounding box until every edge row and column is ``fill`` page."""
    ys, xs = np.nonzero(mask)
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    for _ in range(max(mask.shape)):
        region = mask[y0:y1, x0:x1]
        if region.size == 0:
            break
        rows, cols = region.mean(axis=1), region.mean(axis=0)
        worst = min((rows[0], "top"), (rows[-1], "bottom"), (cols[0], "left"), (cols[-1], "right"))
        if worst[0] >= fill:
            break
        if worst[1] == "top":
            y0 += 1
        elif worst[1] == "bottom":
            y1 -= 1
        elif worst[1] == "left":
            x0 += 1
        else:
            x1 -= 1
    return x0, y0, x1, y1
