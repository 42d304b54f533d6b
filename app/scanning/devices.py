"""Scanners driven page by page (eSCL, WIA, TWAIN) behind one small device protocol.

After NAPS2's ``IScanDriver``: what differs between drivers (opening the device, setting the
resolution, fetching the next page, the driver's error codes) sits in a :class:`ScanDevice`; what
is the same for all of them is :class:`DeviceSource`, a :class:`~app.scanning.sources.PageSource`
that streams pages as they arrive, writes each one to the spool exactly as the device sent it
before decoding it, checks the :class:`CancelToken` between pages (and asks the device to stop),
reports progress, waits a little when the device is busy or warming up, ends the batch when the
feeder is empty and turns every other device fault into a :class:`ScannerError` with a Vietnamese
message. Tests drive it with fake devices; the real drivers only translate their own codes into a
:class:`DeviceFault`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from app.core.errors import MotCuaError
from app.core.progress import CancelledError, CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.scanning.errors import ScannerError
from app.scanning.loading import count_pages, load_page
from app.scanning.pipeline import PageFailure
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.sources import SourceItem, SourcePage
from app.scanning.spool import SpoolBatch

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DeviceFault(StrEnum):
    """What went wrong, whatever the driver's own code for it."""

    FEEDER_EMPTY = "feeder_empty"  # the normal end of a feeder batch
    JAM = "jam"
    DOUBLE_FEED = "double_feed"
    COVER_OPEN = "cover_open"
    BUSY = "busy"  # another program (or job) is using the scanner: worth waiting a little
    WARMING_UP = "warming_up"  # the lamp is warming up: worth waiting a little
    OFFLINE = "offline"  # switched off, unplugged, unreachable on the network
    NO_FEEDER = "no_feeder"
    OTHER = "other"


#: Vietnamese wording of each fault, for the officer at the counter.
FAULT_VI: dict[DeviceFault, str] = {
    DeviceFault.FEEDER_EMPTY: "khay nạp giấy không có tài liệu",
    DeviceFault.JAM: "kẹt giấy trong máy quét: hãy gỡ tờ giấy bị kẹt rồi quét lại",
    DeviceFault.DOUBLE_FEED: "máy quét kéo nhiều tờ cùng lúc: hãy xếp lại giấy rồi quét lại",
    DeviceFault.COVER_OPEN: "nắp máy quét đang mở: hãy đóng nắp rồi quét lại",
    DeviceFault.BUSY: "máy quét đang bận (có chương trình hoặc người khác đang dùng)",
    DeviceFault.WARMING_UP: "máy quét đang khởi động, hãy thử lại sau ít giây",
    DeviceFault.OFFLINE: "không kết nối được máy quét: hãy kiểm tra nguồn điện và dây cáp/mạng",
    DeviceFault.NO_FEEDER: "máy quét không có khay nạp giấy",
    DeviceFault.OTHER: "máy quét gặp lỗi",
}
_RETRYABLE = frozenset({DeviceFault.BUSY, DeviceFault.WARMING_UP})


class DeviceError(Exception):
    """Raised by a :class:`ScanDevice`: a classified fault plus the driver's own code and text."""

    def __init__(self, fault: DeviceFault, code: int | str | None = None, detail: str = "") -> None:
        super().__init__(f"{fault.value} (code {code}): {detail}" if code is not None else
                         f"{fault.value}: {detail}")
        self.fault = fault
        self.code = code
        self.detail = detail


class DeviceFaultError(ScannerError):
    """A device fault as the application reports it; the pages scanned before it are in the spool."""

    def __init__(self, message_en: str, message_vi: str, *, fault: DeviceFault, pages_kept: int = 0) -> None:
        super().__init__(message_en, message_vi)
        self.fault = fault
        self.pages_kept = pages_kept


@dataclass(frozen=True)
class DeviceSettings:
    """What the device is asked for, taken from the scan profile."""

    dpi: int
    color: ColorMode  # COLOR or GRAY (black-and-white is made from grey by the pipeline)
    feeder: bool
    duplex: bool
    width_mm: float
    height_mm: float
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_profile(cls, profile: ScanProfile, options: dict[str, str] | None = None) -> DeviceSettings:
        color = ColorMode.GRAY if profile.scan_mode in (ColorMode.GRAY, ColorMode.BW) else ColorMode.COLOR
        return cls(profile.dpi, color, profile.use_feeder, profile.duplex, profile.page_width_mm,
                   profile.page_height_mm, dict(options or {}))


@dataclass(frozen=True)
class DevicePage:
    """One page as the device sent it: encoded bytes (JPEG, PNG, BMP, TIFF or PDF)."""

    data: bytes
    suffix: str  # ".jpg", ".png", ".bmp", ".tif", ".pdf"
    dpi: float | None = None  # when the device says so (otherwise the file's own, else the requested)


