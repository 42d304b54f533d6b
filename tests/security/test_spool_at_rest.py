"""Encryption at rest of the scan spools (``spool/``, ``batch-spool/``): pages waiting there are
sealed like the blobs. After scanning from a folder, the SANE test scanner and a hot folder into the
scan spool and into archive batches, no spool file is an image or PDF, and the known person's CCCD
number and name (inside the pages, not in any file name) are in no raw file of the data folder;
with the key every file opens. A wrong key is refused in Vietnamese; rotation re-seals the spools;
the spool files of a plain (older) folder are sealed when it is converted."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from app.core import sealing
from app.scanning.profile import ScanProfile
from app.scanning.sources import HotFolderSource
from app.scanning.spool import SpoolBatch
from app.services import keys as key_service
from app.services import scan_station as station
from app.services import scanning
from app.services.auth import Officer, Role
from app.services.batch import scan_batch
from app.services.context import AppContext
from app.store import crypto
from app.store import keys as keystore
from app.store.sealer import SpoolSealer, spool_files
from tests.security.test_encryption_at_rest import CCCD, NAME, grep, populate, text_pdf

CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
#: The first bytes of the files a scanner, a camera or an officer gives (PDF may follow blanks).
MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"%PDF", b"BM", b"RIFF", b"GIF8")


class Crash(BaseException):
    """The process dying at a chosen line."""


@pytest.fixture
def sane_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "sane.d"
    config.mkdir()
    (config / "dll.conf").write_text("test\n", encoding="utf-8")
    (config / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    return config


def person_jpeg(path: Path) -> Path:
    """A scanned page whose JPEG comment holds the person's CCCD and name (plain in the raw bytes)."""
    page = Image.new("L", (1654, 2339), 245)
    page.save(path, "JPEG", quality=70, dpi=(200, 200), comment=f"{NAME} {CCCD}".encode())
    assert CCCD.encode() in path.read_bytes()
    return path


def inputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "trang1.pdf").write_bytes(text_pdf())  # the CCCD and folded name as PDF text
    person_jpeg(folder / "trang2.jpg")
    return folder


