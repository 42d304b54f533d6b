"""The second barcode pass: pages where a code was expected, or one seems to be there, but the first
pass decoded nothing.

Where to look: the places where zxing-cpp found a symbol it could not decode (its ``return_errors``
results, free from the first pass), and square blocks dense in edges found on a quarter-size page
(a QR code or a DataMatrix; text lines, stamps and photos do not look like that; about 20 ms a page).
Each region is cut out with a margin and tried again upscaled (2x, 3x, cubic), sharpened, with
Otsu's and adaptive binarisations, normal and inverted, by zxing-cpp and by pyzbar.

Never a false code: a text found by this pass is accepted only if it validates as what an office
prints (a CCCD QR payload, one of our separator sheets, a dossier code) or if both readers decode
the same text from the region. The first pass is unchanged: its codes are trusted as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from app.core.cccd import parse_cccd_qr
from app.core.codes import looks_like_dossier_code
from app.core.errors import ValidationError
from app.core.separator import PATCH_T, is_separator_text
from app.scanning.barcodes import Barcode, _read_pyzbar, _read_zxing

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # x, y, width, height in page pixels
MAX_REGIONS = 4
MAX_CROP_SIDE = 900  # a crop is upscaled at most to ~2700 px a side
RESCUE_FORMATS = ("QRCode", "MicroQRCode", "DataMatrix", "Code128")


def office_payload(text: str) -> bool:
    """A text an office prints on its codes: a CCCD card's QR payload, a separator sheet, a dossier code."""
    text = text.strip()
    if text == PATCH_T or is_separator_text(text) or looks_like_dossier_code(text):
        return True
    try:
        parse_cccd_qr(text)
    except ValidationError:
        return False
    return True


def code_regions(gray: np.ndarray) -> list[Box]:
    """Square blocks dense in edges (QR codes, DataMatrix), largest first."""
    import cv2

    side = min(gray.shape[:2])
    factor = 4 if side >= 1600 else 2 if side >= 600 else 1  # a page at 200 dpi: a quarter
    small = gray if factor == 1 else cv2.resize(gray, None, fx=1 / factor, fy=1 / factor,
                                                interpolation=cv2.INTER_AREA)
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, edges = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    blocks = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(blocks)
    out = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if w >= 12 and h >= 12 and 0.6 < w / h < 1.6 and area >= 0.5 * w * h and w * h <= small.size / 2:
            out.append((x * factor, y * factor, w * factor, h * factor))
    return sorted(out, key=lambda b: -b[2] * b[3])


def _box_of(points: Sequence[tuple[int, int]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _variants(crop: np.ndarray) -> Iterator[tuple[np.ndarray, float]]:
    """(image, its scale against the crop), cheapest first."""
    import cv2

    for scale in (2.0, 3.0):
        big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        yield big, scale
        sharp = cv2.addWeighted(big, 2.0, cv2.GaussianBlur(big, (0, 0), 2), -1.0, 0)
        yield sharp, scale
        _, otsu = cv2.threshold(sharp, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        yield otsu, scale
        for block in (31, 61):
            size = int(block * scale) // 2 * 2 + 1
            mean = cv2.ADAPTIVE_THRESH_MEAN_C
            yield cv2.adaptiveThreshold(sharp, 255, mean, cv2.THRESH_BINARY, size, 5), scale


def _placed(barcode: Barcode, scale: float, x0: int, y0: int) -> Barcode:
    position = None
    if barcode.position is not None:
        position = tuple((round(x / scale) + x0, round(y / scale) + y0) for x, y in barcode.position)
    return Barcode(barcode.format, barcode.text, barcode.raw, position)


def rescue(gray: np.ndarray, *, candidates: Sequence[Sequence[tuple[int, int]]] = (),
           formats: Sequence[str] = RESCUE_FORMATS, expected: bool = False,
           accept: Callable[[str], bool] = office_payload) -> tuple[Barcode, ...]:
    """Codes found by the second pass in the regions of ``candidates`` (corner points from the first
    pass) and in the code-like blocks of the page; only accepted ones (see the module docstring).
    With ``expected`` and no region at all, the whole page is tried as one region."""
    import cv2

    wanted = [f for f in formats if f in RESCUE_FORMATS] or list(RESCUE_FORMATS)
    regions = [_box_of(c) for c in candidates if len(c) >= 2] + code_regions(gray)
    if not regions and expected:
        regions = [(0, 0, gray.shape[1], gray.shape[0])]
    height, width = gray.shape[:2]
    for x, y, w, h in regions[:MAX_REGIONS]:
        margin = max(16, max(w, h) // 5)
        x0, y0 = max(0, x - margin), max(0, y - margin)
        crop = gray[y0:min(height, y + h + margin), x0:min(width, x + w + margin)]
        if crop.size == 0:
            continue
        shrink = min(1.0, MAX_CROP_SIDE / max(crop.shape))
        if shrink < 1.0:
            crop = cv2.resize(crop, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        for step, (image, scale) in enumerate(_variants(crop)):
            found = _read_zxing(image, wanted)
            # pyzbar can take seconds on a noisy binarised image: only on the first two (grey) variants
            zbar = _read_pyzbar(image, wanted) if step < 2 else []
            agreed = {b.text for b in found} & {b.text for b in zbar}
            for barcode in [*found, *zbar]:
                if accept(barcode.text) or barcode.text in agreed:
                    return (_placed(barcode, scale * shrink, x0, y0),)
    return ()
