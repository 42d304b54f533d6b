"""Fake WIA and TWAIN scanners for the tests: they behave like the real drivers as seen through
:class:`~app.scanning.devices.ScanDevice` (the WIA feeder loop ends with WIA_ERROR_PAPER_EMPTY, the
flatbed gives one page, faults come as the drivers' own HRESULTs / TWAIN condition codes), so the
real source logic (streaming, spooling, feeder-empty end, busy waits, jam messages, cancel) runs
here on Linux. Pages are PNG (WIA converts to PNG) or BMP (TWAIN's native transfer)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont
from scan_helpers import FONT

from app.core.progress import CancelToken
from app.scanning.devices import DevicePage, DeviceSettings
from app.scanning.profile import ColorMode
from app.scanning.windows_sources import (
    TWCC_PAPERJAM,
    WIA_ERROR_BUSY,
    WIA_ERROR_PAPER_EMPTY,
    WIA_ERROR_PAPER_JAM,
    twain_error,
    wia_error,
)


def render_page(number: int, settings: DeviceSettings, fmt: str) -> bytes:
    size = (round(settings.width_mm / 25.4 * settings.dpi), round(settings.height_mm / 25.4 * settings.dpi))
    im = Image.new("RGB", size, (246, 246, 243))
    draw = ImageDraw.Draw(im)
    face = ImageFont.truetype(str(FONT), max(8, settings.dpi // 7))
    for row, text in enumerate(("ĐƠN ĐỀ NGHỊ", "Họ và tên: Trần Thị Bích Ngọc", f"Trang {number}")):
        where = (size[0] // 10, size[1] // 10 + row * settings.dpi // 4)
        draw.text(where, text, font=face, fill=(20, 20, 20))
    if settings.color is not ColorMode.COLOR:
        im = im.convert("L")
    out = io.BytesIO()
    im.save(out, fmt.upper(), dpi=(settings.dpi, settings.dpi))
    return out.getvalue()


@dataclass
class FakeWiaDevice:
    """``sheets`` in the feeder; ``fail_at`` = {page number: HRESULT} raised instead of that page
    (page numbers from 0); ``busy`` WIA_ERROR_BUSY replies before the first page."""

    name: str = "Fake WIA Scanner"
    sheets: int = 3
    fail_at: dict[int, int] = field(default_factory=dict)
    busy: int = 0
    settings: DeviceSettings | None = None
    delivered: int = 0
    calls: list[str] = field(default_factory=list)

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None:
        self.calls.append("start")
        self.settings = settings

    def next_page(self) -> DevicePage | None:
        self.calls.append("next_page")
        assert self.settings is not None
        if self.busy:
            self.busy -= 1
            raise wia_error(WIA_ERROR_BUSY)
        if not self.settings.feeder and self.delivered:
            return None
        if self.delivered in self.fail_at:
            raise wia_error(self.fail_at.pop(self.delivered))
        if self.settings.feeder and self.delivered >= self.sheets:
            raise wia_error(WIA_ERROR_PAPER_EMPTY)
        self.delivered += 1
        return DevicePage(render_page(self.delivered, self.settings, "png"), ".png")

    def cancel(self) -> None:
        self.calls.append("cancel")

    def close(self) -> None:
        self.calls.append("close")


def jam_at(page: int) -> dict[int, int]:
    return {page: WIA_ERROR_PAPER_JAM}


@dataclass
class FakeTwainDevice:
    """TWAIN as pytwain delivers it: BMP pages while the source has pending transfers, then the
    end of the acquisition (``None``); ``fail_at`` = {page number: TWAIN condition code}."""

    name: str = "Fake TWAIN Source"
    sheets: int = 2
    fail_at: dict[int, int] = field(default_factory=dict)
    settings: DeviceSettings | None = None
    delivered: int = 0
    calls: list[str] = field(default_factory=list)

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None:
        self.calls.append("start")
        self.settings = settings

    def next_page(self) -> DevicePage | None:
        assert self.settings is not None
        if self.delivered in self.fail_at:
            raise twain_error(self.fail_at.pop(self.delivered))
        limit = self.sheets if self.settings.feeder else 1
        if self.delivered >= limit:
            return None
        self.delivered += 1
        return DevicePage(render_page(self.delivered, self.settings, "bmp"), ".bmp")

    def cancel(self) -> None:
        self.calls.append("cancel")

    def close(self) -> None:
        self.calls.append("close")


TWAIN_JAM = {1: TWCC_PAPERJAM}
