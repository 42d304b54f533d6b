"""Errors of the scanning layer, each with an English message (logs, ``--json``) and a Vietnamese one."""

from __future__ import annotations

from app.core.errors import MotCuaError


class ScanError(MotCuaError):
    """Base error of scanning, page processing and PDF assembly."""


class UnreadableImageError(ScanError):
    """A file that is not an image we can decode (empty, truncated, another format...)."""


class ImageTooLargeError(ScanError):
    """An image whose pixel count is above the profile's limit; refused before it is decoded."""

    def __init__(self, width: int, height: int, limit: int) -> None:
        megapixels = width * height / 1e6
        super().__init__(
            f"image too large: {width} x {height} pixels ({megapixels:.0f} MP) is above the limit of "
            f"{limit / 1e6:.0f} MP",
            f"ảnh quá lớn: {width} x {height} điểm ảnh ({megapixels:.0f} MP), vượt giới hạn "
            f"{limit / 1e6:.0f} MP",
        )
        self.width = width
        self.height = height


class ScannerError(ScanError):
    """The scanner (or camera) failed: not found, jammed, cover open, ..."""
