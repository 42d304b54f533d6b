"""Scanners on Linux through SANE (python-sane), as a page source.

Flatbed: one page per batch. Feeder: pages until SANE reports the feeder empty, which ends the
batch normally; other SANE errors (jam, cover open...) raise :class:`ScannerError` after the pages
already scanned have been yielded (and spooled). Only one scan runs at a time in a process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.scanning.errors import ScannerError
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.sources import SourceItem, SourcePage
from app.scanning.spool import SpoolBatch

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_FEEDER_EMPTY = "Document feeder out of documents"
_FEEDER_WORDS = ("adf", "feeder", "automatic")


def _sane():  # type: ignore[no-untyped-def]
    try:
        import sane
    except ImportError as exc:
        raise ScannerError(f"python-sane is not installed: {exc}",
                           "chưa cài đặt thư viện SANE (python-sane)") from None
    return sane


def list_devices() -> list[tuple[str, str, str, str]]:
    """``(name, vendor, model, type)`` of every scanner SANE sees."""
    sane = _sane()
    with _LOCK:
        sane.init()
        try:
            return [tuple(d) for d in sane.get_devices()]  # type: ignore[misc]
        finally:
            sane.exit()


def _choice(option: Any, *, feeder: bool, duplex: bool) -> str | None:
    values = [str(v) for v in (option.constraint or [])]
    if not feeder:
        return next((v for v in values if not any(w in v.lower() for w in _FEEDER_WORDS)), None)
    feeders = [v for v in values if any(w in v.lower() for w in _FEEDER_WORDS)]
    if duplex:
        both = [v for v in feeders if "duplex" in v.lower()]
        if both:
            return both[0]
    simplex = [v for v in feeders if "duplex" not in v.lower()]
    return (simplex or feeders or [None])[0]


class SaneSource:
    def __init__(self, profile: ScanProfile, batch: SpoolBatch, device: str | None = None, *,
                 options: dict[str, Any] | None = None) -> None:
        self.profile = profile
        self.batch = batch
        self.device = device
        self.options = dict(options or {})

    def _configure(self, dev: Any) -> float:
        names = set(dev.opt)
        mode = "Gray" if self.profile.scan_mode in (ColorMode.GRAY, ColorMode.BW) else "Color"
        if "mode" in names:
            dev.mode = mode
        if "depth" in names and dev.opt["depth"].is_settable() and 8 in (dev.opt["depth"].constraint or [8]):
            dev.depth = 8
        if "resolution" in names:
            dev.resolution = self.profile.dpi
        for name, size in (("br_x", self.profile.page_width_mm), ("br_y", self.profile.page_height_mm)):
            if name in names and dev.opt[name].is_active():
                limits = dev.opt[name].constraint
                top = limits[1] if isinstance(limits, tuple) else size
                setattr(dev, name, float(min(size, top)))
        if "source" in names and dev.opt["source"].is_settable():
            wanted = _choice(dev.opt["source"], feeder=self.profile.use_feeder, duplex=self.profile.duplex)
            if wanted is None and self.profile.use_feeder:
                raise ScannerError("the scanner has no document feeder", "máy quét không có khay nạp giấy")
            if wanted is not None:
                dev.source = wanted
        for name, value in self.options.items():
            setattr(dev, name, value)
        return float(dev.resolution) if "resolution" in names else float(self.profile.dpi)

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        cancel = cancel or CancelToken()
        sane = _sane()
        # Load OpenCV before SANE starts: the pipeline's first (lazy) import of cv2 while a backend's
        # reader (a forked process or a thread: the test backend's feeder) was running hung in dlopen.
        import cv2  # noqa: F401
        with _LOCK:
            sane.init()
            try:
                devices = [d[0] for d in sane.get_devices()]
                name = self.device or (devices[0] if devices else None)
                if name is None:
                    raise ScannerError("no scanner found", "không tìm thấy máy quét")
                try:
                    dev = sane.open(name)
                except Exception as exc:  # _sane.error or RuntimeError
                    raise ScannerError(f"cannot open scanner {name}: {exc}",
                                       f"không mở được máy quét {name}") from None
                try:
                    yield from self._scan(dev, name, cancel, progress)
                finally:
                    dev.close()
            finally:
                sane.exit()

    def _scan(self, dev: Any, name: str, cancel: CancelToken,
              progress: ProgressCallback) -> Iterator[SourceItem]:
        try:
            dpi = self._configure(dev)
        except (AttributeError, ValueError, TypeError) as exc:
            raise ScannerError(f"cannot set scanner option: {exc}",
                               "không đặt được tùy chọn máy quét") from None
        index = 0
        while True:
            cancel.raise_if_cancelled()
            try:
                image = self._one(dev)
            except Exception as exc:
                if str(exc) == _FEEDER_EMPTY:
                    with contextlib.suppress(Exception):
                        dev.cancel()
                    break  # the normal end of a feeder batch
                dev.cancel()
                raise ScannerError(f"scanner {name} failed after {index} page(s): {exc}",
                                   f"máy quét {name} gặp lỗi sau {index} trang: {exc}") from None
            array = np.asarray(image)
            path = self.batch.put(array, dpi)
            yield SourcePage(array, dpi, f"sane:{name}", index, path)
            index += 1
            progress(ProgressUpdate(index, None, f"Đã quét {index} trang"))
            if not self.profile.use_feeder:
                break
        if self.profile.use_feeder and index == 0:
            raise ScannerError("the document feeder is empty", "khay nạp giấy không có tài liệu")

    def _one(self, dev: Any) -> Any:
        if self.profile.use_feeder:
            dev.start()
            return dev.snap(True)  # keep the feeder going between pages
        return dev.scan()
