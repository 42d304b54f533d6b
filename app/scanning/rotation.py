"""Turning a scanned page the way the officer asked, before it goes into a PDF."""

from __future__ import annotations

import io
from typing import Protocol

import numpy as np

from app.scanning.encode import EncodedPage, encode_page, jpeg_quality
from app.scanning.profile import ColorMode


class TurnablePage(Protocol):
    """A scanned page with the quarter turns the officer gave it (degrees, clockwise)."""

    @property
    def encoded(self) -> EncodedPage: ...

    @property
    def rotation(self) -> int: ...


def turned_page(encoded: EncodedPage, rotation: int) -> EncodedPage:
    """``encoded`` turned by ``rotation`` degrees clockwise (re-encoded only when turned)."""
    turns = (rotation // 90) % 4
    if not turns:
        return encoded
    from PIL import Image

    with Image.open(io.BytesIO(encoded.data)) as im:
        pixels = np.asarray(im.convert("L" if encoded.color is not ColorMode.COLOR else "RGB"))
    turned = np.ascontiguousarray(np.rot90(pixels, k=-turns))
    quality = (jpeg_quality(encoded.data) or 75) if encoded.media_type == "image/jpeg" else 75
    return encode_page(turned, encoded.color, encoded.dpi, quality)


def saved_page(page: TurnablePage) -> EncodedPage:
    """The page's stored image, turned as the officer asked (re-encoded only when turned)."""
    return turned_page(page.encoded, page.rotation)
