"""Scan profiles: what to ask the scanner for and how to treat each page.

A profile is a frozen value; the services layer stores them (``to_dict``/``from_dict``) and the
counter officer picks one by name. The defaults are the issue's: 200 dpi, colour, one side.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from enum import Enum, StrEnum
from typing import Any

from app.core import limits
from app.scanning.errors import ScanError


class ColorMode(StrEnum):
    """How a page is stored. ``AUTO`` chooses per page (see :mod:`app.scanning.analysis`)."""

    AUTO = "auto"
    COLOR = "color"
    GRAY = "gray"
    BW = "bw"


class BarcodeReader(StrEnum):
    ZXING = "zxing"
    PYZBAR = "pyzbar"


# Symbologies of Vietnamese administrative papers (QR of CCCD/VNeID, dossier receipts, e-invoices;
# Code 128/39 and EAN/ITF on receipts and postal labels). Fewer formats: a page without any code is
# read several times faster.
# DataMatrix (~25 ms on a 200 dpi A4 page) and PDF417 (~18 ms) are left to profiles that need them;
# the linear formats share one pass over the rows (~12 ms for any number of them).
DEFAULT_BARCODE_FORMATS = ("QRCode", "MicroQRCode", "Code128", "Code39", "EAN13", "EAN8", "UPCA", "ITF")


@dataclass(frozen=True)
class ScanProfile:
    """Settings of one scan profile. Lengths in millimetres, resolutions in dots per inch."""

    name: str = "default"
    label_vi: str = "Mặc định (màu, 200 dpi)"
    dpi: int = 200
    scan_mode: ColorMode = ColorMode.COLOR  # what the scanner delivers
    color_mode: ColorMode = ColorMode.AUTO  # how pages are stored
    duplex: bool = False
    use_feeder: bool = False
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    # blank page: share of the page covered by text-like ink below which the page is blank
    blank_threshold: float = 0.00002
    # colour kept when this share of the page is saturated (a seal, a blue signature)
    color_threshold: float = 0.0005
    jpeg_quality: int = 75
    deskew: bool = True
    max_skew_deg: float = 45.0
    crop_border: bool = True
    detect_camera_page: bool = True
    read_barcodes: bool = True
    barcode_reader: BarcodeReader = BarcodeReader.ZXING
    barcode_formats: tuple[str, ...] = DEFAULT_BARCODE_FORMATS  # empty: every format
    max_pixels: int = limits.PAGE_MAX_PIXELS

    def __post_init__(self) -> None:
        if not 50 <= self.dpi <= 1200:
            raise ScanError(f"profile {self.name!r}: dpi must be 50-1200, got {self.dpi}",
                            f"hồ sơ quét {self.name!r}: độ phân giải phải từ 50 đến 1200 dpi")
        if not 1 <= self.jpeg_quality <= 100:
            raise ScanError(f"profile {self.name!r}: JPEG quality must be 1-100",
                            f"hồ sơ quét {self.name!r}: chất lượng JPEG phải từ 1 đến 100")
        if self.blank_threshold < 0 or self.color_threshold < 0:
            raise ScanError(f"profile {self.name!r}: thresholds must be >= 0",
                            f"hồ sơ quét {self.name!r}: ngưỡng phải không âm")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Enum):
                data[key] = value.value
        data["barcode_formats"] = list(self.barcode_formats)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanProfile:
        """Build a profile from stored settings; unknown keys are ignored, missing ones take defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("scan_mode", "color_mode"):
            if key in values:
                values[key] = ColorMode(values[key])
        if "barcode_reader" in values:
            values["barcode_reader"] = BarcodeReader(values["barcode_reader"])
        if "barcode_formats" in values:
            values["barcode_formats"] = tuple(values["barcode_formats"])
        return cls(**values)


DEFAULT_PROFILE = ScanProfile()

PROFILES: dict[str, ScanProfile] = {
    p.name: p
    for p in (
        DEFAULT_PROFILE,
        replace(DEFAULT_PROFILE, name="color", label_vi="Luôn lưu màu", color_mode=ColorMode.COLOR),
        replace(DEFAULT_PROFILE, name="gray", label_vi="Thang xám", scan_mode=ColorMode.GRAY,
                color_mode=ColorMode.GRAY),
        replace(DEFAULT_PROFILE, name="bw", label_vi="Đen trắng (văn bản)", scan_mode=ColorMode.GRAY,
                color_mode=ColorMode.BW),
        replace(DEFAULT_PROFILE, name="feeder-duplex", label_vi="Khay nạp giấy, hai mặt",
                use_feeder=True, duplex=True),
        replace(DEFAULT_PROFILE, name="archive", label_vi="Lưu trữ (300 dpi)", dpi=300, jpeg_quality=85),
    )
}


def get_profile(name: str | None) -> ScanProfile:
    """The built-in profile called ``name`` (``None``: the default)."""
    if name is None:
        return DEFAULT_PROFILE
    try:
        return PROFILES[name]
    except KeyError:
        raise ScanError(f"unknown scan profile {name!r} (known: {', '.join(PROFILES)})",
                        f"không có hồ sơ quét {name!r}") from None
