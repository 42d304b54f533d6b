"""Restoring a backup written by :mod:`app.store.backup` into a data folder or a PostgreSQL database.

Nothing is touched before the whole backup has been verified (:func:`~app.store.backup.check_backup`)
and staged: the files are copied into ``<data_dir>/.restore-<ts>/`` with their hashes checked again
and the staged SQLite file passes ``PRAGMA quick_check``. Only then are the current files moved to
``<data_dir>/backups/pre-restore-<ts>/`` and the staged ones moved into place: renames inside one
file system, a fraction of a second. Should the machine lose power in those renames, both the old
data (in ``pre-restore-<ts>``) and the new (in ``.restore-<ts>``) are complete on disk; running the
restore again finishes the job.

A SQLite database in use by another program (the desktop application, a ``motcua`` command) is
refused: leaving WAL mode needs the only connection, so ``PRAGMA journal_mode=DELETE`` failing with
"database is locked" means somebody else has it open. On PostgreSQL the dump (``--clean``) runs in
one transaction with a lock timeout, so stations still connected make it fail rather than wait, and
the current database is dumped to ``pre-restore-<ts>/dump.sql`` first. Blobs are content-addressed,
so blobs outside the data folder (a shared folder) are merged in, never deleted.

Encryption at rest: a backup copies the encrypted bytes as they are and carries the key file
(``motcua.key``: the data key wrapped by the recovery secret). Restoring into the same data folder
uses the key the folder already has; a backup made under another key (a new machine, a backup
older than a key rotation) needs the recovery secret: the key is unwrapped from the backup's key
file, which then replaces the folder's (the old one is kept in ``pre-restore-<ts>``) and the key is
put in the OS keyring. A plain backup (made before encryption at rest) is restored as it is and
converted when the folder is next opened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from alembic.script import ScriptDirectory

from app.core.errors import MotCuaError
from app.store import keys as keystore
from app.store import migrate
from app.store.backup import copy_hashed, fsync_dir, hash_file, pg_dump, run_client
from app.store.backup_auth import check_authentic, check_contents
from app.store.backup_manifest import KEY_FILE, BackupCorruptError, BackupError, Manifest
from app.store.database import BLOB_ROOT_SETTING, connect_sqlite, is_plain_sqlite
from app.store.faults import storage_errors
from app.store.paths import BACKUPS_DIR_NAME, BLOBS_DIR_NAME, DB_FILE_NAME

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
PG_LOCK_TIMEOUT = "10s"


class DatabaseInUseError(BackupError):
    def __init__(self, where: str) -> None:
        super().__init__(f"the database {where} is in use by another program",
                         f"Cơ sở dữ liệu {where} đang được sử dụng (MotCua Desk hoặc lệnh motcua khác đang "
                         "mở). Hãy đóng mọi cửa sổ MotCua Desk dùng thư mục dữ liệu này rồi khôi phục lại.")


@dataclass(frozen=True)
class RestoreOutcome:
    previous: Path | None  # where the replaced data was kept
    blobs: int  # blob files restored


def check_revision(manifest: Manifest) -> None:
    """Refuse a backup made by a newer version (a schema this program does not know)."""
    if manifest.db_revision is None:
        return
    script = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = script.get_revision(manifest.db_revision) is not None
    except Exception:
        known = False
    if not known:
        raise BackupError(f"the backup's schema revision {manifest.db_revision} is newer than this program",
                          f"Bản sao lưu được tạo bởi phiên bản MotCua Desk mới hơn (lược đồ "
                          f"{manifest.db_revision}). Hãy cập nhật phần mềm trước khi khôi phục.")


def _current_key(data_dir: Path, db_path: Path) -> str | None:
    """The key of the folder's current database (None: plain, absent, or its key unavailable)."""
    if not db_path.exists() or is_plain_sqlite(db_path) or not keystore.key_file_path(data_dir).is_file():
        return None
    try:
        return keystore.unlock(data_dir).sqlcipher_keys()[0]
    except MotCuaError:
        return None


def sqlite_in_use(db_path: Path, key: str | None = None) -> bool:
    """True when another connection has the SQLite file open (see the module documentation)."""
    if not db_path.exists():
        return False
    if key is None and not is_plain_sqlite(db_path):
        key = _current_key(db_path.parent, db_path)
    try:
        conn = connect_sqlite(db_path, key, timeout=0.5, isolation_level=None)
    except sqlcipher.Error:
        return False
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
            return False
        conn.execute("PRAGMA journal_mode=DELETE")
        return False
    except sqlcipher.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlcipher.DatabaseError:  # not a database at all (or not our key): nobody can be using it
        return False
    finally:
        conn.close()


