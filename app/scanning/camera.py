"""Camera shots of a page: find its four corners, correct the perspective, flatten the light.

Works on still images (the pipeline step) and on frames of an OpenCV capture (:class:`CameraSource`
in :mod:`app.scanning.sources`). A shot is recognised when a bright quadrilateral lies wholly inside
the frame with background on every side; a page that fills the image is left to deskew and crop.
"""

from __future__ import annotations

import math

import numpy as np

from app.scanning.geometry import percentile_u8, to_gray

Corners = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

_WORK_SIZE = 900  # longest side, in pixels, of the image the page is searched on
_MIN_AREA = 0.10  # of the frame
_MAX_AREA = 0.92
_EDGE_MARGIN = 0.01  # corners nearer than this (share of the frame) to an edge: not a shot
_MIN_SIDE = 320  # pixels; smaller images are crops or thumbnails, not photographs of a page
_MIN_CONTRAST = 30  # grey levels between the paper and what surrounds it
_MIN_PAPER = 0.6  # share of the page's pixels that must be paper (not ink)
A4_RATIO = 297.0 / 210.0


def find_page_corners(image: np.ndarray) -> Corners | None:
    """Corners of the page (top-left, top-right, bottom-right, bottom-left, in input pixels), or
    ``None`` when no page lies wholly inside the image."""
    import cv2

    gray = to_gray(image)
    h, w = gray.shape
    if min(h, w) < _MIN_SIDE:
        return None
    scale = min(1.0, _WORK_SIZE / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ring = np.concatenate([small[:3].ravel(), small[-3:].ravel(),
                           small[:, :3].ravel(), small[:, -3:].ravel()])
    if float(np.median(ring)) > percentile_u8(small, 90) - _MIN_CONTRAST:
        return None  # the image's edges are as light as paper: the page fills the frame
    for mask in _candidate_masks(small):
        quad = _quad_from_mask(mask)
        if quad is not None and _plausible(quad, small):
            return _order(tuple((float(x) / scale, float(y) / scale) for x, y in quad))  # type: ignore[arg-type]
    return None


def _candidate_masks(small: np.ndarray):  # type: ignore[no-untyped-def]
    """Masks of 'page' pixels: a global Otsu split, then one against the local background."""
    import cv2

    blur = cv2.GaussianBlur(small, (7, 7), 0)
    # close away the text so the page is one solid region
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    solid = cv2.morphologyEx(blur, cv2.MORPH_CLOSE, kernel)
    _, otsu = cv2.threshold(solid, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield otsu
    size = max(31, (min(small.shape) // 3) | 1)
    yield cv2.adaptiveThreshold(solid, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, size, -5)
    edges = cv2.dilate(cv2.Canny(blur, 30, 90), np.ones((3, 3), np.uint8))
    filled = np.zeros_like(edges)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        cv2.drawContours(filled, [max(contours, key=cv2.contourArea)], -1, 255, thickness=cv2.FILLED)
        yield filled


def _quad_from_mask(mask: np.ndarray) -> np.ndarray | None:
    import cv2

    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, closed=True)
    for epsilon in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, closed=True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float64)
            # the region must be the quadrilateral itself, not a blob it happens to wrap
            if cv2.contourArea(contour) < 0.9 * abs(cv2.contourArea(quad.astype(np.float32))):
                return None
            points = contour.reshape(-1, 2).astype(np.float64)
            if _share_on_sides(quad, points) < 0.85:  # a rounded blob, not four straight edges
                return None
            return _refine(quad, points)
    return None


def _share_on_sides(quad: np.ndarray, points: np.ndarray) -> float:
    import cv2

    tolerance = max(3.0, 0.015 * float(np.sqrt(abs(cv2.contourArea(quad.astype(np.float32))))))
    distance = np.full(len(points), np.inf)
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        t = np.clip(((points - a) @ d) / max(float(d @ d), 1e-9), 0.0, 1.0)
        distance = np.minimum(distance, np.hypot(*(points - (a + t[:, None] * d)).T))
    return float(np.mean(distance <= tolerance))


def _refine(quad: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Fit a line to the contour points along each side and intersect neighbouring sides: more
    precise than the polygon's vertices, which round the corners."""
    import cv2

    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        if length < 1:
            return quad
        direction = (b - a) / length
        rel = points - a
        along = rel @ direction
        across = np.abs(rel[:, 0] * direction[1] - rel[:, 1] * direction[0])
        near = (across < max(3.0, 0.02 * length)) & (along > 0.1 * length) & (along < 0.9 * length)
        if near.sum() < 5:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(points[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((float(x0), float(y0), float(vx), float(vy)))
    out = np.empty((4, 2))
    for i in range(4):
        point = _intersect(lines[i - 1], lines[i])
        if point is None:
            return quad
        out[i] = point
    return out


def _intersect(p: tuple[float, float, float, float], q: tuple[float, float, float, float]):  # type: ignore[no-untyped-def]
    x1, y1, dx1, dy1 = p
    x2, y2, dx2, dy2 = q
    det = dx1 * dy2 - dy1 * dx2
    if abs(det) < 1e-9:
        return None
    t = ((x2 - x1) * dy2 - (y2 - y1) * dx2) / det
    return (x1 + t * dx1, y1 + t * dy1)


def _plausible(quad: np.ndarray, small: np.ndarray) -> bool:
    """A page wholly inside the frame, clearly lighter than its surroundings, mostly paper."""
    import cv2

    h, w = small.shape[:2]
    area = abs(cv2.contourArea(quad.astype(np.float32)))
    if not _MIN_AREA * w * h <= area <= _MAX_AREA * w * h:
        return False
    margin_x, margin_y = _EDGE_MARGIN * w, _EDGE_MARGIN * h
    if not all(margin_x < x < w - margin_x and margin_y < y < h - margin_y for x, y in quad):
        return False
    if not cv2.isContourConvex(quad.astype(np.float32)):
        return False
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), 255)
    ring = cv2.dilate(inside, np.ones((15, 15), np.uint8)) & ~cv2.dilate(inside, np.ones((5, 5), np.uint8))
    page = small[cv2.erode(inside, np.ones((7, 7), np.uint8)) > 0]
    around = small[ring > 0]
    if page.size == 0 or around.size == 0:
        return False
    paper = float(percentile_u8(page, 90))
    if paper - float(np.median(around)) < _MIN_CONTRAST:
        return False
    return float(np.mean(page > paper - 2 * _MIN_CONTRAST)) >= _MIN_PAPER


def _order(points: tuple[tuple[float, float], ...]) -> Corners:
    """Top-left, top-right, bottom-right, bottom-left."""
    pts = np.array(points, dtype=np.float64)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen (y down), starting near -180 degrees
    start = int(np.argmin(pts.sum(axis=1)))
    pts = np.roll(pts, -start, axis=0)
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in pts)  # type: ignore[return-value]


def page_size(corners: Corners) -> tuple[int, int]:
    """Width and height in pixels of the straightened page (its longest opposite sides)."""
    tl, tr, br, bl = (np.array(c) for c in corners)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    return max(1, round(float(width))), max(1, round(float(height)))


def corners_angle(corners: Corners) -> float:
    """The rotation (degrees, counter-clockwise positive) that levels the page's top and bottom edges."""
    tl, tr, br, bl = corners
    top = math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0]))
    bottom = math.degrees(math.atan2(br[1] - bl[1], br[0] - bl[0]))
    return round((top + bottom) / 2.0, 3)


def warp_page(image: np.ndarray, corners: Corners) -> np.ndarray:
    import cv2

    width, height = page_size(corners)
    source = np.array(corners, dtype=np.float32)
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def guess_dpi(width: int, height: int) -> float | None:
    """Resolution of a straightened camera page, assuming A4 when its proportions are A4's."""
    ratio = max(width, height) / max(1, min(width, height))
    if abs(ratio - A4_RATIO) / A4_RATIO > 0.06:
        return None
    return min(width, height) / (210.0 / 25.4)


def flatten_light(image: np.ndarray) -> np.ndarray:
    """Divide by the paper's own brightness, estimated with the ink closed away, so that a page
    lit unevenly (a lamp on one side, the phone's shadow) comes out evenly white."""
    import cv2

    gray = to_gray(image)
    h, w = gray.shape
    scale = min(1.0, 400 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    size = max(3, (min(small.shape) // 25) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, disc)
    background = cv2.GaussianBlur(background, (0, 0), size)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    gain = 255.0 / np.maximum(background, 16.0)
    if image.ndim == 3:
        gain = gain[:, :, None]
    return np.clip(image.astype(np.float32) * gain, 0, 255).astype(np.uint8)
