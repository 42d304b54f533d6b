"""Source URIs: parsing and options, ``folder:`` in name order (once), ``file:`` copied into the
spool, ``camera:`` from a video file, and the errors for bad URIs (in Vietnamese)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from scan_helpers import save, text_page

from app.scanning.errors import ScanError
from app.scanning.pipeline import PageFailure
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.sane_source import SaneSource
from app.scanning.source_uri import open_source, parse_source_uri
from app.scanning.sources import CameraSource, SourcePage
from app.scanning.spool import Spool

BASE = ScanProfile()


def test_parse_scheme_target_and_options() -> None:
    spec = parse_source_uri("sane:test:0?source=adf&mode=gray&resolution=300&test-picture=Grid")
    assert (spec.scheme, spec.target) == ("sane", "test:0")
    profile = spec.profile(BASE)
    assert profile.use_feeder and not profile.duplex and profile.dpi == 300
    assert profile.scan_mode is ColorMode.GRAY and profile.color_mode is ColorMode.AUTO
    assert spec.device_options() == {"test_picture": "Grid"}
    duplex = parse_source_uri("escl:https://10.0.0.7/eSCL?source=duplex&verify=no")
    assert duplex.target == "https://10.0.0.7/eSCL" and duplex.profile(BASE).duplex
    assert duplex.device_options() == {"verify": "no"}
    bw = parse_source_uri("wia:Canon?mode=bw").profile(BASE)
    assert (bw.scan_mode, bw.color_mode) == (ColorMode.GRAY, ColorMode.BW)
    assert parse_source_uri("file:///tmp/h%E1%BB%93%20s%C6%A1.jpg").target == "/tmp/hồ sơ.jpg"
    assert parse_source_uri("file:/tmp/a?b.jpg").target == "/tmp/a?b.jpg"  # no options on files
    assert parse_source_uri("sane:").target == ""


@pytest.mark.parametrize(("uri", "words"), [
    ("scanner:1", "phải bắt đầu bằng"),
    ("escl:10.0.0.7", "http://"),
    ("file:", "chưa có đường dẫn"),
    ("sane:test?source=tray", "flatbed, adf, duplex"),
    ("sane:test?mode=sepia", "chế độ màu"),
    ("sane:test?resolution=high", "không phải là số"),
])
def test_bad_uris(uri: str, words: str) -> None:
    with pytest.raises(ScanError) as caught:
        parse_source_uri(uri).profile(BASE)
    assert words in caught.value.message_vi


def test_folder_in_name_order_copied_into_the_spool(tmp_path: Path) -> None:
    folder = tmp_path / "hồ sơ"
    folder.mkdir()
    for name in ("p10.png", "p2.png", "p1.png"):
        save(text_page(lines=2), folder / name, dpi=(200, 200))
    (folder / ".hidden.png").write_bytes(b"")
    (folder / "ghi chú.txt").write_text("không phải ảnh", encoding="utf-8")
    batch = Spool(tmp_path / "spool").new_batch()
    items = list(open_source(f"folder:{folder}", spool=batch).pages())
    assert [Path(i.origin).name for i in items] == ["p1.png", "p2.png", "p10.png"]
    assert [p.name for p in batch.pages()] == ["00001.png", "00002.png", "00003.png"]  # no original name
    assert all(isinstance(i, SourcePage) and i.spool_path in batch.pages() for i in items)
    assert sorted(p.name for p in folder.iterdir())[-3:] == ["p1.png", "p10.png", "p2.png"]  # left in place


def test_file_that_is_missing_or_empty_folder(tmp_path: Path) -> None:
    batch = Spool(tmp_path / "spool").new_batch()
    [failure] = list(open_source(f"file:{tmp_path / 'nope.jpg'}", spool=batch).pages())
    assert isinstance(failure, PageFailure) and "không tìm thấy" in failure.error_vi
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScanError, match="no image"):
        open_source(f"folder:{tmp_path / 'empty'}", spool=batch)
    with pytest.raises(ScanError, match="folder not found"):
        open_source(f"folder:{tmp_path / 'nope'}", spool=batch)


def test_scanners_need_a_spool() -> None:
    with pytest.raises(ScanError) as caught:
        open_source("sane:test")
    assert "spool" in caught.value.message_vi


def test_sane_and_camera_sources_are_built_from_the_uri(tmp_path: Path) -> None:
    batch = Spool(tmp_path / "spool").new_batch()
    sane = open_source("sane:test?source=adf&test-picture=Grid&read-limit=yes", profile=BASE, spool=batch)
    assert isinstance(sane, SaneSource) and sane.device == "test" and sane.profile.use_feeder
    assert sane.options == {"test_picture": "Grid", "read_limit": True}
    video = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (640, 480))
    for shade in (60, 120, 180):
        writer.write(np.full((480, 640, 3), shade, np.uint8))
    writer.release()
    camera = open_source(f"camera:{video}?shots=2&frames=1", spool=batch)
    assert isinstance(camera, CameraSource) and camera.shots == 2 and camera.frames_per_shot == 1
    items = list(camera.pages())
    assert len(items) == 2 and all(i.spool_path is not None for i in items)
    assert isinstance(open_source("camera:0", spool=batch), CameraSource)
