"""The reference server's own SQLite store (``<data>/server.db``) and its file folders.

One connection per thread (uvicorn runs plain endpoints on a thread pool), WAL, write transactions
started with ``BEGIN IMMEDIATE``. Station tokens are kept only as SHA-256 hashes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS stations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, agency TEXT NOT NULL, name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS dossiers (
    ma_ho_so TEXT PRIMARY KEY, agency TEXT NOT NULL, station_id INTEGER NOT NULL, record TEXT NOT NULL,
    status INTEGER NOT NULL, province TEXT NOT NULL, version INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    station_id INTEGER NOT NULL, key TEXT NOT NULL, request_sha256 TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL, replays INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
    PRIMARY KEY (station_id, key));
CREATE TABLE IF NOT EXISTS status_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ma_ho_so TEXT NOT NULL, from_status INTEGER,
    to_status INTEGER NOT NULL, source TEXT NOT NULL, record TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, agency TEXT NOT NULL, ma_ho_so TEXT NOT NULL,
    record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, station_id INTEGER NOT NULL, key TEXT NOT NULL, ma_ho_so TEXT NOT NULL,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, info TEXT NOT NULL, received INTEGER NOT NULL,
    written_total INTEGER NOT NULL DEFAULT 0, starts TEXT NOT NULL DEFAULT '[]', state TEXT NOT NULL,
    created_at TEXT NOT NULL, completed_at TEXT, UNIQUE (station_id, key));
CREATE INDEX IF NOT EXISTS ix_uploads_state ON uploads (state);
CREATE TABLE IF NOT EXISTS files (
    ma_ho_so TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, info TEXT NOT NULL,
    upload_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (ma_ho_so, sha256));
CREATE TABLE IF NOT EXISTS catalogue (ma_tthc TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calendar (day TEXT PRIMARY KEY, year INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS online (
    ma_ho_so TEXT PRIMARY KEY, applicant TEXT NOT NULL, vneid INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL);
"""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


AGENCY_CODE = re.compile(r"[0-9A-Za-z.\-_]{1,64}")  # the schemas' Code