class ScanDevice(Protocol):
    """The driver-specific part of a scan, one batch per ``start``.

    ``next_page`` returns the next page, ``None`` when the batch is over (the flatbed page was
    delivered, the job is done), or raises :class:`DeviceError` (``FEEDER_EMPTY`` ends a feeder
    batch normally). ``cancel`` asks the device to stop the batch; ``close`` always runs."""

    name: str

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None: ...
    def next_page(self) -> DevicePage | None: ...
    def cancel(self) -> None: ...
    def close(self) -> None: ...


def spooled_items(batch: SpoolBatch, page: DevicePage, origin: str, index: int, profile: ScanProfile,
                  fallback_dpi: float) -> list[SourceItem]:
    """Write ``page`` to the spool as it came, then decode it (a PDF from the device may hold
    several pages). A page that cannot be decoded stays in the spool and comes out as a failure."""
    path = batch.put_bytes(page.data, page.suffix)
    return decode_spooled(path, origin, index, profile, page.dpi or fallback_dpi, data=page.data)


def decode_spooled(path: Path, origin: str, index: int, profile: ScanProfile,
                   fallback_dpi: float | None, *, data: bytes | None = None) -> list[SourceItem]:
    """The pages of the spool file ``path``, decoded from ``data`` (its plain content) when given."""
    source: Path | bytes = data if data is not None else path
    try:
        count = count_pages(source, profile, name=path.name)
    except MotCuaError as exc:
        return [PageFailure(origin, index, exc.message_en, exc.message_vi, "open")]
    items: list[SourceItem] = []
    for sub in range(count):
        try:
            loaded = load_page(source, sub, profile, name=path.name)
        except MotCuaError as exc:
            items.append(PageFailure(origin, index + sub, exc.message_en, exc.message_vi, "load"))
            continue
        items.append(SourcePage(loaded.image, loaded.dpi or fallback_dpi, origin, index + sub, path,
                                loaded.jpeg))
    return items


class DeviceSource:
    """A :class:`~app.scanning.sources.PageSource` over any :class:`ScanDevice`."""

    def __init__(self, device: ScanDevice, profile: ScanProfile, batch: SpoolBatch, *, scheme: str,
                 options: dict[str, str] | None = None, busy_retries: int = 5, busy_wait: float = 2.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.device = device
        self.profile = profile
        self.batch = batch
        self.scheme = scheme
        self.settings = DeviceSettings.from_profile(profile, options)
        self.busy_retries = busy_retries
        self.busy_wait = busy_wait
        self._sleep = sleep

    @property
    def origin(self) -> str:
        return f"{self.scheme}:{self.device.name}"

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        cancel = cancel or CancelToken()
        scanned = 0
        try:
            try:
                self._patiently(lambda: self.device.start(self.settings, cancel), cancel)
            except DeviceError as exc:
                raise self._error(exc, 0) from None
            while True:
                self._stop_if_cancelled(cancel)
                try:
                    page = self._patiently(self.device.next_page, cancel)
                except DeviceError as exc:
                    if exc.fault is DeviceFault.FEEDER_EMPTY and scanned:
                        break  # the normal end of a feeder batch
                    raise self._error(exc, scanned) from None
                if page is None:
                    break
                items = spooled_items(self.batch, page, self.origin, scanned, self.profile,
                                      float(self.settings.dpi))
                scanned += 1
                yield from items
                progress(ProgressUpdate(scanned, None, f"Đã quét {scanned} trang"))
            if self.settings.feeder and scanned == 0:
                raise self._error(DeviceError(DeviceFault.FEEDER_EMPTY), 0)
        finally:
            try:
                self.device.close()
            except Exception as exc:  # closing must not hide what happened before
                logger.warning("closing %s failed: %s", self.origin, exc)

    def _stop_if_cancelled(self, cancel: CancelToken) -> None:
        if cancel.cancelled:
            try:
                self.device.cancel()
            except Exception as exc:
                logger.warning("cancelling %s failed: %s", self.origin, exc)
            raise CancelledError

    def _patiently(self, call: Callable[[], T], cancel: CancelToken) -> T:
        """``call()``, tried again a few times while the device is busy or warming up."""
        attempt = 0
        while True:
            try:
                return call()
            except DeviceError as exc:
                if exc.fault not in _RETRYABLE or attempt >= self.busy_retries:
                    raise
                attempt += 1
                logger.info("%s: %s, waiting (attempt %d)", self.origin, exc.fault.value, attempt)
                self._sleep(self.busy_wait * attempt)
                self._stop_if_cancelled(cancel)

    def _error(self, exc: DeviceError, scanned: int) -> DeviceFaultError:
        what_vi = FAULT_VI[exc.fault]
        if exc.fault is DeviceFault.OTHER and exc.detail:
            what_vi = f"{what_vi}: {exc.detail}"
        kept_vi = f" Đã giữ lại {scanned} trang quét được trước đó." if scanned else ""
        return DeviceFaultError(f"scanner {self.origin} failed after {scanned} page(s): {exc}",
                                f"Máy quét {self.device.name}: {what_vi}.{kept_vi}",
                                fault=exc.fault, pages_kept=scanned)
