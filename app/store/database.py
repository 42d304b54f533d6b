"""Opening the database (SQLite file by default, PostgreSQL by URL) and its sessions."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.core.errors import ValidationError
from app.store import migrate as migrations
from app.store.blobs import BlobStore
from app.store.faults import storage_errors
from app.store.models import SettingRow
from app.store.paths import BACKUPS_DIR_NAME, BLOBS_DIR_NAME, DB_FILE_NAME, default_data_dir

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                  # A bulk load grows the WAL to the size of the data; shrink it back after checkpoints.
                  "journal_size_limit=67108864")
#: Settings key of the blob store folder (absolute path); default ``<data_dir>/blobs``.
BLOB_ROOT_SETTING = "blob_root"
_IMMEDIATE = "motcua_sqlite_immediate"
#: How long a SQLite write waits for another program's lock before "database is locked" (ms);
#: ``$MOTCUA_DB_BUSY_TIMEOUT_MS`` overrides it (the fault tests use a short one).
BUSY_TIMEOUT_MS = 10_000
ENV_BUSY_TIMEOUT = "MOTCUA_DB_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    value = os.environ.get(ENV_BUSY_TIMEOUT, "").strip()
    return int(value) if value.isdigit() else BUSY_TIMEOUT_MS


def _normalise_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}",
                              "Chỉ hỗ trợ cơ sở dữ liệu SQLite hoặc PostgreSQL.", field="url")
    return parsed


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _sqlite_engine(url: URL) -> Engine:
    if _is_memory(url):  # one shared connection, or every session would see another empty database
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False},
                               hide_parameters=True)
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
        # hide_parameters: error messages (and so logs) never carry applicants' data.
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms() / 1000}, hide_parameters=True)
    busy = busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly below (pysqlite's own BEGIN handling is unreliable).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy}")
        for pragma in SQLITE_PRAGMAS:
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The store of one office (SQLite) or of a shared server (PostgreSQL)."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.url = engine.url.render_as_string(hide_password=False)
        self.dialect: str = engine.dialect.name
        self.sqlite_path: Path | None = (
            Path(engine.url.database) if self.dialect == "sqlite" and not _is_memory(engine.url) else None
        )
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.blobs = BlobStore(data_dir / BLOBS_DIR_NAME)

    @classmethod
    def open(cls, url: str | None = None, data_dir: Path | None = None, *, migrate: bool = True) -> Database:
        """Open (and by default migrate) a database.

        ``url`` None means the SQLite file ``<data_dir>/motcua.db``; ``data_dir`` None means
        :func:`default_data_dir` (for a SQLite URL: the folder of the file).
        """
        with storage_errors(Path(data_dir) if data_dir is not None else None):
            return cls._open(url, data_dir, migrate=migrate)

    @classmethod
    def _open(cls, url: str | None, data_dir: Path | None, *, migrate: bool) -> Database:
        if url is None:
            data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
            data_dir.mkdir(parents=True, exist_ok=True)
            parsed = URL.create("sqlite", database=str(data_dir / DB_FILE_NAME))
        else:
            parsed = _normalise_url(url)
            if data_dir is None:
                is_file = parsed.get_backend_name() == "sqlite" and not _is_memory(parsed)
                data_dir = Path(parsed.database).resolve().parent if is_file else default_data_dir()  # type: ignore[arg-type]
            data_dir = Path(data_dir)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
        db = cls(engine, data_dir)
        try:
            if migrate:
                db.migrate()
            db.blobs = BlobStore(db._blob_root())
        except BaseException:
            engine.dispose()
            raise
        return db

    # -- schema ----------------------------------------------------------------------------------
    def migrate(self) -> bool:
        """Bring the schema to the newest revision (backing up a SQLite file first); True if it ran."""
        return migrations.upgrade(self.engine, sqlite_path=self.sqlite_path,
                                  backups_dir=self.data_dir / BACKUPS_DIR_NAME)

    def current_revision(self) -> str | None:
        return migrations.current_revision(self.engine)

    def is_current(self) -> bool:
        return self.current_revision() == migrations.head_revision()

    def _blob_root(self) -> Path:
        default = self.data_dir / BLOBS_DIR_NAME
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(SettingRow.__tablename__):
                return default
            value = conn.execute(select(SettingRow.value).where(SettingRow.key == BLOB_ROOT_SETTING)).scalar()
        return self.data_dir / value if value else default  # a relative path is inside data_dir

    # -- sessions --------------------------------------------------------------------------------
    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends normally, rolled back on an exception.

        ``write=True`` starts SQLite transactions with ``BEGIN IMMEDIATE`` (takes the write lock
        up front, so a read-then-write transaction never fails with "database is locked" when
        another process writes at the same time); it changes nothing on PostgreSQL.
        """
        session = self._sessions()
        try:
            # A full disk, a lock, a read-only folder: a clear StorageError.
            with storage_errors(self.data_dir if self.sqlite_path is not None else None):
                try:
                    if write and self.dialect == "sqlite":
                        session.connection(execution_options={_IMMEDIATE: True})
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"
