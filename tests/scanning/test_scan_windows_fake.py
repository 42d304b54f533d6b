"""WIA and TWAIN through the shared device source, with fake devices (the real drivers need
Windows): the feeder loop until WIA_ERROR_PAPER_EMPTY, the flatbed page, busy waits, jams and
other faults in Vietnamese, cancel; and ``wia:``/``twain:`` URIs refused off Windows."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_windows_devices import TWAIN_JAM, FakeTwainDevice, FakeWiaDevice, jam_at

from app.core.progress import CancelledError, CancelToken, ProgressUpdate
from app.scanning import windows_sources
from app.scanning.devices import DeviceFault, DeviceFaultError, DeviceSource
from app.scanning.errors import ScannerError
from app.scanning.loading import load_page
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.source_uri import open_source
from app.scanning.sources import SourcePage
from app.scanning.spool import Spool, SpoolBatch
from app.scanning.windows_sources import (
    TWCC_PAPERDOUBLEFEED,
    WIA_ERROR_COVER_OPEN,
    WIA_ERROR_PAPER_EMPTY,
    WIA_ERROR_WARMING_UP,
    _com_hresult,
    wia_error,
)

FEEDER = ScanProfile(use_feeder=True, dpi=100)
FLATBED = ScanProfile(dpi=100)


@pytest.fixture
def spool(tmp_path: Path) -> SpoolBatch:
    return Spool(tmp_path / "spool").new_batch()


def source(device, profile: ScanProfile, spool: SpoolBatch, scheme: str = "wia",  # type: ignore[no-untyped-def]
           waits: list[float] | None = None) -> DeviceSource:
    sleep = waits.append if waits is not None else (lambda _s: None)
    return DeviceSource(device, profile, spool, scheme=scheme, busy_wait=1.0, sleep=sleep)


def test_wia_feeder_streams_pages_until_paper_empty(spool: SpoolBatch) -> None:
    """GIVEN three sheets in a WIA feeder WHEN scanned THEN three pages arrive in order, each
    spooled as the PNG the driver gave, and WIA_ERROR_PAPER_EMPTY ends the batch without error."""
    device = FakeWiaDevice(sheets=3)
    updates: list[ProgressUpdate] = []
    items = list(source(device, FEEDER, spool).pages(None, updates.append))
    assert [i.index for i in items] == [0, 1, 2]
    assert all(isinstance(i, SourcePage) and i.origin == "wia:Fake WIA Scanner" for i in items)
    assert [p.suffix for p in spool.pages()] == [".png"] * 3
    assert items[0].dpi == pytest.approx(100)  # the PNG says ~99.99 dpi: the requested value is used
    assert load_page(spool.pages()[0]).image.shape == items[0].image.shape
    assert [u.done for u in updates] == [1, 2, 3]
    assert device.calls == ["start"] + ["next_page"] * 4 + ["close"]
    assert device.settings is not None and device.settings.feeder and device.settings.dpi == 100


def test_wia_flatbed_gives_one_page(spool: SpoolBatch) -> None:
    device = FakeWiaDevice()
    items = list(source(device, FLATBED, spool).pages())
    assert len(items) == 1 and items[0].image.ndim == 3
    assert device.delivered == 1 and device.calls[-1] == "close"


def test_wia_grey_profile_asks_for_grey(spool: SpoolBatch) -> None:
    device = FakeWiaDevice(sheets=1)
    items = list(source(device, ScanProfile(use_feeder=True, dpi=100, scan_mode=ColorMode.BW), spool).pages())
    assert device.settings is not None and device.settings.color is ColorMode.GRAY
    assert items[0].image.ndim == 2


def test_wia_empty_feeder(spool: SpoolBatch) -> None:
    with pytest.raises(DeviceFaultError) as caught:
        list(source(FakeWiaDevice(sheets=0), FEEDER, spool).pages())
    assert caught.value.fault is DeviceFault.FEEDER_EMPTY and caught.value.pages_kept == 0
    assert "khay nạp giấy không có tài liệu" in caught.value.message_vi


def test_wia_paper_jam_keeps_the_pages_before_it(spool: SpoolBatch) -> None:
    """GIVEN a jam on the third sheet WHEN scanned THEN two pages arrive (and stay in the spool),
    then a ScannerError whose Vietnamese message names the jam and the pages kept."""
    got = []
    with pytest.raises(DeviceFaultError) as caught:
        for item in source(FakeWiaDevice(sheets=5, fail_at=jam_at(2)), FEEDER, spool).pages():
            got.append(item)
    assert len(got) == 2 and len(spool.pages()) == 2
    error = caught.value
    assert isinstance(error, ScannerError) and error.fault is DeviceFault.JAM and error.pages_kept == 2
    assert "kẹt giấy" in error.message_vi and "Đã giữ lại 2 trang" in error.message_vi
    assert "0x80210002" in error.message_en


def test_wia_busy_then_ready(spool: SpoolBatch) -> None:
    waits: list[float] = []
    items = list(source(FakeWiaDevice(sheets=1, busy=2), FEEDER, spool, waits=waits).pages())
    assert len(items) == 1 and waits == [1.0, 2.0]


class _Always(dict):  # type: ignore[type-arg]
    """A ``fail_at`` that fails every page with the same code."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def __contains__(self, _key: object) -> bool:
        return True

    def pop(self, *_args: object) -> int:  # type: ignore[override]
        return self.code