def _copy_checked(folder: Path, rel: str, sha256: str, target: Path) -> None:
    sha, _size = copy_hashed(folder / rel, target)
    if sha != sha256:
        raise BackupCorruptError(f"{rel} changed while it was restored",
                                 f"Tệp {rel} của bản sao lưu bị thay đổi trong khi khôi phục.")


def _quick_check(db_file: Path, key: str | None = None) -> str | None:
    conn = connect_sqlite(db_file, key)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise BackupCorruptError(f"the backed-up database fails its check: {result}",
                                     "Tệp cơ sở dữ liệu trong bản sao lưu bị hỏng.")
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (BLOB_ROOT_SETTING,)).fetchone()
        return row[0] if row and row[0] else None
    except sqlcipher.DatabaseError as exc:
        if key is not None and "not a database" in str(exc):
            raise keystore.wrong_key(db_file.name) from None
        raise BackupCorruptError(f"the backed-up database cannot be read: {exc}",
                                 "Tệp cơ sở dữ liệu trong bản sao lưu bị hỏng.") from None
    finally:
        conn.close()


def merge_blobs(folder: Path, manifest: Manifest, blob_root: Path) -> int:
    """Copy the backup's blobs into ``blob_root``, atomically each, skipping intact ones."""
    count = 0
    for item in manifest.blob_files:
        target = blob_root / item.path.removeprefix(f"{BLOBS_DIR_NAME}/")
        if target.is_file() and hash_file(target) == (item.sha256, item.size):
            continue
        partial = target.with_name(f".{target.name}.restore.part")
        _copy_checked(folder, item.path, item.sha256, partial)
        partial.replace(target)
        count += 1
    return count


def _previous_dir(data_dir: Path, now: datetime) -> Path:
    base = data_dir / BACKUPS_DIR_NAME / f"pre-restore-{now:%Y%m%d-%H%M%S}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def backup_keys(folder: Path, manifest: Manifest, data_dir: Path,
                secret: str | None) -> tuple[keystore.DataKeys | None, bool]:
    """The keys that open an encrypted backup, and whether its key file must replace the folder's
    (the backup was made under another key). None for a plain backup."""
    if manifest.encryption is None:
        return None, False
    wanted = str(manifest.encryption["key_id"])
    if keystore.key_file_path(data_dir).is_file():
        with contextlib.suppress(MotCuaError):
            current = keystore.unlock(data_dir)
            if wanted in current.keys:
                return current, False
    source = folder / KEY_FILE
    try:
        found = keystore.unlock(data_dir, key_file=source, secret=secret)
    except keystore.KeyUnavailableError:
        raise BackupError(
            f"the backup {folder.name} is encrypted with key {wanted}, which this machine does not hold: "
            "give the recovery secret (--secret-env VAR)",
            f"Bản sao lưu {folder.name} được mã hóa bằng khóa mà máy này không có. Hãy cung cấp mã khôi "
            "phục của quản trị viên (--secret-env TÊN_BIẾN).") from None
    if wanted not in found.keys:
        raise keystore.wrong_key(folder.name)
    return found, True


def check_trusted(folder: Path, manifest: Manifest, keys: keystore.DataKeys | None, data_dir: Path) -> None:
    """The manifest authenticated, the database in the form it claims, every blob decrypted and
    matching its name: all before anything of ``data_dir`` is replaced."""
    check_authentic(folder, manifest, keys, target_has_key=keystore.key_file_path(data_dir).is_file())
    check_contents(folder, manifest, keys)


