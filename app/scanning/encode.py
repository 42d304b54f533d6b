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
        paper = binarize(to_gray(image), dpi)
        Image.fromarray(paper).save(buffer, "TIFF", compression="group4", dpi=density)
        return EncodedPage(buffer.getvalue(), "image/tiff", color, w, h, dpi)
    pixels = image if color is ColorMode.COLOR else to_gray(image)
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality, subsampling=2, dpi=density)
    return EncodedPage(buffer.getvalue(), "image/jpeg", color, w, h, dpi)


def reuse_jpeg(jpeg: bytes, image: np.ndarray, color: ColorMode, dpi: float) -> EncodedPage | None:
    """The page's original JPEG when storing it as it is fits the chosen colour mode."""
    is_color = image.ndim == 3
    if color is ColorMode.BW or (color is ColorMode.COLOR) != is_color:
        return None
    h, w = image.shape[:2]
    return EncodedPage(jpeg, "image/jpeg", color, w, h, dpi)
