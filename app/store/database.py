"""Opening the database (SQLite file by default, PostgreSQL by URL) and its sessions.

A SQLite file is encrypted with SQLCipher (``sqlcipher3`` as the DB-API module of SQLAlchemy's
SQLite dialect; ``PRAGMA key`` with a raw 256-bit key derived from the data folder's data key,
:mod:`app.store.keys`) before anything else runs on a connection. A new data folder gets a new key;
a plain (older) database is converted once when it is opened: exported with ``sqlcipher_export``
into ``motcua.db.encrypting``, checked, swapped in, and the plain file overwritten and deleted
(see :func:`encrypt_plain_file`); the blobs are then sealed (:meth:`BlobStore.seal_all`).
In-memory databases are not encrypted (nothing reaches the disk); PostgreSQL relies on the
server's disk encryption and TLS, its blobs are sealed like SQLite's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.core.errors import ValidationError
from app.core.fileio import fsync_dir
from app.core.sealing import PLAIN, Sealer
from app.store import keys as keystore
from app.store import migrate as migrations
from app.store.blobs import BlobStore
from app.store.faults import DatabaseCorruptError, storage_errors
from app.store.models import SettingRow
from app.store.paths import (
    BACKUPS_DIR_NAME,
    BLOBS_DIR_NAME,
    DB_FILE_NAME,
    default_data_dir,
    keep_private,
    make_private_dir,
)
from app.store.sealer import SpoolSealer, seal_spools

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


SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPTING_SUFFIX = ".encrypting"
PLAIN_SUFFIX = ".plain"


def apply_key(connection: Any, key: str | None) -> None:
    """Key a fresh ``sqlcipher3`` connection (before anything reads the file); None: a plain file."""
    connection.execute("PRAGMA cipher_log_level = NONE")  # wrong keys are reported, not logged
    if key is not None:
        connection.execute(f'PRAGMA key = "{key}"')


def connect_sqlite(path: Path | str, key: str | None, **kwargs: Any) -> Any:
    """A DB-API (``sqlcipher3``) connection to a SQLite file, keyed with ``key`` (a
    :func:`app.store.crypto.sqlcipher_key` value; None for a plain file)."""
    conn = sqlcipher.connect(str(path), **kwargs)
    try:
        apply_key(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_file(db_path: Path | str, **kwargs: Any) -> Any:
    """A keyed connection to the database file of a data folder (its key file beside it): for
    tools, tests and benchmarks that need the raw file."""
    db_path = Path(db_path)
    key_path = keystore.key_file_path(db_path.parent)
    key = keystore.unlock(db_path.parent).sqlcipher_keys()[0] if key_path.is_file() else None
    return connect_sqlite(db_path, key, **kwargs)


def is_plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def key_works(path: Path, key: str | None) -> bool:
    conn = connect_sqlite(path, key, timeout=busy_timeout_ms() / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            return False
        raise
    finally:
        conn.close()


def shred(path: Path) -> None:
    """Overwrite a file with zeros, flush it and delete it (best effort: SSDs and copy-on-write file
    systems may keep old blocks; see docs/security.md)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as f:
            block = b"\0" * (1024 * 1024)
            left = size
            while left > 0:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
            f.flush()
            os.fsync(f.fileno())
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)


def encrypt_plain_file(path: Path, key: str) -> bool:
    """Convert a plain SQLite file to SQLCipher in place (crash-safe); False if it was not plain.

    ``sqlcipher_export`` copies schema, data and ``user_version`` into ``<path>.encrypting``; the
    copy is checked, the plain file renamed to ``<path>.plain``, the copy renamed over ``path``,
    then the plain file and its -wal/-shm are overwritten and deleted. A crash leaves either the
    plain file (converted again next time) or the encrypted one (the leftovers removed next time).
    """
    path = Path(path)
    partial = path.with_name(path.name + ENCRYPTING_SUFFIX)
    old = path.with_name(path.name + PLAIN_SUFFIX)
    if not path.exists() and old.exists():  # stopped between the two renames
        if partial.exists() and key_works(partial, key):
            partial.replace(path)
        else:
            old.replace(path)
    if not is_plain_sqlite(path):
        for leftover in (old, partial):
            if leftover.exists() and leftover != path:
                shred(leftover)
        return False
    partial.unlink(missing_ok=True)
    plain = connect_sqlite(path, None, isolation_level=None, timeout=busy_timeout_ms() / 1000)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{key}\"", (str(partial),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    check = connect_sqlite(partial, key, isolation_level=None)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise keystore.DataKeyError(f"the encrypted copy of {path} fails its check: {result}",
                                    "Không mã hóa được cơ sở dữ liệu (bản mã hóa bị lỗi); dữ liệu cũ vẫn "
                                    "giữ nguyên.")
    with open(partial, "rb+") as f:
        os.fsync(f.fileno())
    path.replace(old)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(old.with_name(old.name + suffix))
    partial.replace(path)
    fsync_dir(path.parent)
    for leftover in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
        shred(leftover)
    log.info("converted %s to SQLCipher", path.name)
    return True


def _sqlite_engine(url: URL, key: str | None = None) -> Engine:
    if _is_memory(url):  # one shared connection, or every session would see another empty database
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False},
                               hide_parameters=True, module=sqlcipher)
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
        # hide_parameters: error messages (and so logs) never carry applicants' data.
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms() / 1000}, hide_parameters=True,
                               module=sqlcipher)
    busy = busy_timeout_ms()

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        apply_key(dbapi_connection, key)  # first: nothing may read the file before the key is set
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


