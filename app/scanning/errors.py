"""Errors of the scanning layer, each with an English message (logs, ``--json``) and a Vietnamese one."""

from __future__ import annotations

from app.core.errors import MotCuaError


class ScanError(MotCuaError):
    """Base error of scanning, page processing and PDF assembly."""


class UnreadableImageError(ScanError):
    """A file that is not an image we can decode (empty, truncated, another format...)."""


class ImageTooLargeError(ScanError):
    """An image whose pixel count is above the profile's limit; refused before it is decoded."""

    def __init__(self, width: int | None, height: int | None, limit: int, pixels: int | None = None) -> None:
        pixels = pixels if pixels is not None else (width or 0) * (height or 0)
        size = f"{pixels / 1e6:.0f} MP"
        if width and height:
            size = f"{width} x {height} pixels ({size})"
        size_vi = size.replace("pixels", "điểm ảnh")
        super().__init__(f"image too large: {size} is above the limit of {limit / 1e6:.0f} MP",
                         f"ảnh quá lớn: {size_vi}, vượt giới hạn {limit / 1e6:.0f} MP")
        self.width = width
        self.height = height
        self.pixels = pixels


class ScannerError(ScanError):
    """The scanner (or camera) failed: not found, jammed, cover open, ..."""
