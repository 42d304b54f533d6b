"""Online backups: a consistent copy of the database plus the blob store, with a manifest of hashes.

A backup is one folder ``<dest>/motcua-<yyyymmdd-HHMMSS>/``::

    motcua.db | dump.sql        the database: SQLite backup API copy, or pg_dump (plain SQL)
    blobs/aa/bb/<sha256>        every content-addressed file of the blob store
    motcua.key                  the data folder's key file (encrypted data folders): the data key
                                wrapped by the recovery secret, for a restore on another machine
    manifest.json               see app.store.backup_manifest
    manifest.json.sha256        written last: the backup is complete

Consistency while officers keep working: the database is copied first, in one read transaction
(SQLite's backup API copies a snapshot; WAL lets writers go on; ``pg_dump`` runs in one repeatable
read transaction), then the blobs. Blobs are written before the rows that name them and never
deleted, so every blob the copied database refers to is already on disk when the blobs are copied.

The folder is written as ``<name>.partial`` and renamed when complete; a folder without the marker
or whose files do not match the manifest is refused by :func:`check_backup`. Blobs that an earlier
complete backup in the same destination already holds (same path, hash and size) are hard-linked
instead of copied when the file system allows it, so keeping 7 daily copies costs little more
than one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app.core.fileio import fsync_dir
from app.store.backup_auth import MAC_NAME, manifest_mac
from app.store.backup_manifest import (
    BLOBS_PREFIX,
    KEY_FILE,
    MANIFEST_NAME,
    MARKER_NAME,
    PG_DUMP_FILE,
    SQLITE_FILE,
    BackupCorruptError,
    BackupError,
    BackupIncompleteError,
    Manifest,
    ManifestFile,
    manifest_bytes,
    parse_manifest,
)
from app.store.crypto import HEADER_BYTES, is_encrypted_header
from app.store.database import Database, connect_sqlite
from app.store.faults import (
    DiskFullError,
    ReadOnlyStorageError,
    StorageError,
    is_read_only,
    nearly_full,
    storage_errors,
)
from app.store.keys import key_file_path

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
BACKUP_NAME_RE = re.compile(r"motcua-\d{8}-\d{6}(?:-\d+)?")
PARTIAL_SUFFIX = ".partial"
_SHA_NAME = re.compile(r"[0-9a-f]{64}")
_HEX2 = re.compile(r"[0-9a-f]{2}")


@dataclass
class WrittenBackup:
    folder: Path
    manifest: Manifest
    linked: int = 0  # blobs hard-linked from the previous backup
    copied: int = 0
    warnings: list[str] = field(default_factory=list)


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy_hashed(src: Path, dst: Path) -> tuple[str, int]:
    """Copy ``src`` to ``dst`` (flushed to disk), hashing the bytes on the way."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest(), size


def iter_blob_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(name, path)`` of every content-addressed file under ``root`` (``aa/bb/<sha256>``), in
    name order; temporary files of interrupted writes are skipped."""
    if not root.is_dir():
        return
    for first in sorted(p for p in root.iterdir() if p.is_dir() and _HEX2.fullmatch(p.name)):
        for second in sorted(p for p in first.iterdir() if p.is_dir() and _HEX2.fullmatch(p.name)):
            for path in sorted(second.iterdir()):
                if path.is_file() and _SHA_NAME.fullmatch(path.name):
                    yield path.name, path


def list_backups(dest: Path) -> list[Path]:
    """Complete backups (marker present) directly under ``dest``, oldest first."""
    if not dest.is_dir():
        return []
    found = [p for p in dest.iterdir() if p.is_dir() and BACKUP_NAME_RE.fullmatch(p.name)
             and (p / MARKER_NAME).is_file()]
    return sorted(found, key=lambda p: p.name)


def _backup_folder(dest: Path, now: datetime) -> Path:
    base = f"motcua-{now:%Y%m%d-%H%M%S}"
    name, n = base, 1
    while (dest / name).exists() or (dest / (name + PARTIAL_SUFFIX)).exists():
        n += 1
        name = f"{base}-{n}"
    return dest / name


# --------------------------------------------------------------------------- database copies


def sqlite_snapshot(db_path: Path, target: Path, key: str | None = None) -> str | None:
    """Copy a live SQLite database with the backup API (one consistent snapshot); returns the
    schema revision of the copy. An encrypted database (``key``) is copied page by page into a
    copy keyed the same way: the backup holds only ciphertext."""
    src = connect_sqlite(db_path, key, timeout=30)
    try:
        dst = connect_sqlite(target, key)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            revision = dst.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb+") as f:
        os.fsync(f.fileno())
    return revision[0] if revision else None


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (no SQLAlchemy driver suffix, no password) and the environment that
    carries the password, so it never shows in the process list."""
    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _client(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client programs",
                          f"Không tìm thấy chương trình {name} (bộ công cụ PostgreSQL client). Hãy cài "
                          "PostgreSQL client trên máy này hoặc sao lưu trên máy chủ cơ sở dữ liệu.")
    return exe


