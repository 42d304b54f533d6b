"""eSCL (AirScan) for real over HTTP on the loopback, against the fake scanner of
``escl_fake_server.py``: platen, feeder until 404, busy replies, jam, empty feeder, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from escl_fake_server import EsclServer, FakeScanner

from app.core.progress import CancelledError, CancelToken, ProgressUpdate
from app.scanning.devices import DeviceFault, DeviceFaultError
from app.scanning.escl_source import choose_resolution, escl_source, parse_capabilities
from app.scanning.loading import load_page
from app.scanning.profile import ScanProfile
from app.scanning.source_uri import open_source
from app.scanning.sources import SourcePage
from app.scanning.spool import Spool

FEEDER = ScanProfile(use_feeder=True)
NO_WAIT = {"sleep": lambda _s: None}


def batch(tmp_path: Path):  # type: ignore[no-untyped-def]
    return Spool(tmp_path / "spool").new_batch()


def test_platen_one_page_at_the_profile_resolution(tmp_path: Path) -> None:
    """GIVEN an eSCL scanner WHEN one flatbed page is scanned at 200 dpi in colour
    THEN one A4 page arrives, spooled as the JPEG the scanner sent, readable back at 200 dpi."""
    spool = batch(tmp_path)
    with EsclServer(FakeScanner()) as server:
        updates: list[ProgressUpdate] = []
        items = list(open_source(f"escl:{server.url}", profile=ScanProfile(), spool=spool)
                     .pages(None, updates.append))
        scanner = server.scanner
    assert len(items) == 1 and isinstance(items[0], SourcePage)
    page = items[0]
    assert page.image.ndim == 3 and page.dpi == pytest.approx(200)
    assert abs(page.image.shape[1] - 1654) <= 2 and abs(page.image.shape[0] - 2339) <= 2
    assert page.spool_path is not None and page.spool_path.suffix == ".jpg"
    assert page.jpeg == page.spool_path.read_bytes()  # kept as sent, reusable without re-encoding
    assert load_page(page.spool_path).dpi == pytest.approx(200)
    sent = scanner.settings[0]
    assert sent["pwg:InputSource"] == "Platen" and sent["scan:ColorMode"] == "RGB24"
    assert sent["scan:XResolution"] == "200" and sent["pwg:DocumentFormat"] == "image/jpeg"
    assert (sent["pwg:Width"], sent["pwg:Height"]) == ("2480", "3508")
    assert sent["pwg:ContentRegionUnits"] == "escl:ThreeHundredthsOfInches"
    assert updates[-1].done == 1
    assert not any(r.startswith("DELETE") for r in scanner.requests)  # the job ended by itself


def test_feeder_pages_until_404(tmp_path: Path) -> None:
    spool = batch(tmp_path)
    with EsclServer(FakeScanner(feeder_pages=4)) as server:
        source = open_source(f"escl:{server.url}?source=adf&mode=gray", profile=ScanProfile(), spool=spool)
        items = list(source.pages())
        sent = server.scanner.settings[0]
    assert [i.index for i in items] == [0, 1, 2, 3]
    assert all(isinstance(i, SourcePage) and i.image.ndim == 2 for i in items)
    assert len(spool.pages()) == 4
    assert sent["pwg:InputSource"] == "Feeder" and sent["scan:ColorMode"] == "Grayscale8"


def test_busy_replies_are_waited_for(tmp_path: Path) -> None:
    waits: list[float] = []
    with EsclServer(FakeScanner(feeder_pages=2, busy_replies=3)) as server:
        source = escl_source(server.url, FEEDER, batch(tmp_path), sleep=waits.append)
        items = list(source.pages())
    assert len(items) == 2
    assert waits[:3] == [0.25, 0.5, 1.0]  # backing off


def test_empty_feeder_is_reported(tmp_path: Path) -> None:
    with EsclServer(FakeScanner(feeder_pages=0)) as server, pytest.raises(DeviceFaultError) as caught:
        list(escl_source(server.url, FEEDER, batch(tmp_path), **NO_WAIT).pages())
    assert caught.value.fault is DeviceFault.FEEDER_EMPTY
    assert "khay nạp giấy không có tài liệu" in caught.value.message_vi


def test_jam_after_two_pages_keeps_them_and_says_so(tmp_path: Path) -> None:
    """GIVEN a feeder that jams after two sheets (the scanner answers 404 as if done)
    WHEN the batch runs THEN the two pages arrive and are spooled, then a jam error in Vietnamese."""
    spool = batch(tmp_path)
    got = []
    with EsclServer(FakeScanner(feeder_pages=5, jam_after=2)) as server, \
            pytest.raises(DeviceFaultError) as caught:
        for item in escl_source(server.url, FEEDER, spool, **NO_WAIT).pages():
            got.append(item)
    assert len(got) == 2 and len(spool.pages()) == 2
    assert caught.value.fault is DeviceFault.JAM and caught.value.pages_kept == 2
    assert "kẹt giấy" in caught.value.message_vi and "2 trang" in caught.value.message_vi


def test_cancel_deletes_the_job(tmp_path: Path) -> None:
    cancel = CancelToken()
    got = []
    with EsclServer(FakeScanner(feeder_pages=6)) as server:
        with pytest.raises(CancelledError):
            for item in escl_source(server.url, FEEDER, batch(tmp_path), **NO_WAIT).pages(cancel):
                got.append(item)
                cancel.cancel()
        requests = list(server.scanner.requests)
        job = next(iter(server.scanner.jobs.values()))
    assert len(got) == 1
    assert job.deleted and any(r.startswith("DELETE /eSCL/ScanJobs/") for r in requests)


def test_feeder_asked_of_a_flatbed_only_scanner(tmp_path: Path) -> None:
    with EsclServer(FakeScanner(adf=False)) as server, pytest.raises(DeviceFaultError) as caught:
        list(escl_source(server.url, FEEDER, batch(tmp_path), **NO_WAIT).pages())
    assert caught.value.fault is DeviceFault.NO_FEEDER


def test_unreachable_scanner(tmp_path: Path) -> None:
    with EsclServer(FakeScanner()) as server:
        url = server.url  # the port is closed once the server is gone
    with pytest.raises(DeviceFaultError) as caught:
        list(escl_source(url, ScanProfile(), batch(tmp_path), timeout=2, **NO_WAIT).pages())
    assert caught.value.fault is DeviceFault.OFFLINE
    assert "không kết nối được máy quét" in caught.value.message_vi


def test_capabilities_and_resolution_choice() -> None:
    from escl_fake_server import capabilities

    caps = parse_capabilities(capabilities())
    assert caps.make_model == "MotCua Fake eSCL" and caps.version == "2.63"
    assert caps.platen is not None and caps.adf is not None
    assert caps.platen.resolutions == (100, 150, 200, 300, 600)
    assert "RGB24" in caps.platen.color_modes and "image/jpeg" in caps.platen.formats
    assert choose_resolution((100, 300, 600), 200) == 300
    assert choose_resolution((75, 150), 200) == 150
    assert choose_resolution((), 200) == 200
