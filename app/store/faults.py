"""Storage faults (full disk, read-only folder, locked or damaged database) as clear errors.

The database drivers and the operating system report these as ``sqlite3.OperationalError``,
``psycopg`` errors or ``OSError`` with an errno; :func:`translate` turns them into
:class:`StorageError` subclasses whose Vietnamese message tells the officer what happened and that
nothing half-written was kept (every write is one transaction, every blob an atomic rename).
:func:`storage_errors` wraps a block: ``Database.session``, ``Database.open`` and the blob store's
writes use it, so a fault surfaces the same way from the CLI, the UI and the services.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.errors import MotCuaError

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26
# PostgreSQL SQLSTATEs.
_PG_DISK_FULL = {"53100"}
_PG_LOCKED = {"55P03", "40P01"}  # lock_not_available, deadlock_detected
_PG_READ_ONLY = {"25006"}
_PG_UNREACHABLE_PREFIX = "08"  # connection exceptions

NOTHING_SAVED_VI = "Thao tác vừa rồi chưa được lưu; dữ liệu đã lưu trước đó không bị ảnh hưởng."


class StorageError(MotCuaError):
    """The data folder or the database could not be written or read."""


class DiskFullError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the disk is full: {detail}",
                         "Ổ đĩa chứa dữ liệu đã hết dung lượng. " + NOTHING_SAVED_VI
                         + " Hãy giải phóng dung lượng ổ đĩa (hoặc báo quản trị viên) rồi thử lại.")


class ReadOnlyStorageError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the data folder is read-only: {detail}",
                         "Thư mục dữ liệu đang ở chế độ chỉ đọc hoặc không có quyền ghi. " + NOTHING_SAVED_VI
                         + " Hãy kiểm tra ổ đĩa (khóa chống ghi, quyền truy cập) hoặc báo quản trị viên.")


class DatabaseLockedError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the database is locked by another program: {detail}",
                         "Cơ sở dữ liệu đang bị khóa bởi một chương trình khác (sao lưu, công cụ quản trị "
                         "hoặc một phiên MotCua Desk khác). " + NOTHING_SAVED_VI
                         + " Hãy đợi ít phút rồi thử lại.")


class DatabaseCorruptError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the database file is damaged: {detail}",
                         "Tệp cơ sở dữ liệu bị hỏng. Hãy chạy “motcua verify” để kiểm tra và khôi phục "
                         "từ bản sao lưu gần nhất (“motcua restore”).")


class StorageUnavailableError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the data store cannot be reached: {detail}",
                         "Không mở được cơ sở dữ liệu hoặc thư mục dữ liệu (ổ đĩa bị rút ra, mạng tới máy "
                         "chủ bị ngắt hoặc không có quyền truy cập). " + NOTHING_SAVED_VI)


class StorageIOError(StorageError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"disk input/output error: {detail}",
                         "Lỗi đọc/ghi ổ đĩa. " + NOTHING_SAVED_VI
                         + " Hãy kiểm tra ổ đĩa rồi chạy “motcua verify”.")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                todo.append(linked)


def _from_os_error(exc: OSError) -> StorageError | None:
    detail = f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc.strerror or exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
        return DiskFullError(detail)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyStorageError(detail)
    if exc.errno == errno.EIO:
        return StorageIOError(detail)
    return None


def _sqlite_errors() -> tuple[type[BaseException], ...]:
    try:  # the SQLCipher build of the driver (encrypted databases) has its own exception classes
        import sqlcipher3.dbapi2 as sqlcipher
    except ImportError:  # pragma: no cover - a dependency
        return (sqlite3.Error,)
    return (sqlite3.Error, sqlcipher.Error)


_SQLITE_ERRORS = _sqlite_errors()


def _from_sqlite(exc: BaseException) -> StorageError | None:
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc)
    lowered = text.lower()
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _SQLITE_FULL or "database or disk is full" in lowered:
        return DiskFullError(text)
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly database" in lowered:
        return ReadOnlyStorageError(text)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in lowered:
        return DatabaseLockedError(text)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in lowered or "not a database" in lowered:
        return DatabaseCorruptError(text)
    if primary == _SQLITE_CANTOPEN or "unable to open database" in lowered:
        return StorageUnavailableError(text)
    if primary == _SQLITE_IOERR or "disk i/o error" in lowered:
        return StorageIOError(text)
    return None


def _from_postgres(exc: BaseException) -> StorageError | None:
    state = getattr(exc, "sqlstate", None)
    if not isinstance(state, str):
        return None
    text = str(exc).splitlines()[0] if str(exc) else state
    if state in _PG_DISK_FULL:
        return DiskFullError(text)
    if state in _PG_LOCKED:
        return DatabaseLockedError(text)
    if state in _PG_READ_ONLY:
        return ReadOnlyStorageError(text)
    if state.startswith(_PG_UNREACHABLE_PREFIX):
        return StorageUnavailableError(text)
    return None


def translate(exc: BaseException) -> StorageError | None:
    """The :class:`StorageError` an exception (or what it wraps) stands for; None when it is not a
    storage fault (a programming error stays unexpected)."""
    for current in _chain(exc):
        if isinstance(current, StorageError):
            return current
        found: StorageError | None = None
        if isinstance(current, _SQLITE_ERRORS):
            found = _from_sqlite(current)
        elif isinstance(current, OSError):
            found = _from_os_error(current)
        elif type(current).__module__.startswith("psycopg"):
            found = _from_postgres(current)
        if found is not None:
            return found
    return None


NEARLY_FULL_BYTES = 64 * 1024 * 1024


def nearly_full(path: Path) -> bool:
    """True when the file system of ``path`` (or its nearest existing parent) has almost no room."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def is_read_only(path: Path) -> bool:
    """True when ``path`` (or its nearest existing parent) cannot be written: a read-only file
    system, or a folder without write permission for this user."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        if hasattr(os, "statvfs") and os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(path, os.W_OK)


@contextmanager
def storage_errors(folder: Path | None = None) -> Iterator[None]:
    """Re-raise storage faults in the block as :class:`StorageError` (the original as the cause).

    ``folder``: the data folder; SQLite reports a read-only folder as "unable to open database
    file", which is told apart from a missing drive by looking at the folder.
    """
    try:
        yield
    except MotCuaError:
        raise
    except Exception as exc:
        translated = translate(exc)
        if translated is None:
            raise
        if isinstance(translated, StorageUnavailableError) and folder is not None and is_read_only(folder):
            translated = ReadOnlyStorageError(translated.message_en.split(": ", 1)[-1])
        if isinstance(translated, StorageIOError) and folder is not None and nearly_full(folder):
            # SQLite reports a write that ran out of space as a plain I/O error
            translated = DiskFullError(translated.message_en.split(": ", 1)[-1])
        raise translated from exc