def run_client(name: str, args: list[str], url: str, *, timeout: float = 3600,
               extra_env: dict[str, str] | None = None) -> None:
    uri, env = libpq_url(url)
    environment = {**os.environ, **env, **(extra_env or {})}
    done = subprocess.run([_client(name), *args, uri], capture_output=True, text=True, timeout=timeout,
                          env=environment, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()[:1]
        raise BackupError(f"{name} failed ({done.returncode}): {message}",
                          f"Chương trình {name} báo lỗi: {message[0] if message else done.returncode}.")


def pg_dump(url: str, target: Path) -> None:
    run_client("pg_dump", ["--format=plain", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--encoding=UTF8", f"--file={target}"], url)
    with open(target, "rb+") as f:
        os.fsync(f.fileno())


# --------------------------------------------------------------------------- writing


def _previous_files(dest: Path) -> tuple[Path, dict[str, ManifestFile]] | None:
    for folder in reversed(list_backups(dest)):
        with contextlib.suppress(BackupError, OSError):
            manifest = parse_manifest((folder / MANIFEST_NAME).read_bytes())
            return folder, {f.path: f for f in manifest.blob_files}
    return None


def _add_blob(name: str, src: Path, folder: Path, previous: tuple[Path, dict[str, ManifestFile]] | None,
              done: WrittenBackup, files: list[ManifestFile]) -> None:
    rel = f"{BLOBS_PREFIX}{name[:2]}/{name[2:4]}/{name}"
    target = folder / rel
    if previous is not None:
        old = previous[1].get(rel)
        old_path = previous[0] / rel
        same = old is not None and old_path.is_file() and _same_stored(old.sha256, name, old_path, src)
        if same and old_path.stat().st_size == old.size == src.stat().st_size:  # type: ignore[union-attr]
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old_path, target)
            except OSError:  # FAT/exFAT drives and some network shares: copy instead
                pass
            else:
                files.append(old)  # type: ignore[arg-type]
                done.linked += 1
                return
    sha, size = copy_hashed(src, target)
    if sha != name and not _sealed(target):  # a sealed blob's bytes never hash to its name
        done.warnings.append(f"blob {name} is corrupted in the store (content hashes to {sha}); "
                             "copied as it is")
    files.append(ManifestFile(rel, sha, size))
    done.copied += 1


def _sealed(path: Path) -> bool:
    with open(path, "rb") as f:
        return is_encrypted_header(f.read(HEADER_BYTES))


def _same_stored(old_sha: str, name: str, old_path: Path, src: Path) -> bool:
    """Whether the previous backup's file holds the same stored bytes as ``src``: a plain blob by
    its name; a sealed one by its header (key id and a random per-file salt: re-sealing, e.g. by a
    key rotation, changes it)."""
    if old_sha == name:
        return True
    with open(old_path, "rb") as a, open(src, "rb") as b:
        head = a.read(HEADER_BYTES)
        return len(head) == HEADER_BYTES and head == b.read(HEADER_BYTES)


def write_backup(db: Database, dest: Path, *, app_version: str, now: datetime,
                 counts: dict[str, int] | None = None) -> WrittenBackup:
    """Write a complete backup of ``db`` and its blob store into a new folder under ``dest``.
    A full, read-only or failing destination is reported as the destination's fault, naming it
    (the data drive is fine)."""
    try:
        with storage_errors():
            dest.mkdir(parents=True, exist_ok=True)
            folder = _backup_folder(dest, now)
            partial = folder.with_name(folder.name + PARTIAL_SUFFIX)
            partial.mkdir()
            try:
                return _write(db, dest, folder, partial, app_version, now, counts or {})
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
    except StorageError as exc:
        if not _concerns(exc, dest):
            raise
        raise destination_error(exc, dest) from exc


def _concerns(exc: BaseException, dest: Path) -> bool:
    """Whether a storage fault happened on the backup destination (a file under ``dest``, or a
    fault without a file name while the destination has no room or cannot be written)."""
    seen: BaseException | None = exc
    while seen is not None:
        name = getattr(seen, "filename", None)
        if name:
            return str(name).startswith(str(dest))
        seen = seen.__cause__ or seen.__context__
    return nearly_full(dest) or is_read_only(dest)


def destination_error(exc: StorageError, dest: Path) -> BackupError:
    if isinstance(exc, DiskFullError):
        en, vi = "is full", "đã hết dung lượng"
    elif isinstance(exc, ReadOnlyStorageError):
        en, vi = "is read-only or not writable", "chỉ đọc hoặc không có quyền ghi"
    else:
        en, vi = "cannot be written (input/output error)", "không ghi được (lỗi đọc/ghi ổ đĩa)"
    return BackupError(f"the backup destination {dest} {en}: {exc.message_en}",
                       f"Nơi nhận bản sao lưu {dest} {vi}. Dữ liệu đang dùng không bị ảnh hưởng; hãy chọn "
                       "ổ đĩa khác hoặc giải phóng dung lượng rồi sao lưu lại.")


def _write(db: Database, dest: Path, folder: Path, partial: Path, app_version: str, now: datetime,
           counts: dict[str, int]) -> WrittenBackup:
    files: list[ManifestFile] = []
    if db.dialect == "sqlite":
        if db.sqlite_path is None:
            raise BackupError("an in-memory database cannot be backed up",
                              "Không sao lưu được cơ sở dữ liệu tạm trong bộ nhớ.")
        revision = sqlite_snapshot(db.sqlite_path, partial / SQLITE_FILE, db.sqlite_key)
        database = SQLITE_FILE
    else:
        revision = db.current_revision()
        pg_dump(db.url, partial / PG_DUMP_FILE)
        database = PG_DUMP_FILE
    sha, size = hash_file(partial / database)
    files.append(ManifestFile(database, sha, size))
    encryption = None
    if db.keys is not None:
        encryption = db.keys.encryption_info(db=db.sqlite_key is not None)
        sha, size = copy_hashed(key_file_path(db.keys.data_dir), partial / KEY_FILE)
        files.append(ManifestFile(KEY_FILE, sha, size))
    manifest = Manifest(created_at=now, app_version=app_version, dialect=db.dialect, db_revision=revision,
                        database=database, files=())
    done = WrittenBackup(folder, manifest)
    previous = _previous_files(dest)
    for name, path in iter_blob_files(db.blobs.root):
        _add_blob(name, path, partial, previous, done, files)
    for directory in sorted({p.parent for p in partial.rglob("*") if p.is_file()}, reverse=True):
        fsync_dir(directory)
    manifest = Manifest(created_at=now, app_version=app_version, dialect=db.dialect, db_revision=revision,
                        database=database, files=tuple(files), encryption=encryption,
                        counts={**counts, "blobs": sum(1 for f in files if f.path.startswith(BLOBS_PREFIX))})
    raw = manifest_bytes(manifest)
    _write_synced(partial / MANIFEST_NAME, raw)
    if db.keys is not None:
        _write_synced(partial / MAC_NAME, (manifest_mac(raw, db.keys.current) + "\n").encode("ascii"))
    fsync_dir(partial)
    _write_synced(partial / MARKER_NAME, (hashlib.sha256(raw).hexdigest() + "\n").encode("ascii"))
    fsync_dir(partial)
    partial.replace(folder)
    fsync_dir(dest)
    done.folder, done.manifest = folder, manifest
    log.info("backup written to %s: %d files, %d linked, %d copied", folder, len(files), done.linked,
             done.copied)
    return done


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# --------------------------------------------------------------------------- checking


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a backup folder whose completion marker matches; raises otherwise."""
    manifest_path, marker_path = folder / MANIFEST_NAME, folder / MARKER_NAME
    if not folder.is_dir():
        raise BackupError(f"no backup folder at {folder}", f"Không tìm thấy thư mục sao lưu {folder}.")
    if not manifest_path.is_file() or not marker_path.is_file():
        raise BackupIncompleteError(
            f"{folder} is not a complete backup (no {MARKER_NAME}): it was interrupted or is not a backup",
            f"Thư mục {folder} không phải bản sao lưu hoàn chỉnh (thiếu dấu hoàn tất {MARKER_NAME}): việc "
            "sao lưu đã bị gián đoạn hoặc đây không phải thư mục sao lưu. Không khôi phục từ bản này.")
    raw = manifest_path.read_bytes()
    expected = marker_path.read_text(encoding="ascii", errors="replace").strip()
    if hashlib.sha256(raw).hexdigest() != expected:
        raise BackupCorruptError(f"{manifest_path} does not match its marker",
                                 f"Tệp kê khai của bản sao lưu {folder.name} đã bị thay đổi hoặc hỏng "
                                 "(mã băm không khớp). Không khôi phục từ bản này.")
    return parse_manifest(raw)


def check_backup(folder: Path) -> Manifest:
    """Verify every file of a backup against its manifest before anything is restored."""
    with storage_errors():
        manifest = read_manifest(folder)
        missing: list[str] = []
        bad: list[str] = []
        for item in manifest.files:
            path = folder / item.path
            if not path.is_file():
                missing.append(item.path)
                continue
            sha, size = hash_file(path)
            if (sha, size) != (item.sha256, item.size):
                bad.append(item.path)
    if missing:
        raise BackupIncompleteError(
            f"backup {folder.name} is partial: {len(missing)} file(s) missing, e.g. {missing[0]}",
            f"Bản sao lưu {folder.name} không đầy đủ: thiếu {len(missing)} tệp (ví dụ {missing[0]}). "
            "Không khôi phục từ bản này.")
    if bad:
        raise BackupCorruptError(
            f"backup {folder.name} is corrupt: {len(bad)} file(s) do not match their hash, e.g. {bad[0]}",
            f"Bản sao lưu {folder.name} bị hỏng: {len(bad)} tệp không khớp mã băm (ví dụ {bad[0]}). "
            "Không khôi phục từ bản này.")
    return manifest


def prune_backups(dest: Path, keep: int) -> list[Path]:
    """Delete complete backups beyond the newest ``keep`` and interrupted ``.partial`` folders left
    by earlier runs; only folders named like backups are ever touched. Returns what was removed."""
    removed: list[Path] = []
    complete = list_backups(dest)
    for folder in complete[:max(0, len(complete) - max(1, keep))]:
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if dest.is_dir():
        for folder in dest.iterdir():
            stem = folder.name.removesuffix(PARTIAL_SUFFIX)
            if folder.name.endswith(PARTIAL_SUFFIX) and BACKUP_NAME_RE.fullmatch(stem) and folder.is_dir():
                with contextlib.suppress(OSError):
                    if time.time() - folder.stat().st_mtime > 6 * 3600:
                        shutil.rmtree(folder, ignore_errors=True)
                        removed.append(folder)
    return removed
