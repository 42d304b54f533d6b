"""Schema migrations run from code (Alembic, no ``alembic.ini`` on disk) and the backup made first."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from app.core.clock import vn_now
from app.core.errors import MotCuaError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


class MigrationError(MotCuaError):
    """The database could not be brought to the current schema."""


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the store has no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(db_path: Path, backups_dir: Path, reason: str = "pre-migration", *,
                  key: str | None = None) -> Path:
    """Copy a live SQLite database with the backup API (consistent even with a WAL and readers).

    The copy is ``<backups_dir>/motcua-<yyyymmdd-HHMMSS>-<reason>.db``, written under a temporary
    name first so that a half-written backup never looks like a good one. An encrypted database
    (``key``) is copied encrypted with the same key.
    """
    from app.store.database import connect_sqlite

    backups_dir.mkdir(parents=True, exist_ok=True)
    now = vn_now()
    target = backups_dir / f"motcua-{now:%Y%m%d-%H%M%S}-{reason}.db"
    if target.exists():
        target = backups_dir / f"motcua-{now:%Y%m%d-%H%M%S-%f}-{reason}.db"
    partial = target.with_name(target.name + ".part")
    src = connect_sqlite(db_path, key)
    try:
        dst = connect_sqlite(partial, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    log.info("backed up %s to %s", db_path, target)
    return target


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown or malformed revisions
        return False


def newer_schema_error(revision: str) -> MigrationError:
    """The database was made by a newer MotCua Desk: this one must not touch it (no downgrade)."""
    from app import __version__

    return MigrationError(
        f"the database has schema {revision}, made by a newer MotCua Desk than {__version__}; "
        "install that version or a newer one (a downgrade is refused)",
        f"Cơ sở dữ liệu này do một phiên bản MotCua Desk mới hơn tạo (lược đồ {revision}); phiên bản "
        f"{__version__} đang chạy không mở được để tránh làm hỏng dữ liệu. Hãy cài phiên bản mới hơn "
        "(không hạ cấp phần mềm trên dữ liệu đã nâng cấp).")


def upgrade(engine: Engine, *, sqlite_path: Path | None, backups_dir: Path, target: str = "head",
            sqlite_key: str | None = None) -> bool:
    """Bring the database to ``target``; returns whether any migration ran.

    A SQLite file that already holds data is backed up first. On SQLite foreign keys are switched
    off during the migration (batch mode re-creates tables) and checked afterwards.
    """
    wanted = head_revision() if target == "head" else target
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(inspect(conn).get_table_names())
        conn.rollback()
        if current == wanted:
            return False
        if current is not None and not _known(current):
            raise newer_schema_error(current)
        if sqlite_path is not None and (current is not None or has_tables):
            backup_sqlite(sqlite_path, backups_dir, key=sqlite_key)
        log.info("migrating database from %s to %s", current or "empty", wanted)
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():  # one transaction for all revisions (SQLite DDL is transactional)
                command.upgrade(alembic_config(conn), target)
            if raw is not None:
                problems = raw.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise MigrationError(f"foreign key violations after migration: {problems[:5]}",
                                         "Cơ sở dữ liệu có liên kết hỏng sau khi nâng cấp; "
                                         "hãy khôi phục bản sao lưu.")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
    return True
