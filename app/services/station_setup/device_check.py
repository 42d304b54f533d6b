"""The set-up's device checks: which scanners this machine sees, and one test page from the chosen one.

The test page goes through the same pipeline as a real scan, into a throwaway spool folder that is
deleted afterwards (the scanner may hold a real document)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.progress import CancelToken
from app.scanning.errors import ScannerError
from app.scanning.spool import Spool
from app.services.scanning.deck import StationPage
from app.services.scanning.station import acquire, list_scanners


@dataclass(frozen=True)
class TestScan:
    pages: int
    width: int  # pixels of the first page
    height: int
    thumbnail: np.ndarray  # RGB uint8 of the first page

    @property
    def message_vi(self) -> str:
        return f"Quét thử thành công: {self.pages} trang, {self.width}×{self.height} điểm ảnh."


def scanners() -> list[tuple[str, str]]:
    """``(source URI, label)`` of the scanners seen (slow: call it in the background)."""
    return list_scanners()


def test_scan(source_uri: str) -> TestScan:
    """Scan one page from ``source_uri``; raises the scanner's Vietnamese error when it fails."""
    cancel = CancelToken()
    got: list[StationPage] = []

    def keep(page: StationPage) -> None:
        got.append(page)
        cancel.cancel()  # one page is enough to know the scanner works

    with tempfile.TemporaryDirectory(prefix="motcua-test-scan-") as folder:
        batch = Spool(Path(folder)).new_batch()
        acquire(source_uri, None, cancel, keep, spool=batch)
    if not got:
        raise ScannerError("the scanner gave no page", "máy quét không trả về trang nào")
    first = got[0]
    encoded = first.result.encoded
    return TestScan(len(got), encoded.width, encoded.height, first.thumbnail)
