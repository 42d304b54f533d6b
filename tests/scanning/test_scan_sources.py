"""Page sources: SANE's test backend for real (flatbed, feeder), files, the hot folder, a camera
(a video file through OpenCV's capture), and the spool that keeps every page across a crash."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from scan_helpers import blank_page, camera_shot, save, seal_page, text_page

from app.core.progress import CancelledError, CancelToken, ProgressUpdate
from app.scanning.errors import ScanError, ScannerError
from app.scanning.loading import load_page
from app.scanning.pipeline import PageFailure, PageResult, Pipeline
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.sane_source import SaneSource, list_devices
from app.scanning.sources import CameraSource, FileSource, HotFolderSource, SourcePage
from app.scanning.spool import Spool

A4_MM = (210.0, 297.0)


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private SANE configuration that enables the ``test`` backend with room for A4."""
    config = tmp_path / "sane.d"
    config.mkdir()
    (config / "dll.conf").write_text("test\n", encoding="utf-8")
    (config / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    return config


def scan_all(source, cancel: CancelToken | None = None) -> list:  # type: ignore[no-untyped-def]
    updates: list[ProgressUpdate] = []
    items = list(source.pages(cancel, updates.append))
    return [items, updates]


def test_sane_lists_the_test_devices(sane_test_backend: Path) -> None:
    names = [d[0] for d in list_devices()]
    assert "test:0" in names


def test_sane_flatbed_single_page(sane_test_backend: Path, tmp_path: Path) -> None:
    """GIVEN the flatbed of the test scanner WHEN one page is scanned in colour at 200 dpi
    THEN exactly one A4 page arrives, already on disk, readable back, and the pipeline runs on it."""
    batch = Spool(tmp_path / "spool").new_batch()
    source = SaneSource(ScanProfile(), batch, "test:0", options={"test_picture": "Color pattern"})
    items, updates = scan_all(source)
    assert len(items) == 1 and isinstance(items[0], SourcePage)
    page = items[0]
    h, w = page.image.shape[:2]
    assert page.image.ndim == 3 and page.dpi == 200
    assert abs(w - A4_MM[0] / 25.4 * 200) <= 2 and abs(h - A4_MM[1] / 25.4 * 200) <= 2
    assert page.spool_path is not None and page.spool_path.parent == batch.path
    back = load_page(page.spool_path)
    assert np.array_equal(back.image, page.image) and back.dpi == pytest.approx(200, abs=0.5)
    assert updates[-1].done == 1
    result = Pipeline(ScanProfile()).process(page.image, dpi=page.dpi, source=page.origin)
    assert isinstance(result, PageResult) and result.color is ColorMode.COLOR


def test_sane_feeder_ten_pages_then_empty(sane_test_backend: Path, tmp_path: Path) -> None:
    """GIVEN the test scanner's feeder (10 sheets) WHEN a feeder batch runs in grey
    THEN ten pages arrive and 'feeder empty' ends the batch without an error."""
    batch = Spool(tmp_path / "spool").new_batch()
    profile = ScanProfile(use_feeder=True, scan_mode=ColorMode.GRAY, dpi=100)
    items, updates = scan_all(SaneSource(profile, batch, "test:0", options={"test_picture": "Grid"}))
    assert len(items) == 10 and all(isinstance(i, SourcePage) for i in items)
    assert [i.index for i in items] == list(range(10))
    assert len(batch.pages()) == 10
    for path in batch.pages():
        image = load_page(path).image
        assert image.ndim == 2 and abs(image.shape[0] - 1169) <= 1 and abs(image.shape[1] - 827) <= 1
    assert [u.done for u in updates] == list(range(1, 11))


def test_sane_cancel_between_pages(sane_test_backend: Path, tmp_path: Path) -> None:
    batch = Spool(tmp_path / "spool").new_batch()
    cancel = CancelToken()
    source = SaneSource(ScanProfile(use_feeder=True, scan_mode=ColorMode.GRAY, dpi=50), batch, "test:0")
    got = []
    with pytest.raises(CancelledError):
        for item in source.pages(cancel):
            got.append(item)
            if len(got) == 3:
                cancel.cancel()
    assert len(got) == 3 and len(batch.pages()) == 3  # what arrived is kept


def test_sane_jam_is_a_scanner_error(sane_test_backend: Path, tmp_path: Path) -> None:
    batch = Spool(tmp_path / "spool").new_batch()
    options = {"enable_test_options": True, "read_return_value": "SANE_STATUS_JAMMED"}
    source = SaneSource(ScanProfile(scan_mode=ColorMode.GRAY, dpi=50), batch, "test:0", options=options)
    with pytest.raises(ScannerError, match="failed after 0 page"):
        list(source.pages())


def test_sane_unknown_device(sane_test_backend: Path, tmp_path: Path) -> None:
    with pytest.raises(ScannerError):
        list(SaneSource(ScanProfile(), Spool(tmp_path).new_batch(), "nope:0").pages())


# --------------------------------------------------------------------------- files, hot folder


def test_file_source_streams_pages_and_failures(tmp_path: Path) -> None:
    good = save(seal_page(), tmp_path / "a.png")
    empty = tmp_path / "b.png"
    empty.write_bytes(b"")
    items, updates = scan_all(FileSource([good, empty]))
    assert isinstance(items[0], SourcePage) and items[0].spool_path == good
    assert isinstance(items[1], PageFailure) and "empty" in items[1].error
    assert updates[-1] == ProgressUpdate(2, 2, "Đã đọc xong")


def test_hot_folder_takes_a_file_only_once_it_stopped_changing(tmp_path: Path) -> None:
    """GIVEN a file still being written WHEN the folder is polled THEN it is taken only after it has
    kept the same size and time for the settle period, moved into the spool, read once."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    batch = Spool(tmp_path / "spool").new_batch()
    clock = [0.0]
    growing = inbox / "scan.png"
    data = save(text_page(lines=5), tmp_path / "full.png").read_bytes()
    steps = iter(range(100))

    def sleep(seconds: float) -> None:  # the writer finishes during the second poll
        step = next(steps)
        if step == 0:
            growing.write_bytes(data[: len(data) // 2])
        elif step == 1:
            growing.write_bytes(data)
            os.utime(growing, ns=(10**9, 10**9))
        clock[0] += seconds

    (inbox / ".hidden.png").write_bytes(data)
    (inbox / "notes.txt").write_text("x", encoding="utf-8")
    source = HotFolderSource(inbox, batch, settle_seconds=2.0, poll_seconds=0.5, idle_seconds=3.0,
                             clock=lambda: clock[0], sleep=sleep)
    items = list(source.pages())
    assert len(items) == 1 and isinstance(items[0], SourcePage)
    assert items[0].origin == str(growing)
    assert not growing.exists() and (inbox / ".hidden.png").exists()
    assert [p.name for p in batch.pages()] == ["00001.png"]
    assert items[0].image.shape[:2] == (2339, 1654)
    assert clock[0] >= 2.0 + 0.5  # settled at least two seconds after the last change


def test_hot_folder_stops_when_cancelled(tmp_path: Path) -> None:
    cancel = CancelToken()
    source = HotFolderSource(tmp_path, Spool(tmp_path / ".spool").new_batch(), poll_seconds=0.01,
                             sleep=lambda _s: cancel.cancel())
    with pytest.raises(CancelledError):
        list(source.pages(cancel))


# --------------------------------------------------------------------------- camera


def test_camera_source_yields_the_sharpest_frame_spooled(tmp_path: Path) -> None:
    """GIVEN a capture device (a video file here) WHEN a shot is taken THEN the sharpest of its frames
    is spooled and the pipeline finds the page's corners in it."""
    shot = camera_shot(text_page(seed=2), ((300, 160), (1300, 190), (1260, 1040), (240, 1000)))
    video = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (1600, 1200))
    assert writer.isOpened()
    blurred = cv2.GaussianBlur(shot, (15, 15), 0)
    for frame in (blurred, blurred, shot, blurred):
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    batch = Spool(tmp_path / "spool").new_batch()
    items, _ = scan_all(CameraSource(str(video), batch, shots=1, frames_per_shot=4))
    assert len(items) == 1 and items[0].spool_path.exists()
    assert cv2.Laplacian(cv2.cvtColor(items[0].image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var() > 100
    result = Pipeline(ScanProfile()).process(items[0].image)
    assert isinstance(result, PageResult) and result.corners is not None
    assert result.corners[0] == pytest.approx((300, 160), abs=32)


def test_camera_that_cannot_open_is_a_scanner_error(tmp_path: Path) -> None:
    with pytest.raises(ScannerError):
        list(CameraSource(str(tmp_path / "no-such-camera.avi"), Spool(tmp_path).new_batch()).pages())


# --------------------------------------------------------------------------- spool


def test_spool_keeps_pages_of_an_interrupted_batch(tmp_path: Path) -> None:
    """GIVEN a batch that crashed after two pages WHEN the app starts again THEN both pages are found
    as a pending batch; a finished batch is not pending and can be cleaned."""
    spool = Spool(tmp_path / "spool")
    crashed = spool.new_batch()
    crashed.put(blank_page(), 200)
    crashed.put(seal_page(), 200)
    finished = spool.new_batch()
    finished.put(text_page(lines=2), 200)
    finished.mark_done()
    again = Spool(tmp_path / "spool")
    pending = again.pending()
    assert [b.path for b in pending] == [crashed.path]
    assert [p.name for p in pending[0].pages()] == ["00001.png", "00002.png"]
    assert load_page(pending[0].pages()[1]).dpi == pytest.approx(200, abs=0.5)
    assert again.clean_done() == 1 and not finished.path.exists()


def test_spool_put_is_safe_from_concurrent_readers(tmp_path: Path) -> None:
    batch = Spool(tmp_path).new_batch()
    seen: list[list[str]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append([p.name for p in batch.pages()])

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(3):
            batch.put(text_page(lines=3), 200)
    finally:
        stop.set()
        watcher.join()
    assert all(name.endswith(".png") for names in seen for name in names)  # never a partial file


def test_feeder_batch_streams_through_the_pipeline(sane_test_backend: Path, tmp_path: Path) -> None:
    """GIVEN a feeder batch WHEN streamed through the pipeline THEN ten results, one per sheet."""
    from app.scanning.parallel_pages import process_source

    profile = ScanProfile(use_feeder=True, scan_mode=ColorMode.GRAY, dpi=100)
    source = SaneSource(profile, Spool(tmp_path).new_batch(), "test:0", options={"test_picture": "Grid"})
    outcomes = list(process_source(source, profile))
    assert len(outcomes) == 10 and all(isinstance(o, PageResult) for o in outcomes)
    assert [o.source for o in outcomes] == ["sane:test:0"] * 10


def test_profile_round_trips_through_stored_settings() -> None:
    profile = ScanProfile(name="quầy 2", dpi=300, color_mode=ColorMode.BW, duplex=True)
    data = profile.to_dict()
    assert data["color_mode"] == "bw" and data["barcode_reader"] == "zxing"
    assert ScanProfile.from_dict({**data, "unknown": 1}) == profile
    with pytest.raises(ScanError):
        ScanProfile(dpi=20)