@pytest.fixture
def scanned(tmp_path: Path, small_catalogue: Path, sane_backend: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder after the usual scanning: an interrupted folder scan (left pending), a SANE
    scan, a station's hot-folder batch, an archive batch of files and one of the SANE feeder."""
    data = tmp_path / "data"
    with AppContext.open(data) as ctx:
        code = populate(ctx, small_catalogue)
        files = inputs(tmp_path / "in")
        with monkeypatch.context() as patch:
            patch.setattr(scanning, "build_pdf", lambda *_a, **_k: (_ for _ in ()).throw(Crash()))
            with pytest.raises(Crash):
                scanning.scan_into_dossier(ctx, f"folder:{files}", code, None, CLERK)
        scanning.scan_into_dossier(ctx, "sane:test:0?mode=gray", code, None, CLERK)
        hot = tmp_path / "hot"
        hot.mkdir()
        person_jpeg(hot / "scan0001.jpg")
        batch = station.new_spool_batch(ctx, code, CLERK)
        clock = [0.0]
        source = HotFolderSource(hot, batch, ScanProfile(), settle_seconds=1.0, poll_seconds=0.5,
                                 idle_seconds=2.0, clock=lambda: clock[0],
                                 sleep=lambda s: clock.__setitem__(0, clock[0] + s))
        assert len(list(source.pages())) == 1 and not (hot / "scan0001.jpg").exists()
        scan_batch(ctx, f"folder:{files}")
        scan_batch(ctx, "sane:test:0?source=adf&mode=gray&test-picture=Grid")
    return data


def test_no_spool_file_is_readable_without_the_key(scanned: Path) -> None:
    files = spool_files(scanned)
    kinds = {(p.parent.parent.name, p.suffix) for p in files}
    assert {("spool", ".pdf"), ("spool", ".jpg"), ("spool", ".png"), ("spool", ".json"),
            ("batch-spool", ".tif"), ("batch-spool", ".png")} <= kinds, kinds  # the test could fail
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(sealing.SEALED_MAGIC), path
        assert not raw.lstrip().startswith(MAGIC), path
        with pytest.raises(Exception):  # noqa: B017 - whatever Pillow raises: not an image
            Image.open(io.BytesIO(raw)).load()
    assert grep(scanned) == []  # nothing personal anywhere in the data folder
    # ... and everything is there for whoever holds the key
    sealer = SpoolSealer(keystore.unlock(scanned))
    plain = {p: sealer.open(p.read_bytes(), sealing.spool_name(p)) for p in files}
    assert sum(CCCD.encode() in data for data in plain.values()) >= 3  # the PDF, the JPEG, the hot one
    pages = [data for p, data in plain.items() if not p.name.startswith(".")]
    assert all(data.lstrip().startswith(MAGIC) for data in pages)


def test_a_wrong_key_is_refused_in_vietnamese(scanned: Path, tmp_path: Path) -> None:
    """A spool file of this folder opened with another folder's key, or copied into another folder's
    spool: refused with the Vietnamese wrong-key message; the pages become failures, not crashes."""
    page = next(p for p in spool_files(scanned) if p.suffix == ".pdf")
    other = tmp_path / "other"
    with AppContext.open(other) as ctx:
        spool = scanning.spool_of(ctx)
        copied = spool.root / page.parent.name / page.name
        copied.parent.mkdir(parents=True)
        shutil.copy(page, copied)
        with pytest.raises(sealing.SealedFileError) as refused:
            spool.read(copied)
        assert "khóa không đúng" in refused.value.message_vi
        failures: list[object] = []
        station.acquire([copied], "default", station.CancelToken(), lambda _p: None,
                        on_failure=failures.append, reader=station.page_reader(ctx))
        assert len(failures) == 1 and "khóa không đúng" in failures[0].error_vi  # type: ignore[attr-defined]


def test_rotation_reseals_the_spools(scanned: Path) -> None:
    old = keystore.unlock(scanned)
    before = {p: SpoolSealer(old).open(p.read_bytes(), sealing.spool_name(p)) for p in spool_files(scanned)}
    key_service.set_secret(scanned, "MAT-KHAU-KHOI-PHUC-2026")
    done = key_service.rotate(scanned, secret="MAT-KHAU-KHOI-PHUC-2026")
    assert done.spool_files == len(before)
    new = keystore.unlock(scanned)
    assert new.key_id != old.key_id and set(new.keys) == {new.key_id}
    for path, plain in before.items():
        raw = path.read_bytes()
        assert crypto.header_key_id(raw) == new.key_id
        assert SpoolSealer(new).open(raw, sealing.spool_name(path)) == plain
        with pytest.raises(sealing.SealedFileError):  # the retired key opens nothing left
            SpoolSealer(old).open(raw, sealing.spool_name(path))
    with AppContext.open(scanned) as ctx:  # the interrupted scan is still finished after the rotation
        outcomes = scanning.resume_pending_scans(ctx)
    assert [o.pages for o in outcomes] == [2]


def test_a_plain_older_spool_is_sealed_when_the_folder_is_converted(scanned: Path) -> None:
    """The spool files an older version left plain are read; the conversion of a plain data folder
    seals them with the rest."""
    from tests.security.test_encryption_at_rest import _make_plain_legacy

    sealer = SpoolSealer(keystore.unlock(scanned))
    for path in spool_files(scanned):
        path.write_bytes(sealer.open(path.read_bytes(), sealing.spool_name(path)))
    assert grep(scanned)  # the test could fail
    _make_plain_legacy(scanned)
    with AppContext.open(scanned) as ctx:
        assert ctx.db.keys.file.state == keystore.READY
        assert all(p.read_bytes().startswith(sealing.SEALED_MAGIC) for p in spool_files(scanned))
        assert grep(scanned) == []
        [batch] = [b for b in scanning.spool_of(ctx).pending() if b.read_meta()["kind"] == scanning.JOB_KIND]
        assert isinstance(batch, SpoolBatch) and len(batch.pages()) == 2
        assert [o.pages for o in scanning.resume_pending_scans(ctx)] == [2]
