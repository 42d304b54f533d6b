"""Barcodes and QR codes on a page: zxing-cpp by default, pyzbar as a selectable alternative.

Text rule: a payload whose bytes are valid UTF-8 is decoded as UTF-8 (Vietnamese QR codes, such as
the CCCD's, carry UTF-8 in byte mode without an ECI, which the QR standard would read as
ISO-8859-1); any other payload keeps the reader's own decoding (ECI, Shift_JIS guess...).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.scanning.errors import ScanError
from app.scanning.profile import BarcodeReader

logger = logging.getLogger(__name__)

# Small images are retried with other binarisations: cheap there, and they are typically a photo
# of a code (a full 200 dpi page is about 3.9 MP and is read once).
RETRY_MAX_PIXELS = 1_500_000

_PYZBAR_FORMATS = {
    "QRCODE": "QRCode", "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93", "EAN13": "EAN13",
    "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "I25": "ITF", "CODABAR": "Codabar",
    "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExp", "PDF417": "PDF417", "ISBN13": "EAN13",
    "ISBN10": "EAN13", "SQCODE": "SQCode",
}


@dataclass(frozen=True)
class Barcode:
    """One decoded symbol. ``format`` uses zxing-cpp's names (``QRCode``, ``Code128``, ``EAN13``...);
    ``position`` is four ``(x, y)`` corners in the pixels of the image that was read."""

    format: str
    text: str
    raw: bytes
    position: tuple[tuple[int, int], ...] | None = None

    def to_json(self) -> dict[str, str]:
        return {"format": self.format, "text": self.text}


def payload_text(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def read_barcodes(image: np.ndarray, *, reader: BarcodeReader = BarcodeReader.ZXING,
                  formats: Sequence[str] = (), retry: bool = True, second_pass: bool = True,
                  expected: bool = False) -> tuple[Barcode, ...]:
    """Every symbol found on ``image`` (grey or RGB uint8 array). When nothing is decoded and a code
    was ``expected`` or something code-like is on the page, :mod:`app.scanning.barcode_rescue` looks
    again (only validated codes come out of it)."""
    if image.size == 0:
        return ()
    gray = _gray(image)
    if reader is BarcodeReader.PYZBAR:
        return _dedupe(_read_pyzbar(gray, formats))
    candidates: list[tuple[tuple[int, int], ...]] = []
    found = _read_zxing(gray, formats, errors=candidates)
    if not found and retry and gray.size <= RETRY_MAX_PIXELS:
        found = _retry_zxing(gray, formats)
    if not found and second_pass:
        from app.scanning.barcode_rescue import rescue

        found = list(rescue(gray, candidates=candidates, formats=formats, expected=expected))
    return _dedupe(found)


def merge(*groups: Iterable[Barcode]) -> tuple[Barcode, ...]:
    return _dedupe([b for group in groups for b in group])


def _dedupe(barcodes: Iterable[Barcode]) -> tuple[Barcode, ...]:
    seen: set[tuple[str, bytes]] = set()
    out = []
    for barcode in barcodes:
        key = (barcode.format, barcode.raw)
        if key not in seen:
            seen.add(key)
            out.append(barcode)
    return tuple(out)


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _zxing_formats(formats: Sequence[str]):  # type: ignore[no-untyped-def]
    import zxingcpp

    if not formats:
        return None
    try:
        return [getattr(zxingcpp.BarcodeFormat, name) for name in formats]
    except AttributeError as exc:
        raise ScanError(f"unknown barcode format: {exc}", "định dạng mã vạch không hợp lệ") from None


def _read_zxing(gray: np.ndarray, formats: Sequence[str], *,
                errors: list[tuple[tuple[int, int], ...]] | None = None, **options: object) -> list[Barcode]:
    """Valid symbols; with ``errors``, the corners of symbols found but not decoded are added to it."""
    import zxingcpp

    kwargs: dict[str, object] = {"text_mode": zxingcpp.TextMode.Plain, **options}
    wanted = _zxing_formats(formats)
    if wanted is not None:
        kwargs["formats"] = wanted
    if errors is not None:
        kwargs["return_errors"] = True
    results = zxingcpp.read_barcodes(gray, **kwargs)
    out = []
    for r in results:
        p = r.position
        points = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        corners = tuple((int(c.x), int(c.y)) for c in points)
        if not r.valid:
            if errors is not None:
                errors.append(corners)
            continue
        out.append(Barcode(r.format.name, payload_text(bytes(r.bytes), r.text), bytes(r.bytes), corners))
    return out


def _retry_zxing(gray: np.ndarray, formats: Sequence[str]) -> list[Barcode]:
    import cv2
    import zxingcpp

    found = _read_zxing(gray, formats, binarizer=zxingcpp.Binarizer.GlobalHistogram)
    if not found:
        found = _read_zxing(cv2.GaussianBlur(gray, (3, 3), 0), formats)
    if not found and max(gray.shape) <= 1000:
        big = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        found = [Barcode(b.format, b.text, b.raw, _scale_position(b.position, 0.5))
                 for b in _read_zxing(big, formats)]
    return found


def _scale_position(position: tuple[tuple[int, int], ...] | None, factor: float):  # type: ignore[no-untyped-def]
    if position is None:
        return None
    return tuple((round(x * factor), round(y * factor)) for x, y in position)


def _read_pyzbar(gray: np.ndarray, formats: Sequence[str]) -> list[Barcode]:
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:  # OSError: the zbar shared library is missing
        raise ScanError(f"pyzbar is not available: {exc}",
                        "không dùng được bộ đọc pyzbar (thiếu thư viện zbar)") from None
    wanted = set(formats)
    out = []
    for symbol in pyzbar.decode(gray):
        name = _PYZBAR_FORMATS.get(symbol.type, symbol.type)
        if wanted and name not in wanted:
            continue
        raw = bytes(symbol.data)
        polygon = tuple((int(p.x), int(p.y)) for p in symbol.polygon) or None
        out.append(Barcode(name, _fix_zbar_text(raw), raw, polygon))
    return out


def _fix_zbar_text(data: bytes) -> str:
    """zbar re-encodes what it guessed to be ISO-8859-1 or Shift_JIS as UTF-8; undo that when the
    original bytes were UTF-8 (Vietnamese text then reads as mojibake such as 'Nguyá»…n')."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
    for guessed in ("latin-1", "cp1252", "shift_jis"):
        try:
            original = text.encode(guessed).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if original != text:
            return original
    return text
