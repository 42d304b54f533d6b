"""One sync job at a time per database, across processes and stations.

PostgreSQL (several counters of an office on one database): a session-level advisory lock held on
a connection of its own for the whole run; the server drops it when that connection ends, so a
station killed mid-run never blocks the others. SQLite: an exclusive OS lock on a file beside the
database (``motcua.db.sync-lock``), released by the OS when the process ends, however it ends.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text

#: Key of the advisory lock (bigint): "MOTCUASY" in ASCII, stable across versions.
ADVISORY_KEY = 0x4D4F544355415359 & 0x7FFFFFFFFFFFFFFF
_MEMORY_LOCK = threading.Lock()  # in-memory SQLite: one process only


def _lock_file(handle: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class SyncLock:
    """``with SyncLock(db) as held:`` ``held`` is False when another job holds the lock."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._conn: Any = None
        self._file: IO[bytes] | None = None
        self._memory = False
        self.held = False

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.db.dialect == "postgresql":
            conn = self.db.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            self.held = got
        elif self.db.sqlite_path is not None:
            path = Path(f"{self.db.sqlite_path}.sync-lock")
            handle = open(path, "a+b")  # noqa: SIM115 - kept open while the lock is held
            if _lock_file(handle):
                self._file = handle
                self.held = True
            else:
                handle.close()
        else:
            self.held = self._memory = _MEMORY_LOCK.acquire(blocking=False)
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            self._file.close()  # closing the file releases the OS lock
            self._file = None
        if self._memory:
            _MEMORY_LOCK.release()
            self._memory = False
        self.held = False

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