def restore_sqlite(folder: Path, manifest: Manifest, data_dir: Path, now: datetime,
                   secret: str | None = None) -> RestoreOutcome:
    """Replace the SQLite database and blob store of ``data_dir`` by a verified backup (encrypted:
    see the module documentation for the key)."""
    with storage_errors():
        check_revision(manifest)
        db_path = data_dir / DB_FILE_NAME
        if sqlite_in_use(db_path):
            raise DatabaseInUseError(str(db_path))
        keys, new_key = backup_keys(folder, manifest, data_dir, secret)
        check_trusted(folder, manifest, keys, data_dir)
        staging = data_dir / f".restore-{now:%Y%m%d-%H%M%S}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            outcome = _stage_and_swap(folder, manifest, data_dir, db_path, staging, now, keys, new_key)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _stage_and_swap(folder: Path, manifest: Manifest, data_dir: Path, db_path: Path, staging: Path,
                    now: datetime, keys: keystore.DataKeys | None, new_key: bool) -> RestoreOutcome:
    _copy_checked(folder, manifest.database, manifest.file(manifest.database).sha256,  # type: ignore[union-attr]
                  staging / DB_FILE_NAME)
    db_key = keys.sqlcipher_keys()[0] if keys is not None and manifest.encryption.get("db") else None  # type: ignore[union-attr]
    blob_setting = _quick_check(staging / DB_FILE_NAME, db_key)
    default_blobs = data_dir / BLOBS_DIR_NAME
    blob_root = data_dir / blob_setting if blob_setting else default_blobs
    swap_blobs = blob_root.resolve() == default_blobs.resolve()
    if swap_blobs:
        for item in manifest.blob_files:
            _copy_checked(folder, item.path, item.sha256, staging / item.path)
    if sqlite_in_use(db_path):  # opened while the files were being staged
        raise DatabaseInUseError(str(db_path))
    previous = _previous_dir(data_dir, now)
    previous.mkdir(parents=True)
    for suffix in ("", *SQLITE_SIDE_FILES):
        current = db_path.with_name(db_path.name + suffix)
        if current.exists():
            current.replace(previous / current.name)
    if swap_blobs and default_blobs.exists():
        default_blobs.replace(previous / BLOBS_DIR_NAME)
    key_path = keystore.key_file_path(data_dir)
    if new_key and keys is not None:  # the backup's key replaces the folder's: keyring first, then the file
        keystore.install(keys)
        if key_path.exists():
            key_path.replace(previous / key_path.name)
        keystore.KeyFile.load(folder / KEY_FILE).save(key_path)
    elif manifest.encryption is None and key_path.is_file():
        with contextlib.suppress(MotCuaError):  # a plain backup: converted at the next opening
            plain_keys = keystore.unlock(data_dir)
            plain_keys.file.state = keystore.CONVERTING
            plain_keys.save()
    (staging / DB_FILE_NAME).replace(db_path)
    if swap_blobs:
        staged_blobs = staging / BLOBS_DIR_NAME
        if staged_blobs.exists():
            staged_blobs.replace(default_blobs)
        else:
            default_blobs.mkdir()
        count = len(manifest.blob_files)
    else:
        count = merge_blobs(folder, manifest, blob_root)
    fsync_dir(data_dir)
    if not any(previous.iterdir()):  # nothing was there before (a new data folder)
        previous.rmdir()
        return RestoreOutcome(None, count)
    return RestoreOutcome(previous, count)


def restore_postgres(folder: Path, manifest: Manifest, url: str, data_dir: Path, blob_root: Path,
                     now: datetime, secret: str | None = None) -> RestoreOutcome:
    """Replace the PostgreSQL database's content by a verified ``pg_dump`` backup (one transaction).
    Sealed blobs of a backup made under another key bring their key file (see restore_sqlite)."""
    with storage_errors():
        check_revision(manifest)
        keys, new_key = backup_keys(folder, manifest, data_dir, secret)
        check_trusted(folder, manifest, keys, data_dir)
        previous = _previous_dir(data_dir, now)
        previous.mkdir(parents=True)
        if new_key and keys is not None:
            keystore.install(keys)
            key_path = keystore.key_file_path(data_dir)
            if key_path.exists():
                key_path.replace(previous / key_path.name)
            keystore.KeyFile.load(folder / KEY_FILE).save(key_path)
        try:
            pg_dump(url, previous / "dump.sql")
        except BackupError:
            with contextlib.suppress(OSError):
                shutil.rmtree(previous)
            raise
        run_client("psql", ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                            f"--file={folder / manifest.database}"], url,
                   extra_env={"PGOPTIONS": f"-c lock_timeout={PG_LOCK_TIMEOUT}",
                              "PGCLIENTENCODING": "UTF8", "LC_ALL": os.environ.get("LC_ALL", "C.UTF-8")})
        count = merge_blobs(folder, manifest, blob_root)
    return RestoreOutcome(previous, count)
