"""The warehouse table and its search index: SQLite (FTS5 + triggers) and PostgreSQL (GIN tsvector)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, update

from app.core.warehouse import SourceKind, Validity
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.admin.setup import init
from app.services.context import AppContext
from app.services.warehouse import records as warehouse
from app.store.database import Database
from app.store.models_warehouse import WarehouseRecordRow
from app.store.repositories import WarehouseRepository
from tests.warehouse.conftest import BIRTH_CERT, CCCD, INIT_AT, REBIRTH, TODAY, birth_cert, make_pdf


def _add(session, label: str, **changes: object):  # type: ignore[no-untyped-def]
    return WarehouseRepository(session).add(
        birth_cert(type_name="Giấy khai sinh", **changes), sha256=label * 64, size=10, pages=1,
        media_type="application/pdf", source_kind=SourceKind.BATCH, source_ref="batch-1", created_by="mai")


def test_sqlite_index_follows_inserts_updates_and_deletes(ctx):
    assert "warehouse_fts" in inspect(ctx.db.engine).get_table_names()
    with ctx.session(write=True) as s:
        a = _add(s, "a")
        _add(s, "b", owner_name="Lê Văn Tám", owner_id_number="001090000001", owner_old_id_number="")
    with ctx.session() as s:
        repo = WarehouseRepository(s)
        assert [r.record_id for r in repo.search(text="nguyen thu")] == [a.record_id]
        assert len(repo.search(text="giay khai sinh")) == 2
        assert [r.metadata.owner_name for r in repo.search(text="tam")] == ["Lê Văn Tám"]
        assert repo.by_source("batch-1")[0].source_kind is SourceKind.BATCH
    with ctx.session(write=True) as s:
        s.execute(update(WarehouseRecordRow).where(WarehouseRecordRow.id == a.id)
                  .values(search_text="tran van c"))
        s.execute(delete(WarehouseRecordRow).where(WarehouseRecordRow.owner_name == "Lê Văn Tám"))
    with ctx.session() as s:
        repo = WarehouseRepository(s)
        assert repo.search(text="nguyen") == [] and repo.search(text="tam") == []
        assert [r.record_id for r in repo.search(text="tran")] == [a.record_id]


def test_validity_filter(ctx):
    with ctx.session(write=True) as s:
        _add(s, "a")
        _add(s, "b", number="2", validity=Validity.EXPIRED)
        _add(s, "c", number="3", validity=Validity.UNTIL, valid_until=date(2025, 3, 18))
    with ctx.session() as s:
        repo = WarehouseRepository(s)
        assert {r.metadata.number for r in repo.search(owner_ids=[CCCD], valid_on=TODAY)} == {"12", "3"}
        later = repo.search(owner_ids=[CCCD], valid_on=date(2025, 3, 19))
        assert {r.metadata.number for r in later} == {"12"}
        assert len(repo.search(owner_ids=[CCCD])) == 3


@pytest.mark.postgres
def test_postgresql_add_search_and_reuse(pg_databases, warehouse_catalogue: Path, tmp_path: Path):
    name = pg_databases.take()
    db = Database.open(pg_databases.server.url(name), tmp_path / "data")
    try:
        with db.engine.connect() as conn:
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("warehouse_records")}
        assert "ix_warehouse_records_search_tsv" in indexes
        ctx = AppContext(db, db.data_dir)
        init(ctx, now=INIT_AT, catalogue_path=warehouse_catalogue)
        first = warehouse.add_result(ctx, birth_cert(), SYSTEM_OFFICER, pdf_bytes=make_pdf("pg"), today=TODAY)
        with pytest.raises(warehouse.DuplicateRecordError):
            warehouse.add_result(ctx, birth_cert(), SYSTEM_OFFICER, pdf_bytes=make_pdf("pg2"), today=TODAY)
        assert [r.record_id for r in warehouse.search(ctx, SYSTEM_OFFICER, text="NGUYEN thi ha giay")] == \
            [first.record_id]
        assert warehouse.search(ctx, SYSTEM_OFFICER, text="nguyen van") == []
        by_owner = warehouse.search(ctx, SYSTEM_OFFICER, owner_id=CCCD)
        assert [r.record_id for r in by_owner] == [first.record_id]
        offers = warehouse.reuse_candidates(ctx, REBIRTH, [CCCD], today=TODAY)
        assert [o.best.metadata.type_code for o in offers] == [BIRTH_CERT]
    finally:
        db.close()
        pg_databases.drop(name)
