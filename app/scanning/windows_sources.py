"""Windows scanners: WIA 2.0 (the default on Windows) and TWAIN, behind the same page source.

Each driver is a small :class:`~app.scanning.devices.ScanDevice` (open, set resolution/colour/
feeder, next page, cancel, close) whose only other job is to turn the driver's own error codes into
a :class:`~app.scanning.devices.DeviceFault`; page streaming, spooling, the feeder-empty end of a
batch, waiting while the scanner is busy, cancellation and the Vietnamese messages are the shared
:class:`~app.scanning.devices.DeviceSource`. The real drivers import ``pywin32`` (WIA automation,
``WIA.DeviceManager``) and ``pytwain`` lazily, on Windows only; elsewhere they cannot run, and the
tests drive the same source with fake devices (``tests/scanning/fake_windows_devices.py``) that
raise the real WIA HRESULTs and TWAIN condition codes. See ``docs/scanning.md``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from app.core.progress import CancelledError, CancelToken
from app.scanning.devices import DeviceError, DeviceFault, DevicePage, DeviceSettings, DeviceSource
from app.scanning.errors import ScannerError
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.spool import SpoolBatch

logger = logging.getLogger(__name__)

# WIA error HRESULTs (wiadef.h), unsigned.
WIA_ERROR_GENERAL_ERROR = 0x80210001
WIA_ERROR_PAPER_JAM = 0x80210002
WIA_ERROR_PAPER_EMPTY = 0x80210003
WIA_ERROR_PAPER_PROBLEM = 0x80210004
WIA_ERROR_OFFLINE = 0x80210005
WIA_ERROR_BUSY = 0x80210006
WIA_ERROR_WARMING_UP = 0x80210007
WIA_ERROR_USER_INTERVENTION = 0x80210008
WIA_ERROR_ITEM_DELETED = 0x80210009
WIA_ERROR_DEVICE_COMMUNICATION = 0x8021000A
WIA_ERROR_DEVICE_LOCKED = 0x8021000D
WIA_S_NO_DEVICE_AVAILABLE = 0x80210015
WIA_ERROR_COVER_OPEN = 0x80210016
WIA_ERROR_LAMP_OFF = 0x80210017
WIA_ERROR_MULTI_FEED = 0x80210020

WIA_FAULTS: dict[int, DeviceFault] = {
    WIA_ERROR_PAPER_JAM: DeviceFault.JAM,
    WIA_ERROR_PAPER_PROBLEM: DeviceFault.JAM,
    WIA_ERROR_PAPER_EMPTY: DeviceFault.FEEDER_EMPTY,
    WIA_ERROR_OFFLINE: DeviceFault.OFFLINE,
    WIA_ERROR_ITEM_DELETED: DeviceFault.OFFLINE,
    WIA_ERROR_DEVICE_COMMUNICATION: DeviceFault.OFFLINE,
    WIA_S_NO_DEVICE_AVAILABLE: DeviceFault.OFFLINE,
    WIA_ERROR_BUSY: DeviceFault.BUSY,
    WIA_ERROR_DEVICE_LOCKED: DeviceFault.BUSY,
    WIA_ERROR_WARMING_UP: DeviceFault.WARMING_UP,
    WIA_ERROR_COVER_OPEN: DeviceFault.COVER_OPEN,
    WIA_ERROR_MULTI_FEED: DeviceFault.DOUBLE_FEED,
}
_WIA_DETAIL_VI = {
    WIA_ERROR_USER_INTERVENTION: "cần thao tác trên máy quét (xem màn hình của máy)",
    WIA_ERROR_LAMP_OFF: "đèn máy quét đang tắt",
    WIA_ERROR_GENERAL_ERROR: "lỗi chung của trình điều khiển WIA",
}

# TWAIN condition codes (twain.h) and pytwain's exception names for them.
TWCC_NODS = 3
TWCC_MAXCONNECTIONS = 4
TWCC_PAPERJAM = 20
TWCC_PAPERDOUBLEFEED = 21
TWCC_CHECKDEVICEONLINE = 23
TWAIN_FAULTS: dict[int, DeviceFault] = {
    TWCC_NODS: DeviceFault.OFFLINE,
    TWCC_MAXCONNECTIONS: DeviceFault.BUSY,
    TWCC_PAPERJAM: DeviceFault.JAM,
    TWCC_PAPERDOUBLEFEED: DeviceFault.DOUBLE_FEED,
    TWCC_CHECKDEVICEONLINE: DeviceFault.OFFLINE,
}
_PYTWAIN_CODES = {"NoDataSourceError": TWCC_NODS, "MaxConnectionsError": TWCC_MAXCONNECTIONS,
                  "PaperJam": TWCC_PAPERJAM, "PaperDoubleFeedError": TWCC_PAPERDOUBLEFEED,
                  "CheckDeviceOnlineError": TWCC_CHECKDEVICEONLINE}

# WIA automation constants
_WIA_SCANNER = 1
_WIA_DOCUMENT_HANDLING_SELECT = 3088
_WIA_PAGES = 3096
_FEEDER, _FLATBED, _DUPLEX = 0x1, 0x2, 0x4
_WIA_INTENT, _WIA_XRES, _WIA_YRES = 6146, 6147, 6148
_WIA_XPOS, _WIA_YPOS, _WIA_XEXTENT, _WIA_YEXTENT = 6149, 6150, 6151, 6152
_WIA_FORMATS = (("{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}", ".png"),
                ("{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}", ".bmp"))


def on_windows() -> bool:
    return sys.platform == "win32"


def wia_error(hresult: int, detail: str = "") -> DeviceError:
    code = hresult & 0xFFFFFFFF
    fault = WIA_FAULTS.get(code, DeviceFault.OTHER)
    return DeviceError(fault, code, detail or _WIA_DETAIL_VI.get(code, f"mã lỗi WIA 0x{code:08X}"))


def twain_error(condition_code: int, detail: str = "") -> DeviceError:
    fault = TWAIN_FAULTS.get(condition_code, DeviceFault.OTHER)
    return DeviceError(fault, condition_code, detail or f"mã lỗi TWAIN {condition_code}")


def not_on_windows(kind: str) -> ScannerError:
    return ScannerError(f"{kind} scanners can only be used on Windows",
                        f"Máy quét {kind} chỉ dùng được trên Windows. Trên máy này hãy dùng nguồn "
                        "sane:THIẾT_BỊ, escl:URL, camera:N, folder:THƯ_MỤC hoặc file:TỆP.")


# --------------------------------------------------------------------------- WIA (pywin32)


def _com_hresult(exc: Any) -> int:
    """The WIA code of a ``pywintypes.com_error``: DISP_E_EXCEPTION carries it in ``excepinfo``."""
    info = getattr(exc, "excepinfo", None)
    if info and len(info) > 5 and info[5]:
        return int(info[5]) & 0xFFFFFFFF
    return int(getattr(exc, "hresult", 0)) & 0xFFFFFFFF


def _set_property(properties: Any, prop_id: int, value: int) -> None:
    for prop in properties:
        if int(prop.PropertyID) == prop_id:
            with contextlib.suppress(Exception):  # the driver may clamp or refuse: keep its value
                if getattr(prop, "SubType", 0) == 1:  # a range: stay inside it
                    value = max(int(prop.SubTypeMin), min(int(prop.SubTypeMax), value))
                prop.Value = value
            return


class WiaAutomationDevice:
    """A scanner through WIA 2.0 automation (``WIA.DeviceManager``, pywin32)."""

    def __init__(self, name: str = "") -> None:
        self.name = name or "WIA"
        self._item: Any = None
        self._feeder = False
        self._delivered = 0

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None:
        import pythoncom
        import pywintypes
        import win32com.client

        pythoncom.CoInitialize()
        try:
            manager = win32com.client.Dispatch("WIA.DeviceManager")
            infos = [i for i in manager.DeviceInfos if int(i.Type) == _WIA_SCANNER]
            wanted = self.name.lower()
            info = next((i for i in infos if wanted in ("wia", str(i.DeviceID).lower(),
                                                        str(i.Properties("Name").Value).lower())), None)
            if info is None:
                raise DeviceError(DeviceFault.OFFLINE, WIA_S_NO_DEVICE_AVAILABLE,
                                  f"no WIA scanner {self.name}")
            device = info.Connect()
            if settings.feeder:
                handling = _FEEDER | (_DUPLEX if settings.duplex else 0)
                _set_property(device.Properties, _WIA_DOCUMENT_HANDLING_SELECT, handling)
                _set_property(device.Properties, _WIA_PAGES, 1)
            else:
                _set_property(device.Properties, _WIA_DOCUMENT_HANDLING_SELECT, _FLATBED)
            item = device.Items[1]
            props = item.Properties
            _set_property(props, _WIA_INTENT, 1 if settings.color is ColorMode.COLOR else 2)
            for prop_id in (_WIA_XRES, _WIA_YRES):
                _set_property(props, prop_id, settings.dpi)
            for prop_id in (_WIA_XPOS, _WIA_YPOS):
                _set_property(props, prop_id, 0)
            _set_property(props, _WIA_XEXTENT, round(settings.width_mm / 25.4 * settings.dpi))
            _set_property(props, _WIA_YEXTENT, round(settings.height_mm / 25.4 * settings.dpi))
        except pywintypes.com_error as exc:
            raise wia_error(_com_hresult(exc), str(exc)) from None
        self._item, self._feeder, self._delivered = item, settings.feeder, 0

    def next_page(self) -> DevicePage | None:
        import pywintypes

        if not self._feeder and self._delivered:
            return None  # the flatbed gives one page per batch
        last: Exception | None = None
        for format_id, suffix in _WIA_FORMATS:  # PNG when the driver converts, else its BMP
            try:
                image = self._item.Transfer(format_id)
            except pywintypes.com_error as exc:
                code = _com_hresult(exc)
                if code in WIA_FAULTS or code == WIA_ERROR_GENERAL_ERROR:
                    raise wia_error(code, str(exc)) from None
                last = exc
                continue
            self._delivered += 1
            return DevicePage(bytes(image.FileData.BinaryData), suffix)
        raise wia_error(_com_hresult(last), str(last))

    def cancel(self) -> None:
        self._feeder, self._delivered = False, 1  # WIA automation cannot stop a transfer midway

    def close(self) -> None:
        self._item = None
        with contextlib.suppress(Exception):
            import pythoncom

            pythoncom.CoUninitialize()


# --------------------------------------------------------------------------- TWAIN (pytwain)


class PyTwainDevice:
    """A TWAIN data source through pytwain. TWAIN delivers pages from its own message loop, so the
    session runs on a thread of its own and hands each page over through a queue."""

    def __init__(self, name: str = "") -> None:
        self.name = name or "TWAIN"
        self._pages: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._cancel = CancelToken()
        self._stop = threading.Event()

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None:
        self._cancel = cancel
        self._thread = threading.Thread(target=self._session, args=(settings,), name="twain", daemon=True)
        self._thread.start()

    def _session(self, settings: DeviceSettings) -> None:
        try:
            import twain
        except ImportError as exc:
            self._pages.put(("error", DeviceError(DeviceFault.OTHER, None, f"pytwain missing: {exc}")))
            return
        try:
            with twain.SourceManager(None) as manager:
                names = manager.source_list
                name = self.name if self.name in names else (names[0] if names and self.name == "TWAIN"
                                                                 else self.name)
                source = manager.open_source(name)
                self._configure(twain, source, settings)

                def after(image: Any, more: int) -> None:
                    with tempfile.TemporaryDirectory(prefix="motcua-twain-") as tmp:
                        path = Path(tmp) / "page.bmp"
                        image.save(str(path))
                        image.close()
                        self._pages.put(("page", path.read_bytes()))
                    if self._stop.is_set() or (not settings.feeder and more):
                        raise twain.exceptions.CancelAll

                source.acquire_natively(after=after, show_ui=False, modal=False)
                source.close()
            self._pages.put(("end", None))
        except Exception as exc:  # pytwain's errors, ctypes errors: reported to the consumer
            code = _PYTWAIN_CODES.get(type(exc).__name__)
            error = twain_error(code, str(exc)) if code is not None else DeviceError(
                DeviceFault.OTHER, None, f"{type(exc).__name__}: {exc}")
            self._pages.put(("error", error))

    @staticmethod
    def _configure(twain: Any, source: Any, settings: DeviceSettings) -> None:
        def capability(cap: int, kind: int, value: Any) -> None:
            with contextlib.suppress(twain.exceptions.CheckStatus, twain.exceptions.TwainError):
                source.set_capability(cap, kind, value)

        pixel = twain.TWPT_RGB if settings.color is ColorMode.COLOR else twain.TWPT_GRAY
        capability(twain.ICAP_PIXELTYPE, twain.TWTY_UINT16, pixel)
        capability(twain.ICAP_UNITS, twain.TWTY_UINT16, twain.TWUN_INCHES)
        capability(twain.ICAP_XRESOLUTION, twain.TWTY_FIX32, float(settings.dpi))
        capability(twain.ICAP_YRESOLUTION, twain.TWTY_FIX32, float(settings.dpi))
        capability(twain.CAP_FEEDERENABLED, twain.TWTY_BOOL, settings.feeder)
        if settings.feeder:
            capability(twain.CAP_AUTOFEED, twain.TWTY_BOOL, True)
            capability(twain.CAP_DUPLEXENABLED, twain.TWTY_BOOL, settings.duplex)
        capability(twain.CAP_XFERCOUNT, twain.TWTY_INT16, -1 if settings.feeder else 1)
        with contextlib.suppress(twain.exceptions.CheckStatus, twain.exceptions.TwainError):
            source.set_image_layout((0.0, 0.0, settings.width_mm / 25.4, settings.height_mm / 25.4))

    def next_page(self) -> DevicePage | None:
        while True:
            try:
                kind, value = self._pages.get(timeout=0.5)
            except queue.Empty:
                if self._cancel.cancelled:
                    self.cancel()
                    raise CancelledError from None
                if self._thread is not None and not self._thread.is_alive() and self._pages.empty():
                    return None
                continue
            if kind == "page":
                return DevicePage(value, ".bmp")
            if kind == "error":
                raise value
            return None

    def cancel(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


# --------------------------------------------------------------------------- factories


def open_wia_device(name: str) -> WiaAutomationDevice:
    if not on_windows():
        raise not_on_windows("WIA")
    return WiaAutomationDevice(name)


def open_twain_device(name: str) -> PyTwainDevice:
    if not on_windows():
        raise not_on_windows("TWAIN")
    return PyTwainDevice(name)


def wia_source(name: str, profile: ScanProfile, batch: SpoolBatch,
               options: dict[str, str] | None = None) -> DeviceSource:
    return DeviceSource(open_wia_device(name), profile, batch, scheme="wia", options=options)


def twain_source(name: str, profile: ScanProfile, batch: SpoolBatch,
                 options: dict[str, str] | None = None) -> DeviceSource:
    return DeviceSource(open_twain_device(name), profile, batch, scheme="twain", options=options)
