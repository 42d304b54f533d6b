"""An initialised :class:`AppContext` over the ``db`` fixture: SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.core.catalogue import default_catalogue_path
from app.services.admin.setup import init
from app.services.context import AppContext
from app.store.database import Database

INIT_AT = datetime(2025, 1, 2, 8, 0)
#: The procedures these tests use (loading only them keeps each test's init fast).
PROCEDURES = ("1.001193", "1.004222")


@pytest.fixture(scope="session")
def small_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    data["procedures"] = [p for p in data["procedures"] if p["code"] in PROCEDURES]
    assert len(data["procedures"]) == len(PROCEDURES)
    path = tmp_path_factory.mktemp("catalogue") / "procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def app_ctx(db: Database, small_catalogue: Path) -> Iterator[AppContext]:
    """Catalogue loaded and settings seeded; the ``db`` fixture closes the database."""
    ctx = AppContext(db, db.data_dir)
    init(ctx, now=INIT_AT, catalogue_path=small_catalogue)
    yield ctx