class Store:
    """The server's data folder: ``server.db``, ``uploads/`` (parts being received), ``files/``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir = self.data_dir / "uploads"
        self.files_dir = self.data_dir / "files"
        self.uploads_dir.mkdir(exist_ok=True)
        self.files_dir.mkdir(exist_ok=True)
        self.path = self.data_dir / "server.db"
        self._local = threading.local()
        self._conn().executescript(SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Columns added after the first release: an upload belongs to the agency (any token of the
        agency's stations resumes it), and ``touched_at`` says when bytes last arrived (expiry)."""
        conn = self._conn()
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(uploads)")}
        with self.write() as db:
            if "agency" not in columns:
                db.execute("ALTER TABLE uploads ADD COLUMN agency TEXT NOT NULL DEFAULT ''")
                db.execute(
                    "UPDATE uploads SET agency = coalesce("
                    "(SELECT agency FROM stations WHERE stations.id = uploads.station_id), '')"
                )
            if "touched_at" not in columns:
                db.execute("ALTER TABLE uploads ADD COLUMN touched_at TEXT")
                db.execute("UPDATE uploads SET touched_at = coalesce(completed_at, created_at)")
            db.execute("CREATE INDEX IF NOT EXISTS ix_uploads_agency_key ON uploads (agency, key)")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        yield self._conn()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- admin token and stations ----------------------------------------------------------------
    def admin_token(self) -> str:
        """The token of the admin endpoints, ``<data>/admin.token`` (created once, mode 0600)."""
        path = self.data_dir / "admin.token"
        if not path.exists():
            import os

            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def add_station(
        self, agency: str, name: str, now: datetime, expires_days: float | None = None
    ) -> tuple[int, str]:
        if not AGENCY_CODE.fullmatch(agency or ""):
            raise ValueError(f"invalid agency code {agency!r} (e.g. 000.00.22.H12)")
        token = secrets.token_urlsafe(32)
        expires = None if expires_days is None else (now + timedelta(days=expires_days)).isoformat()
        with self.write() as db:
            cur = db.execute(
                "INSERT INTO stations (agency, name, token_sha256, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (agency, name, token_hash(token), now.isoformat(), expires),
            )
        return int(cur.lastrowid or 0), token

    def revoke_station(self, station_id: int, now: datetime) -> bool:
        with self.write() as db:
            cur = db.execute(
                "UPDATE stations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now.isoformat(), station_id),
            )
        return cur.rowcount > 0

    def expire_station(self, station_id: int, at: datetime) -> None:
        with self.write() as db:
            db.execute("UPDATE stations SET expires_at = ? WHERE id = ?", (at.isoformat(), station_id))

    def station_by_token(self, token: str) -> sqlite3.Row | None:
        with self.read() as db:
            return db.execute(
                "SELECT * FROM stations WHERE token_sha256 = ?", (token_hash(token),)
            ).fetchone()

    # -- idempotency -----------------------------------------------------------------------------
    @staticmethod
    def recall(db: sqlite3.Connection, station_id: int, key: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM idempotency WHERE station_id = ? AND key = ?", (station_id, key)
        ).fetchone()

    @staticmethod
    def remember(
        db: sqlite3.Connection,
        station_id: int,
        key: str,
        request_sha256: str,
        status_code: int,
        body: dict[str, Any],
        now: datetime,
    ) -> None:
        db.execute(
            "INSERT INTO idempotency (station_id, key, request_sha256, status_code, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (station_id, key, request_sha256, status_code, dumps(body), now.isoformat()),
        )

    # -- changes made upstream -------------------------------------------------------------------
    @staticmethod
    def add_change(db: sqlite3.Connection, agency: str, ma_ho_so: str, record: dict[str, Any]) -> int:
        cur = db.execute(
            "INSERT INTO changes (agency, ma_ho_so, record) VALUES (?, ?, ?)", (agency, ma_ho_so, "{}")
        )
        seq = int(cur.lastrowid or 0)
        db.execute("UPDATE changes SET record = ? WHERE seq = ?", (dumps({**record, "Seq": seq}), seq))
        return seq

    def changes(self, agency: str, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        with self.read() as db:
            rows = db.execute(
                "SELECT seq, record FROM changes WHERE agency = ? AND seq > ? ORDER BY seq LIMIT ?",
                (agency, since, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = rows[-1]["seq"] if rows else since
        return [json.loads(r["record"]) for r in rows], cursor, more

    # -- catalogue and calendar ------------------------------------------------------------------
    def catalogue(self) -> tuple[list[dict[str, Any]], str]:
        with self.read() as db:
            rows = db.execute("SELECT record FROM catalogue ORDER BY ma_tthc").fetchall()
        records = [json.loads(r["record"]) for r in rows]
        return records, hashlib.sha256(dumps(records).encode()).hexdigest()[:16]

    def procedure_known(self, code: str) -> bool:
        """True when the catalogue has ``code``, or when no catalogue was loaded (accept all)."""
        with self.read() as db:
            if db.execute("SELECT 1 FROM catalogue WHERE ma_tthc = ?", (code,)).fetchone():
                return True
            return db.execute("SELECT 1 FROM catalogue LIMIT 1").fetchone() is None

    def set_catalogue(self, records: list[dict[str, Any]]) -> None:
        with self.write() as db:
            db.execute("DELETE FROM catalogue")
            db.executemany(
                "INSERT INTO catalogue (ma_tthc, record) VALUES (?, ?)",
                [(r["MaTTHC"], dumps(r)) for r in records],
            )

    def calendar(self, year: int) -> list[dict[str, Any]]:
        with self.read() as db:
            rows = db.execute("SELECT record FROM calendar WHERE year = ? ORDER BY day", (year,)).fetchall()
        return [json.loads(r["record"]) for r in rows]

    def set_calendar(self, year: int, days: list[dict[str, Any]]) -> None:
        with self.write() as db:
            db.execute("DELETE FROM calendar WHERE year = ?", (year,))
            db.executemany(
                "INSERT INTO calendar (day, year, record) VALUES (?, ?, ?)",
                [(d["Ngay"], year, dumps(d)) for d in days],
            )