def _folder_keys(data_dir: Path, db_path: Path | None) -> tuple[keystore.DataKeys, bool]:
    """The unlocked keys of ``data_dir`` (created for a new folder or one written before encryption
    at rest) and whether the folder still has plain content to convert."""
    if keystore.key_file_path(data_dir).is_file():
        keys = keystore.unlock(data_dir)
        plain_db = db_path is not None and is_plain_sqlite(db_path)
        return keys, keys.file.state == keystore.CONVERTING or plain_db
    has_file = db_path is not None and db_path.exists() and db_path.stat().st_size > 0
    if has_file and not is_plain_sqlite(db_path):  # type: ignore[arg-type]
        # Damaged, or encrypted with its key file lost: either way it cannot be opened here.
        raise DatabaseCorruptError(f"{db_path.name} is not a plain SQLite file and {data_dir} has no "
                                   f"{keystore.KEY_FILE_NAME} (damaged, or encrypted and its key file lost)")
    legacy = (db_path is not None and is_plain_sqlite(db_path)) or any(
        (data_dir / BLOBS_DIR_NAME).glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"))
    keys = keystore.create_keys(data_dir, state=keystore.CONVERTING if legacy else keystore.READY)
    return keys, legacy


def _sqlite_key_for(db_path: Path, keys: keystore.DataKeys) -> str:
    """The key that opens ``db_path``, converting a plain file first; raises a clear error when no
    key of the folder opens it (nothing is changed then)."""
    candidates = keys.sqlcipher_keys()
    if not candidates:
        raise keystore.wrong_key(db_path)
    encrypt_plain_file(db_path, candidates[0])
    if not db_path.exists() or db_path.stat().st_size == 0:
        return candidates[0]
    for key in candidates:
        if key_works(db_path, key):
            return key
    raise keystore.wrong_key(db_path)


class Database:
    """The store of one office (SQLite) or of a shared server (PostgreSQL)."""

    def __init__(self, engine: Engine, data_dir: Path, keys: keystore.DataKeys | None = None,
                 sqlite_key: str | None = None) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.url = engine.url.render_as_string(hide_password=False)
        self.dialect: str = engine.dialect.name
        self.sqlite_path: Path | None = (
            Path(engine.url.database) if self.dialect == "sqlite" and not _is_memory(engine.url) else None
        )
        #: The unlocked keys of the data folder (None only for a Database built by hand).
        self.keys = keys
        #: The ``PRAGMA key`` value of the SQLite file (None: in memory, PostgreSQL, or not encrypted).
        self.sqlite_key = sqlite_key
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.blobs = BlobStore(data_dir / BLOBS_DIR_NAME, keys)

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
            make_private_dir(data_dir)
            parsed = URL.create("sqlite", database=str(data_dir / DB_FILE_NAME))
        else:
            parsed = _normalise_url(url)
            if data_dir is None:
                is_file = parsed.get_backend_name() == "sqlite" and not _is_memory(parsed)
                data_dir = Path(parsed.database).resolve().parent if is_file else default_data_dir()  # type: ignore[arg-type]
            data_dir = Path(data_dir)
        is_file = parsed.get_backend_name() == "sqlite" and not _is_memory(parsed)
        db_path = Path(parsed.database) if is_file else None  # type: ignore[arg-type]
        # The key file lives beside a SQLite file (several data folders may share one file);
        # with PostgreSQL, in the data folder (it keys the blobs).
        keys, converting = _folder_keys(db_path.parent if db_path is not None else data_dir, db_path)
        sqlite_key = None
        if db_path is not None:
            sqlite_key = _sqlite_key_for(db_path, keys)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, sqlite_key)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
        db = cls(engine, data_dir, keys, sqlite_key)
        try:
            if migrate:
                db.migrate()
            db.blobs = BlobStore(db._blob_root(), keys)
            if converting:
                db.finish_conversion()
        except BaseException:
            engine.dispose()
            raise
        if db_path is not None:
            keep_private(db_path)
        return db

    def finish_conversion(self) -> None:
        """Seal every plain blob (and the plain copies kept in ``backups/``), then mark the data
        folder converted. Runs once after a plain data folder is first opened; resumable."""
        assert self.keys is not None
        sealed = self.blobs.seal_all()
        backups = self.data_dir / BACKUPS_DIR_NAME
        if backups.is_dir() and self.sqlite_key is not None:
            for old in sorted(backups.rglob("*.db")):
                if is_plain_sqlite(old):
                    encrypt_plain_file(old, self.sqlite_key)
            for tree in sorted(backups.glob(f"*/{BLOBS_DIR_NAME}")):
                sealed += BlobStore(tree, self.keys).seal_all()
        spooled = seal_spools(self.data_dir, self.keys)  # pages a scan left in the spools
        self.keys.file.state = keystore.READY
        self.keys.save()
        log.info("data folder encrypted at rest (%d blobs, %d spool files sealed)", sealed, spooled)

    def spool_sealer(self) -> Sealer:
        """What seals the scan spools of the data folder (:mod:`app.store.sealer`); plain only for a
        Database built by hand without keys."""
        return SpoolSealer(self.keys) if self.keys is not None else PLAIN

    # -- schema ----------------------------------------------------------------------------------
    def migrate(self) -> bool:
        """Bring the schema to the newest revision (backing up a SQLite file first); True if it ran."""
        return migrations.upgrade(self.engine, sqlite_path=self.sqlite_path,
                                  backups_dir=self.data_dir / BACKUPS_DIR_NAME, sqlite_key=self.sqlite_key)

    def raw_connection(self, **kwargs: Any) -> Any:
        """A DB-API connection of its own to the SQLite file, already keyed (backup API, checks)."""
        if self.sqlite_path is None:
            raise ValueError("not a SQLite file")
        return connect_sqlite(self.sqlite_path, self.sqlite_key, **kwargs)

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
