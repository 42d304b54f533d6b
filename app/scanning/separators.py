"""Batch scanning checks on a page: separator sheets (our QR payload, Patch T), image quality
(too dark, too light, cut off) and a perceptual hash for near-duplicate pages.

They run as one extra pipeline step (:data:`BATCH_STEPS`), after the blank detection, on the
page's analysis copy (100-150 dpi, already computed for the blank detection), so they add a few
milliseconds per page. The step's findings travel in the page result's ``notes`` as one
``batch-checks {json}`` entry; :func:`checks_of` reads them back.

**Patch T** (what is accepted). A patch code is four parallel solid bars; narrow bars and the
three spaces are 0.08" (2.03 mm), wide bars 0.20" (5.08 mm), bars at least 2" long. Patch T is
narrow, wide, narrow, wide counted from the leading edge. A page is a Patch T sheet when it holds
four dark bars (each at least 70 % filled within its rotated bounding rectangle, so a residual skew
of a few degrees is fine; looked for at about 50 dpi) that are:

* long: 40-220 mm, and at least 7 times longer than thick; all four within 20 % of one length,
  parallel (within 3 degrees) and side by side (their extents along the bars overlap by 70 %);
* in order across the bars with gaps of 0.8-4.5 mm between neighbours (the printed space is 2 mm);
* two narrow (0.9-3.6 mm) and two wide (3.6-7.5 mm) bars, the wide at least 1.6 times the narrow,
  in the order narrow, wide, narrow, wide read from the top (horizontal bars) or from the left
  (vertical bars) -- or the exact reverse, i.e. a sheet fed upside down. (The reverse is also
  Kodak's Patch 3, which this application does not use; it is taken as a separator too.)

Patch 1, 2, 4 and 6 (other orders), ruled lines, tables and solid blocks are not separators.

**Quality** (measured on the straightened, cropped page, paper brightness = 95th percentile):

* ``too_dark``: the paper is darker than 110/255, or over 45 % of the page is darker than 80;
* ``too_light``: faint marks (darker than 88 % of the paper) cover at least 0.3 % of the page but
  real ink (darker than 60 % of the paper) under 0.1 %: faded text, a scan made too light;
* ``cut_off``: ink runs into an edge of the sheet: within 1.5 mm of one edge, 8-90 % of the edge's
  length is touched by ink, in at least three separate places (text running off the page, not a
  single scanner-border line).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.core.separator import PATCH_T, parse_separator
from app.scanning.barcodes import Barcode
from app.scanning.geometry import to_gray
from app.scanning.pipeline import STEPS, PageResult, PageState, Step
from app.scanning.profile import ScanProfile

NOTE_PREFIX = "batch-checks "
HASH_SIDE = 32  # the perceptual hash is a HASH_SIDE x HASH_SIDE bit grid
NEAR_DUPLICATE_BITS = 0.12  # share of differing bits under which two pages are near-duplicates (a rescan
# of one sheet differs by 2-7 %, different text pages by 22 % and more)


def _mm(dpi: float, mm: float) -> float:
    return mm * dpi / 25.4


# --------------------------------------------------------------------------- Patch T


@dataclass(frozen=True)
class _Bar:
    centre: tuple[float, float]
    length: float  # along the bar, pixels
    thickness: float  # across, pixels
    angle: float  # of the long side, degrees in [0, 180)


def _bars(ink: np.ndarray, dpi: float) -> list[_Bar]:
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return []
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    longest = np.maximum(w, h)
    area = stats[:, cv2.CC_STAT_AREA]
    candidates = np.nonzero((longest >= _mm(dpi, 40)) & (longest <= _mm(dpi, 230))
                            & (area >= _mm(dpi, 40) * _mm(dpi, 0.9)))[0]
    out = []
    for i in candidates:
        if i == 0:
            continue
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        points = np.column_stack((xs + x, ys + y)).astype(np.float32)
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(points)
        rw, rh = rw + 1.0, rh + 1.0  # pixel centres to pixel edges
        if rw >= rh:
            length, thickness, along = rw, rh, angle
        else:
            length, thickness, along = rh, rw, angle + 90.0
        if area[i] < 0.7 * length * thickness:
            continue  # not a solid bar
        thickness = float(area[i]) / length  # the mean thickness: steadier than the rectangle's
        if length < 7 * thickness:
            continue
        if not _mm(dpi, 0.9) <= thickness <= _mm(dpi, 7.5) or not _mm(dpi, 40) <= length <= _mm(dpi, 220):
            continue
        out.append(_Bar((float(cx), float(cy)), float(length), float(thickness), along % 180.0))
    return out


def _angle_gap(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def _is_patch_t(group: Sequence[_Bar], dpi: float) -> bool:
    """Four bars sorted across: check spacing, overlap, widths and their order."""
    angle = group[0].angle
    theta = math.radians(angle)
    along = (math.cos(theta), math.sin(theta))
    across = (-along[1], along[0])
    lengths = [b.length for b in group]
    if max(lengths) > 1.2 * min(lengths):
        return False
    if any(_angle_gap(b.angle, angle) > 3.0 for b in group):
        return False
    spans = []
    for b in group:
        c = b.centre[0] * along[0] + b.centre[1] * along[1]
        spans.append((c - b.length / 2, c + b.length / 2))
    overlap = min(s[1] for s in spans) - max(s[0] for s in spans)
    if overlap < 0.7 * min(lengths):
        return False
    positions = [b.centre[0] * across[0] + b.centre[1] * across[1] for b in group]
    for i in range(len(group) - 1):
        gap = abs(positions[i + 1] - positions[i]) - (group[i].thickness + group[i + 1].thickness) / 2
        if not _mm(dpi, 0.8) <= gap <= _mm(dpi, 4.5):
            return False
    thick = [b.thickness for b in group]
    split = math.sqrt(min(thick) * max(thick))
    if max(thick) < 1.6 * min(thick):
        return False
    wide = tuple(t > split for t in thick)
    narrow_ok = all(_mm(dpi, 0.9) <= t <= _mm(dpi, 3.6) for t, w in zip(thick, wide, strict=True) if not w)
    wide_ok = all(_mm(dpi, 3.6) <= t <= _mm(dpi, 7.5) for t, w in zip(thick, wide, strict=True) if w)
    if not (narrow_ok and wide_ok):
        return False
    return wide in ((False, True, False, True), (True, False, True, False))


def _patch_in(ink: np.ndarray, dpi: float) -> bool:
    import cv2

    if dpi > 60:  # bars are 2 mm and more: look at about 50 dpi, where a page has few components
        factor = max(1, int(dpi // 50))
        small = cv2.resize(ink * 255, (ink.shape[1] // factor, ink.shape[0] // factor),
                           interpolation=cv2.INTER_AREA)
        ink, dpi = cv2.threshold(small, 127, 1, cv2.THRESH_BINARY)[1], dpi / factor
    bars = _bars(ink, dpi)
    if len(bars) < 4:
        return False
    # sort each family of parallel bars across their direction and look at every run of four
    for first in bars:
        family = [b for b in bars if _angle_gap(b.angle, first.angle) <= 3.0]
        if len(family) < 4:
            continue
        theta = math.radians(first.angle)
        across = (-math.sin(theta), math.cos(theta))  # both reading directions are accepted
        family.sort(key=lambda b: b.centre[0] * across[0] + b.centre[1] * across[1])
        for start in range(len(family) - 3):
            if _is_patch_t(family[start:start + 4], dpi):
                return True
    return False


# --------------------------------------------------------------------------- quality, hash


def _below(image: np.ndarray, level: float) -> np.ndarray:
    """1 where the uint8 ``image`` is darker than ``level``, else 0 (uint8)."""
    import cv2

    _, mask = cv2.threshold(image, math.ceil(level) - 1, 1, cv2.THRESH_BINARY_INV)
    return mask


@dataclass(frozen=True)
class _Measures:
    paper: float
    hist: np.ndarray  # cumulative pixel counts by grey level
    ink: np.ndarray  # 1 where darker than 60 % of the paper

    def share_below(self, level: float) -> float:
        index = min(255, max(0, math.ceil(level) - 1))
        return float(self.hist[index]) / float(self.hist[-1])


def _measure(gray: np.ndarray) -> _Measures:
    import cv2

    gray = np.ascontiguousarray(gray)
    hist = np.cumsum(cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel())
    paper = float(np.searchsorted(hist, 0.95 * gray.size))
    return _Measures(paper, hist, _below(gray, max(paper, 64.0) * 0.6))


def _quality(m: _Measures, dpi: float) -> list[str]:
    if m.paper < 110 or m.share_below(80) > 0.45:
        return ["too_dark"]  # light and cut-off measures mean nothing on a dark page
    flags = []
    if m.share_below(m.paper * 0.88) >= 0.003 and m.share_below(m.paper * 0.6) < 0.001:
        flags.append("too_light")
    ink = m.ink
    band = max(1, round(_mm(dpi, 1.5)))
    if min(ink.shape) > 8 * band:
        edges = (ink[:band].any(axis=0), ink[-band:].any(axis=0),
                 ink[:, :band].any(axis=1), ink[:, -band:].any(axis=1))
        for touched in edges:
            share = float(np.count_nonzero(touched)) / touched.size
            runs = int(np.count_nonzero(np.diff(touched.astype(np.int8)) == 1)) + int(touched[0])
            if 0.08 <= share <= 0.9 and runs >= 3:
                flags.append("cut_off")
                break
    return flags


def _hash(ink: np.ndarray) -> str | None:
    import cv2

    rows = np.nonzero(cv2.reduce(ink, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() >= 2)[0]
    cols = np.nonzero(cv2.reduce(ink, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() >= 2)[0]
    if len(rows) < 4 or len(cols) < 4:
        return None
    box = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].astype(np.float32)
    grid = cv2.resize(box, (HASH_SIDE, HASH_SIDE), interpolation=cv2.INTER_AREA)
    bits = (grid > float(grid.mean())).ravel()
    return np.packbits(bits).tobytes().hex()


def find_patch_t(gray: np.ndarray, dpi: float) -> bool:
    """Whether the page (grey, at ``dpi``) carries a Patch T (see the module documentation)."""
    return gray.size > 0 and _patch_in(_measure(gray).ink, dpi)


def quality_flags(gray: np.ndarray, dpi: float) -> list[str]:
    """``too_dark``, ``too_light``, ``cut_off`` (see the module documentation)."""
    return ["too_dark"] if gray.size == 0 else _quality(_measure(gray), dpi)


def perceptual_hash(gray: np.ndarray) -> str | None:
    """A 1024-bit hash of where the ink is, inside the ink's bounding box (so a sheet shifted on
    the glass hashes the same); ``None`` for a page without ink. Hex string."""
    return None if gray.size == 0 else _hash(_measure(gray).ink)


def hash_distance(a: str, b: str) -> float:
    """Share of differing bits of two hashes of :func:`perceptual_hash`."""
    x = np.frombuffer(bytes.fromhex(a), dtype=np.uint8)
    y = np.frombuffer(bytes.fromhex(b), dtype=np.uint8)
    if x.size != y.size or x.size == 0:
        return 1.0
    return float(np.unpackbits(x ^ y).sum()) / (x.size * 8)


class HashIndex:
    """Perceptual hashes of the pages seen so far; finds the nearest earlier page quickly."""

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._rows: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def add(self, key: int, value: str) -> None:
        self._keys.append(key)
        self._rows.append(np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8)).astype(bool))
        self._matrix = None

    def nearest(self, value: str) -> tuple[int, float] | None:
        if not self._rows:
            return None
        bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8)).astype(bool)
        if self._matrix is None or self._matrix.shape[0] != len(self._rows):
            self._matrix = np.vstack(self._rows)
        if self._matrix.shape[1] != bits.size:
            return None
        distances = np.count_nonzero(self._matrix ^ bits, axis=1)
        best = int(np.argmin(distances))
        return self._keys[best], float(distances[best]) / bits.size


# --------------------------------------------------------------------------- the step


@dataclass(frozen=True)
class BatchChecks:
    patch_t: bool = False
    flags: tuple[str, ...] = ()
    phash: str | None = None


def analyse_page(image: np.ndarray, dpi: float) -> BatchChecks:
    """Patch T, quality flags and perceptual hash of a page (ideally its 100-150 dpi copy)."""
    gray = to_gray(image)
    if gray.size == 0:
        return BatchChecks(False, ("too_dark",), None)
    m = _measure(gray)
    return BatchChecks(_patch_in(m.ink, dpi), tuple(_quality(m, dpi)), _hash(m.ink))


def _checks_step(page: PageState, _profile: ScanProfile) -> PageState:
    small, dpi, _factor = page.reduced
    checks = analyse_page(small, dpi)
    note = NOTE_PREFIX + json.dumps({"patch_t": checks.patch_t, "flags": list(checks.flags),
                                     "phash": checks.phash}, separators=(",", ":"))
    return replace(page, notes=(*page.notes, note))


def _with_checks(steps: Sequence[Step]) -> tuple[Step, ...]:
    out: list[Step] = []
    for step in steps:
        out.append(step)
        if step.name == "blank":
            out.append(Step("batch-checks", _checks_step))
    return tuple(out)


#: The page pipeline with the batch checks after the blank detection.
BATCH_STEPS: tuple[Step, ...] = _with_checks(STEPS)


def checks_of(result: PageResult) -> BatchChecks:
    for note in result.notes:
        if note.startswith(NOTE_PREFIX):
            data = json.loads(note[len(NOTE_PREFIX):])
            return BatchChecks(bool(data.get("patch_t")), tuple(data.get("flags") or ()), data.get("phash"))
    return BatchChecks()


def separator_payload(barcodes: Sequence[Barcode], patch_t: bool) -> str | None:
    """The page's separator payload: the text of our QR code (the first valid one), else
    :data:`app.core.separator.PATCH_T` for a Patch T sheet, else ``None`` (not a separator)."""
    for code in barcodes:
        if parse_separator(code.text) is not None:
            return code.text
    return PATCH_T if patch_t else None
