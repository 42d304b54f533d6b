"""`init --demo` with the whole packaged catalogue, on both databases (SQLite file, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from app.core.catalogue import load_catalogue
from app.services.admin.setup import init
from app.services.context import AppContext
from app.services.reception import dossiers
from app.store.database import Database

NOW = datetime(2026, 11, 20, 16, 30)


def test_full_catalogue_and_demo_load_and_search(db: Database) -> None:
    """GIVEN an empty database WHEN the demo is initialised twice THEN every catalogue procedure
    (long texts included) is stored once, 300 demo dossiers exist and "nguyen" finds Nguyễn."""
    ctx = AppContext(db, db.data_dir)
    first = init(ctx, demo=True, now=NOW)
    second = init(ctx, demo=True, now=NOW)
    assert first.procedures == len(load_catalogue()) >= 25
    assert first.demo_added == 300 and second.demo_added == 0
    assert dossiers.count_dossiers(ctx) == 300
    found = dossiers.list_dossiers(ctx, "nguyen", limit=20)
    assert found and all("nguyen" in s.applicant_name.lower().replace("ễ", "e") for s in found)