def test_wia_warming_up_for_too_long(spool: SpoolBatch) -> None:
    device = FakeWiaDevice(sheets=2, fail_at=_Always(WIA_ERROR_WARMING_UP))
    with pytest.raises(DeviceFaultError) as caught:
        list(source(device, FEEDER, spool).pages())
    assert caught.value.fault is DeviceFault.WARMING_UP and "khởi động" in caught.value.message_vi


def test_wia_cover_open(spool: SpoolBatch) -> None:
    with pytest.raises(DeviceFaultError) as caught:
        list(source(FakeWiaDevice(fail_at={0: WIA_ERROR_COVER_OPEN}), FLATBED, spool).pages())
    assert caught.value.fault is DeviceFault.COVER_OPEN and "nắp máy quét" in caught.value.message_vi


def test_wia_cancel_between_pages(spool: SpoolBatch) -> None:
    device = FakeWiaDevice(sheets=5)
    cancel = CancelToken()
    got = []
    with pytest.raises(CancelledError):
        for item in source(device, FEEDER, spool).pages(cancel):
            got.append(item)
            cancel.cancel()
    assert len(got) == 1 and len(spool.pages()) == 1
    assert device.calls[-2:] == ["cancel", "close"]


def test_twain_feeder_and_jam(spool: SpoolBatch, tmp_path: Path) -> None:
    items = list(source(FakeTwainDevice(sheets=2), FEEDER, spool, "twain").pages())
    assert len(items) == 2 and [p.suffix for p in spool.pages()] == [".bmp", ".bmp"]
    assert items[0].origin == "twain:Fake TWAIN Source" and items[0].dpi == pytest.approx(100, abs=1)
    other = Spool(tmp_path / "other").new_batch()
    with pytest.raises(DeviceFaultError) as caught:
        list(source(FakeTwainDevice(sheets=3, fail_at=dict(TWAIN_JAM)), FEEDER, other, "twain").pages())
    assert caught.value.fault is DeviceFault.JAM and caught.value.pages_kept == 1


def test_twain_double_feed(spool: SpoolBatch) -> None:
    device = FakeTwainDevice(sheets=3, fail_at={0: TWCC_PAPERDOUBLEFEED})
    with pytest.raises(DeviceFaultError) as caught:
        list(source(device, FEEDER, spool, "twain").pages())
    assert caught.value.fault is DeviceFault.DOUBLE_FEED and "nhiều tờ" in caught.value.message_vi


def test_wia_codes_from_com_errors() -> None:
    """pywin32 reports WIA codes as negative HRESULTs inside DISP_E_EXCEPTION's excepinfo."""
    com_error = SimpleNamespace(hresult=-2147352567, excepinfo=(0, "WIA", "", None, 0, -2145320957))
    assert _com_hresult(com_error) == WIA_ERROR_PAPER_EMPTY
    assert wia_error(-2145320957).fault is DeviceFault.FEEDER_EMPTY
    assert wia_error(0x80210099).fault is DeviceFault.OTHER


@pytest.mark.parametrize("uri", ["wia:", "twain:Canon DR-C225"])
def test_windows_sources_are_refused_elsewhere(uri: str, spool: SpoolBatch) -> None:
    if windows_sources.on_windows():  # pragma: no cover - the CI runs on Linux
        pytest.skip("on Windows these open real devices")
    with pytest.raises(ScannerError) as caught:
        open_source(uri, profile=FLATBED, spool=spool)
    assert "chỉ dùng được trên Windows" in caught.value.message_vi


def test_wia_uri_reaches_the_device(monkeypatch: pytest.MonkeyPatch, spool: SpoolBatch) -> None:
    """``wia:NAME?source=adf`` opens the named device with the feeder (the opener is faked)."""
    opened: list[str] = []

    def fake_open(name: str) -> FakeWiaDevice:
        opened.append(name)
        return FakeWiaDevice(name=name, sheets=2)

    monkeypatch.setattr(windows_sources, "open_wia_device", fake_open)
    items = list(open_source("wia:Máy quét tầng 1?source=adf&resolution=100", spool=spool).pages())
    assert opened == ["Máy quét tầng 1"] and len(items) == 2
