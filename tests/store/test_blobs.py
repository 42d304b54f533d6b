"""Blob store: content addressing, atomic writes, verified reads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.core.errors import MotCuaError, NotFoundError
from app.store.blobs import CHUNK, BlobCorruptedError, BlobStore
from app.store.database import BLOB_ROOT_SETTING, Database
from app.store.repositories import BlobRepository, SettingsRepository


def _all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_and_read_back_by_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "Giấy khai sinh – bản sao".encode()
    sha = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path_of(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert store.exists(sha) and store.verify(sha)
    assert store.read_bytes(sha) == data
    with store.open(sha) as f:
        assert f.read() == data
        f.seek(0)  # seekable: PDF libraries need random access
        assert f.read(5) == data[:5]


def test_same_content_is_stored_once_and_no_temp_files_remain(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    src = tmp_path / "scan.pdf"
    src.write_bytes(b"%PDF-1.7 same bytes")
    first = store.put_bytes(b"%PDF-1.7 same bytes")
    mtime = store.path_of(first).stat().st_mtime_ns
    assert store.put_bytes(b"%PDF-1.7 same bytes") == first
    assert store.put_file(src) == first
    assert store.path_of(first).stat().st_mtime_ns == mtime  # not rewritten
    assert _all_files(tmp_path / "blobs") == [store.path_of(first)]  # no *.part left behind


def test_put_file_streams_big_files(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    big = tmp_path / "big.bin"
    data = os.urandom(CHUNK * 2 + 12345)  # more than two 1 MiB chunks
    big.write_bytes(data)
    sha = store.put_file(big)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.read_bytes(sha) == data
    assert _all_files(tmp_path / "blobs") == [store.path_of(sha)]


def test_corrupted_blob_is_detected_on_read(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = store.put_bytes(b"original scan")
    path = store.path_of(sha)
    path.chmod(0o644)
    path.write_bytes(b"tampered scan")
    assert not store.verify(sha)
    with pytest.raises(BlobCorruptedError) as info:
        store.read_bytes(sha)
    assert isinstance(info.value, MotCuaError)
    assert "bị hỏng" in info.value.message_vi
    with pytest.raises(BlobCorruptedError):
        store.open(sha)
    # Storing the right content again repairs the blob.
    assert store.put_bytes(b"original scan") == sha
    assert store.read_bytes(sha) == b"original scan"


def test_missing_blob_and_bad_names(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    missing = "0" * 64
    assert not store.exists(missing) and not store.verify(missing)
    with pytest.raises(NotFoundError):
        store.read_bytes(missing)
    with pytest.raises(NotFoundError):
        store.open(missing)
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_of("../../etc/passwd")


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BlobStore(tmp_path / "blobs")
    src = tmp_path / "in.bin"
    src.write_bytes(b"x" * 1000)

    def broken_fsync(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.put_bytes(b"payload")
    with pytest.raises(OSError, match="disk full"):
        store.put_file(src)
    assert _all_files(tmp_path / "blobs") == []


def test_cleanup_temp_removes_interrupted_writes(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = store.put_bytes(b"kept")
    stray = store.path_of(sha).parent / ".abc.part"
    stray.write_bytes(b"half")
    assert store.cleanup_temp() == 1
    assert _all_files(tmp_path) == [store.path_of(sha)]


def test_database_blob_root_default_and_setting(db: Database, tmp_path: Path) -> None:
    assert db.blobs.root == db.data_dir / "blobs"
    with db.session() as s:
        SettingsRepository(s).set(BLOB_ROOT_SETTING, str(tmp_path / "nas" / "motcua-blobs"))
        sha = db.blobs.put_bytes(b"scan")
        info = BlobRepository(s).record(sha, 4, "application/pdf")
        again = BlobRepository(s).record(sha, 4, "image/png")
        assert again == info and info.media_type == "application/pdf"
        assert BlobRepository(s).get("f" * 64) is None
    reopened = Database.open(db.url, db.data_dir)
    try:
        assert reopened.blobs.root == tmp_path / "nas" / "motcua-blobs"
    finally:
        reopened.close()
