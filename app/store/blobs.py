"""Content-addressed file store: every file is kept once, under its SHA-256.

Layout: ``<root>/<aa>/<bb>/<sha256>`` (``aa``, ``bb`` = the first two pairs of hex digits).
Writes are atomic: the bytes go to a temporary file on the same file system, are flushed and
fsynced, renamed over the final name with ``os.replace`` and the folder is fsynced, so a crash
leaves either the whole blob or nothing under its name (stray ``*.part`` files at worst, which
``cleanup_temp`` removes). Reads verify the hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.core.errors import MotCuaError, NotFoundError
from app.store.faults import storage_errors

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
_TEMP_DIR = ".tmp"
_TEMP_SUFFIX = ".part"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobCorruptedError(MotCuaError):
    """A stored file whose content no longer matches its SHA-256 (disk error, tampering)."""

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(
            f"blob {sha256} is corrupted (content hashes to {actual})",
            f"Tệp lưu trữ {sha256[:12]}… bị hỏng hoặc đã bị thay đổi (mã băm không khớp). "
            "Hãy khôi phục từ bản sao lưu.",
        )
        self.sha256 = sha256
        self.actual = actual


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_sha(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a lower-case hex SHA-256: {sha256!r}")
    return sha256


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    """Files addressed by SHA-256 under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- paths -----------------------------------------------------------------------------------
    def path_of(self, sha256: str) -> Path:
        _check_sha(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    # -- writing ---------------------------------------------------------------------------------
    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256. Content already stored (and intact) is not rewritten.
        A full disk or a read-only folder raises a :class:`~app.store.faults.StorageError`."""
        with storage_errors(self.root):
            return self._put_bytes(data)

    def _put_bytes(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_of(sha256)
        if self._intact(target, sha256):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=_TEMP_SUFFIX, dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha256

    def put_file(self, path: Path) -> str:
        """Store a file of any size, hashing it while copying in 1 MiB chunks; returns the SHA-256."""
        with storage_errors(self.root):
            return self._put_file(path)

    def _put_file(self, path: Path) -> str:
        temp_dir = self.root / _TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(suffix=_TEMP_SUFFIX, dir=temp_dir)
        tmp = Path(tmp_name)
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path_of(sha256)
            if self._intact(target, sha256):
                tmp.unlink()
                return sha256
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha256

    def _intact(self, target: Path, sha256: str) -> bool:
        if not target.is_file():
            return False
        if _hash_file(target) == sha256:
            return True
        log.warning("blob %s is corrupted; rewriting it from fresh content", sha256)
        return False

    # -- reading ---------------------------------------------------------------------------------
    def open(self, sha256: str, *, verify: bool = True) -> BinaryIO:
        """Open a stored file for reading (seekable). With ``verify`` (default) the content is hashed
        first and :class:`BlobCorruptedError` raised on mismatch."""
        path = self.path_of(sha256)
        if not path.is_file():
            raise NotFoundError(f"blob {sha256} not found", f"Không tìm thấy tệp lưu trữ {sha256[:12]}….")
        f = open(path, "rb")  # noqa: SIM115 - returned to the caller
        if verify:
            try:
                digest = hashlib.sha256()
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                actual = digest.hexdigest()
                if actual != sha256:
                    raise BlobCorruptedError(sha256, actual)
                f.seek(0)
            except BaseException:
                f.close()
                raise
        return f

    def read_bytes(self, sha256: str) -> bytes:
        """The whole content, verified against its SHA-256."""
        path = self.path_of(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"blob {sha256} not found",
                                f"Không tìm thấy tệp lưu trữ {sha256[:12]}….") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise BlobCorruptedError(sha256, actual)
        return data

    def verify(self, sha256: str) -> bool:
        """True when the blob exists and its content matches its name."""
        path = self.path_of(sha256)
        return path.is_file() and _hash_file(path) == sha256

    def cleanup_temp(self) -> int:
        """Delete temporary files left by an interrupted write; returns how many were removed."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for tmp in self.root.rglob(f"*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
        return removed
