"""Storing a page image: colour and grey as JPEG, black-and-white as CCITT G4 in TIFF.

These are the forms img2pdf embeds in a PDF as they are (DCTDecode, CCITTFaxDecode), so the PDF
holds exactly the stored bytes. The resolution is written in the file (JFIF density, TIFF tags).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from app.scanning.analysis import binarize
from app.scanning.geometry import to_gray
from app.scanning.profile import ColorMode


@dataclass(frozen=True)
class EncodedPage:
    data: bytes
    media_type: str  # image/jpeg or image/tiff
    color: ColorMode  # COLOR, GRAY or BW
    width: int
    height: int
    dpi: float

    @property
    def suffix(self) -> str:
        return ".jpg" if self.media_type == "image/jpeg" else ".tif"


def encode_page(image: np.ndarray, color: ColorMode, dpi: float, quality: int = 75) -> EncodedPage:
    """Encode ``image`` in the form chosen for ``color`` (AUTO is not allowed here)."""
    from PIL import Image

    if color is ColorMode.AUTO:
        raise ValueError("choose a colour mode before encoding")
    if color is ColorMode.COLOR and image.ndim == 2:
        color = ColorMode.GRAY  # nothing to keep
    h, w = image.shape[:2]
    density = (round(dpi, 3), round(dpi, 3))
    buffer = io.BytesIO()
    if color is ColorMode.BW:
        from PIL import TiffImagePlugin

        paper = binarize(to_gray(image), dpi)
        tags = TiffImagePlugin.ImageFileDirectory_v2()
        tags[278] = h  # RowsPerStrip: one strip, which img2pdf embeds as it is (several: re-encoded)
        Image.fromarray(paper).save(buffer, "TIFF", compression="group4", dpi=density, tiffinfo=tags)
        return EncodedPage(buffer.getvalue(), "image/tiff", color, w, h, dpi)
    pixels = image if color is ColorMode.COLOR else to_gray(image)
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality, subsampling=2, dpi=density)
    return EncodedPage(buffer.getvalue(), "image/jpeg", color, w, h, dpi)


def reuse_jpeg(jpeg: bytes, image: np.ndarray, color: ColorMode, dpi: float,
               quality: int = 75) -> EncodedPage | None:
    """The page's original JPEG, when storing it as it is fits the chosen colour mode and it is not
    much finer than the profile's quality (a scanner's quality-95 JPEG is re-compressed)."""
    is_color = image.ndim == 3
    if color is ColorMode.BW or (color is ColorMode.COLOR) != is_color:
        return None
    found = jpeg_quality(jpeg)
    if found is None or found > quality + 5:
        return None
    h, w = image.shape[:2]
    return EncodedPage(jpeg, "image/jpeg", color, w, h, dpi)


# IJG's standard luminance quantisation table (quality 50), in natural order like Pillow's tables
_IJG_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
], dtype=np.float64)


def jpeg_quality(jpeg: bytes) -> int | None:
    """Estimate the IJG quality (1-100) a JPEG was saved with, from its luminance table."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(jpeg)) as im:
            tables = getattr(im, "quantization", None) or {}
    except (OSError, ValueError):
        return None
    if 0 not in tables or len(tables[0]) != 64:
        return None
    scale = float(np.mean(np.asarray(tables[0], dtype=np.float64) / _IJG_LUMA)) * 100.0
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return max(1, min(100, round(quality)))
