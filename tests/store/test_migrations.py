"""Schema migrations: from empty to head, models == head, backups before migrating old files."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.store import migrate
from app.store.database import Database, connect_sqlite
from app.store.models import Base, include_name
from app.store.paths import default_data_dir

EXPECTED_TABLES = {"procedures", "dossiers", "dossier_status_history", "calendar_overrides", "settings",
                   "code_counters", "blobs", "alembic_version"}


def test_migrated_from_empty_to_head(db: Database) -> None:
    assert db.current_revision() == migrate.head_revision() and db.is_current()
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert tables >= EXPECTED_TABLES
        if db.dialect == "sqlite":
            assert {"dossier_fts", "dossier_fts_pause"} <= tables
            triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
            assert {"dossiers_fts_insert", "dossiers_fts_update", "dossiers_fts_delete"} <= set(triggers)
        else:
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("dossiers")}
            assert "ix_dossiers_search_tsv" in indexes


def test_models_match_the_head_revision(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    with Database.open(data_dir=tmp_path) as db, db.engine.connect() as conn:
        values = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                  for p in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": 1}


def test_downgrade_to_base_and_up_again(db: Database) -> None:
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert db.migrate() is True
    assert db.migrate() is False
    assert db.is_current()


def _backups(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "backups").glob("motcua-*-pre-migration.db"))


def test_new_or_current_database_is_not_backed_up(tmp_path: Path) -> None:
    Database.open(data_dir=tmp_path).close()
    Database.open(data_dir=tmp_path).close()
    assert _backups(tmp_path) == []


def test_old_sqlite_file_is_backed_up_before_migrating(tmp_path: Path) -> None:
    db = Database.open(data_dir=tmp_path)
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "base")  # an installation "at base"
        conn.execute(text("CREATE TABLE old_notes (note TEXT)"))
        conn.execute(text("INSERT INTO old_notes VALUES ('Ghi chú của bản cũ')"))
    db.close()

    db = Database.open(data_dir=tmp_path)
    try:
        assert db.is_current()
        backups = _backups(tmp_path)
        assert len(backups) == 1
        copy = connect_sqlite(backups[0], db.sqlite_key)  # encrypted with the same key
        try:
            assert copy.execute("SELECT note FROM old_notes").fetchall() == [("Ghi chú của bản cũ",)]
            assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            copy.close()
    finally:
        db.close()
    assert not list((tmp_path / "backups").glob("*.part"))


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    """GIVEN a data folder upgraded by a newer MotCua Desk (a schema revision this one does not know)
    WHEN this version opens it THEN it refuses with a clear Vietnamese message, backs nothing up and
    leaves the revision as it was (a downgrade would lose the newer data)."""
    db = Database.open(data_dir=tmp_path)
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.close()
    with pytest.raises(migrate.MigrationError) as caught:
        Database.open(data_dir=tmp_path)
    assert "phiên bản MotCua Desk mới hơn" in caught.value.message_vi
    assert "9999_from_the_future" in caught.value.message_vi and "downgrade is refused" in str(caught.value)
    assert _backups(tmp_path) == []
    db = Database.open(data_dir=tmp_path, migrate=False)
    try:
        assert db.current_revision() == "9999_from_the_future"
    finally:
        db.close()


def test_open_without_migrating(tmp_path: Path) -> None:
    db = Database.open(data_dir=tmp_path, migrate=False)
    try:
        assert db.current_revision() is None and not db.is_current()
        assert db.blobs.root == tmp_path / "blobs"
    finally:
        db.close()


def test_sqlite_url_and_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        assert db.dialect == "sqlite" and db.data_dir == tmp_path and db.sqlite_path == tmp_path / "other.db"
    finally:
        db.close()
    memory = Database.open("sqlite://", tmp_path / "mem")
    try:
        assert memory.sqlite_path is None and memory.is_current()
        with memory.session() as s:
            s.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))
        with memory.session() as s:  # every session sees the same in-memory database
            assert s.execute(text("SELECT value FROM settings")).scalar() == "v"
    finally:
        memory.close()
    nested = Database.open(f"sqlite:///{tmp_path / 'new' / 'folder' / 'x.db'}")
    nested.close()
    assert (tmp_path / "new" / "folder" / "x.db").is_file()
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "from-env"))
    assert default_data_dir() == tmp_path / "from-env"
    monkeypatch.delenv("MOTCUA_DATA_DIR")
    assert default_data_dir().name == "MotCuaDesk"


@pytest.mark.postgres
def test_postgresql_url_without_driver(pg_url: str, tmp_path: Path) -> None:
    db = Database.open(pg_url.replace("postgresql+psycopg://", "postgresql://"), tmp_path, migrate=False)
    try:
        assert db.dialect == "postgresql" and db.url.startswith("postgresql+psycopg://")
        assert db.data_dir == tmp_path
        with db.session() as s:
            assert s.execute(text("SELECT 'Tiếng Việt'")).scalar() == "Tiếng Việt"
    finally:
        db.close()


def test_migrations_ship_as_package_data() -> None:
    folder = migrate.MIGRATIONS_DIR
    assert (folder / "env.py").is_file() and (folder / "script.py.mako").is_file()
    assert (folder / "__init__.py").is_file() and (folder / "versions" / "__init__.py").is_file()
    assert list((folder / "versions").glob("0001_*.py"))


def test_0006_adds_the_warehouse_link_to_existing_batch_documents(db: Database) -> None:
    """Documents of a batch scanned before 0006 keep their rows and are simply not recorded yet."""
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0005")
        conn.execute(text("INSERT INTO batches (id, name, source, profile, officer, state, source_done, "
                          "active_seconds, error, created_at, updated_at) VALUES (1, 'old', 'folder:/x', "
                          "'default', 'cli', 'done', :t, 1.0, '', :now, :now)"),
                     {"t": True, "now": "2026-12-01 08:00:00"})
        conn.execute(text("INSERT INTO batch_documents (batch_id, number, pages, flags, sha256, size, "
                          "created_at) VALUES (1, 0, '[0, 1]', '{}', :sha, 10, :now)"),
                     {"sha": "ab" * 32, "now": "2026-12-01 08:00:00"})
    assert db.migrate() is True and db.is_current()
    with db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("batch_documents")}
        assert {"warehouse_record", "reviewed_by", "reviewed_at"} <= columns
        row = conn.execute(text("SELECT sha256, warehouse_record, reviewed_by FROM batch_documents")).one()
        assert tuple(row) == ("ab" * 32, None, None)
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0005")
    with db.engine.connect() as conn:
        assert "warehouse_record" not in {c["name"] for c in inspect(conn).get_columns("batch_documents")}
        assert conn.execute(text("SELECT count(*) FROM batch_documents")).scalar() == 1
    assert db.migrate() is True


def test_0007_adds_set_aside_to_existing_batch_documents(db: Database) -> None:
    """Documents recorded or waiting before 0007 keep their rows and are simply not set aside."""
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0006")
        conn.execute(text("INSERT INTO batches (id, name, source, profile, officer, state, source_done, "
                          "active_seconds, error, created_at, updated_at) VALUES (1, 'old', 'folder:/x', "
                          "'default', 'cli', 'done', :t, 1.0, '', :now, :now)"),
                     {"t": True, "now": "2026-12-01 08:00:00"})
        conn.execute(text("INSERT INTO batch_documents (batch_id, number, pages, flags, sha256, size, "
                          "created_at, warehouse_record) "
                          "VALUES (1, 0, '[0, 1]', '{}', :sha, 10, :now, 'R1')"),
                     {"sha": "ab" * 32, "now": "2026-12-01 08:00:00"})
    assert db.migrate() is True and db.is_current()
    with db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("batch_documents")}
        assert {"set_aside_reason", "set_aside_by", "set_aside_at"} <= columns
        row = conn.execute(text("SELECT warehouse_record, set_aside_reason, set_aside_by, set_aside_at "
                                "FROM batch_documents")).one()
        assert tuple(row) == ("R1", None, None, None)
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0006")
    with db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("batch_documents")}
        assert "set_aside_reason" not in columns and "warehouse_record" in columns
        assert conn.execute(text("SELECT warehouse_record FROM batch_documents")).scalar() == "R1"
    assert db.migrate() is True and db.is_current()
