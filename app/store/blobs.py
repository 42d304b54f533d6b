"""Content-addressed file store: every file is kept once, under its SHA-256.

Layout: ``<root>/<aa>/<bb>/<sha256>`` (``aa``, ``bb`` = the first two pairs of hex digits).
Writes are atomic: the bytes go to a temporary file on the same file system, are flushed and
fsynced, renamed over the final name with ``os.replace`` and the folder is fsynced, so a crash
leaves either the whole blob or nothing under its name (stray ``*.part`` files at worst, which
``cleanup_temp`` removes). Reads verify the hash.

Encryption at rest: with the data folder's keys (:class:`app.store.data_key.DataKeys`) every file is
written sealed (AES-256-GCM in 64 KiB chunks, format in :mod:`app.store.crypto`); its name stays
the SHA-256 of the *plain* content, so de-duplication, references, sync hashes and manifests do
not change. Reads decrypt (streamed, seekable) and then check the name. A ``BlobStore(root)``
made without keys finds them through the key file of the data folder above ``root``; files written
before encryption (plain) are still read, and re-sealed by :meth:`BlobStore.seal_all`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from app.store.data_key import DataKeys

from app.core.errors import MotCuaError, NotFoundError
from app.core.fileio import fsync_dir
from app.store import crypto
from app.store.storage_errors import storage_errors

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


def _check_sha(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a lower-case hex SHA-256: {sha256!r}")
    return sha256


def _hash_stream(f: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := f.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _hash_file(path: Path) -> str:
    with open(path, "rb") as f:
        return _hash_stream(f)


_UNSET = object()


class BlobStore:
    """Files addressed by SHA-256 under ``root``, sealed with ``keys`` when there are keys."""

    def __init__(self, root: Path, keys: DataKeys | object | None = _UNSET) -> None:
        self.root = Path(root)
        self._keys = keys  # _UNSET: look for the key file of the data folder above root when needed

    @property
    def keys(self) -> DataKeys | None:
        if self._keys is _UNSET:
            from app.store.data_key import key_file_path, unlock

            folder = self.root.parent
            self._keys = unlock(folder) if key_file_path(folder).is_file() else None
        return self._keys  # type: ignore[return-value]

    @property
    def encrypted(self) -> bool:
        return self.keys is not None

    # -- paths -----------------------------------------------------------------------------------
    def path_of(self, sha256: str) -> Path:
        """Where the (stored, possibly sealed) bytes of a blob are; read them with :meth:`open`."""
        _check_sha(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    # -- writing ---------------------------------------------------------------------------------
    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256. Content already stored (and intact) is not rewritten.
        A full disk or a read-only folder raises a :class:`~app.store.storage_errors.StorageError`."""
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
                self._write_sealed(io.BytesIO(data), out)
                out.flush()
                os.fsync(out.fileno())
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(target.parent)
        return sha256

    def _write_sealed(self, src: BinaryIO, out: BinaryIO, digest: Any = None) -> None:
        keys = self.keys
        on_plain = digest.update if digest is not None else None
        if keys is None:
            while chunk := src.read(CHUNK):
                if on_plain is not None:
                    on_plain(chunk)
                out.write(chunk)
            return
        crypto.encrypt_stream(src, out, keys.blob_key(keys.key_id), keys.key_id, on_plain=on_plain)  # type: ignore[arg-type]

    def put_file(self, path: Path) -> str:
        """Store a file of any size, streamed (hashed and sealed chunk by chunk); returns the SHA-256."""
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
                self._write_sealed(src, out, digest)
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
        fsync_dir(target.parent)
        return sha256

    def _intact(self, target: Path, sha256: str) -> bool:
        if not target.is_file():
            return False
        keys = self.keys
        if keys is not None and self.stored_key_id(sha256) != keys.key_id:
            return False  # plain (or under a retired key): rewrite it sealed with the current key
        if self._content_hash(target) == sha256:
            return True
        log.warning("blob %s is corrupted; rewriting it from fresh content", sha256)
        return False

    # -- reading ---------------------------------------------------------------------------------
    def stored_key_id(self, sha256: str) -> str | None:
        """The key id a stored file is sealed with; None for a plain file."""
        with open(self.path_of(sha256), "rb") as f:
            head = f.read(crypto.HEADER_BYTES)
        return crypto.header_key_id(head) if crypto.is_encrypted_header(head) else None

    def _open_plain(self, path: Path) -> BinaryIO:
        f = open(path, "rb")  # noqa: SIM115 - returned to the caller
        try:
            head = f.read(crypto.HEADER_BYTES)
            f.seek(0)
            if not crypto.is_encrypted_header(head):
                return f  # written before encryption at rest
            keys = self.keys
            if keys is None:
                raise crypto.BlobDecryptError("sealed, but no key file for this blob store")
            return crypto.open_decrypted(f, keys.blob_key)  # type: ignore[return-value]
        except BaseException:
            f.close()
            raise

    def _content_hash(self, path: Path) -> str | None:
        """SHA-256 of the plain content; None when it cannot be decrypted (altered, cut short)."""
        try:
            with self._open_plain(path) as f:
                return _hash_stream(f)
        except crypto.BlobDecryptError:
            return None

    def open(self, sha256: str, *, verify: bool = True) -> BinaryIO:
        """Open a stored file for reading its plain content (seekable). With ``verify`` (default)
        the content is hashed first and :class:`BlobCorruptedError` raised on mismatch."""
        path = self.path_of(sha256)
        if not path.is_file():
            raise NotFoundError(f"blob {sha256} not found", f"Không tìm thấy tệp lưu trữ {sha256[:12]}….")
        try:
            f = self._open_plain(path)
        except crypto.BlobDecryptError as exc:
            raise BlobCorruptedError(sha256, f"undecryptable ({exc.detail})") from exc
        if verify:
            try:
                actual = _hash_stream(f)
                if actual != sha256:
                    raise BlobCorruptedError(sha256, actual)
                f.seek(0)
            except crypto.BlobDecryptError as exc:
                f.close()
                raise BlobCorruptedError(sha256, f"undecryptable ({exc.detail})") from exc
            except BaseException:
                f.close()
                raise
        return f

    def read_bytes(self, sha256: str) -> bytes:
        """The whole content, verified against its SHA-256."""
        path = self.path_of(sha256)
        if not path.is_file():
            raise NotFoundError(f"blob {sha256} not found",
                                f"Không tìm thấy tệp lưu trữ {sha256[:12]}….")
        try:
            with self._open_plain(path) as f:
                data = f.read()
        except crypto.BlobDecryptError as exc:
            raise BlobCorruptedError(sha256, f"undecryptable ({exc.detail})") from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise BlobCorruptedError(sha256, actual)
        return data

    def verify(self, sha256: str) -> bool:
        """True when the blob exists and its (decrypted) content matches its name."""
        path = self.path_of(sha256)
        return path.is_file() and self._content_hash(path) == sha256

    def content_hash(self, sha256: str) -> str | None:
        """SHA-256 of a stored blob's plain content (None: it cannot be decrypted)."""
        return self._content_hash(self.path_of(sha256))

    # -- sealing and rotation ------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every stored blob name (``aa/bb/<sha256>``), sorted; temporary files skipped."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*")
                      if p.is_file() and _SHA256.fullmatch(p.name))

    def seal_all(self) -> int:
        """Re-write every blob not sealed with the current key (plain ones, or those of a retired
        key during a rotation) sealed with it, one at a time and atomically; corrupt blobs are left
        as they are (``verify`` reports them). Returns how many were re-written."""
        keys = self.keys
        if keys is None:
            return 0
        done = 0
        with storage_errors(self.root):
            for name in self.names():
                if self.stored_key_id(name) == keys.key_id:
                    continue
                target = self.path_of(name)
                fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=_TEMP_SUFFIX, dir=target.parent)
                tmp = Path(tmp_name)
                digest = hashlib.sha256()
                try:
                    with os.fdopen(fd, "wb") as out, self._open_plain(target) as src:
                        self._write_sealed(src, out, digest)
                        out.flush()
                        os.fsync(out.fileno())
                    if digest.hexdigest() != name:
                        log.warning("blob %s is corrupted; left as it is", name)
                        tmp.unlink()
                        continue
                    tmp.replace(target)
                except crypto.BlobDecryptError:
                    log.warning("blob %s cannot be decrypted; left as it is", name)
                    tmp.unlink(missing_ok=True)
                    continue
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
                fsync_dir(target.parent)
                done += 1
        return done

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
