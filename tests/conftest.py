"""Fixtures shared by the whole suite.

* ``pg_url``: a real throwaway PostgreSQL server for the session (``tests/pg_server.py``). Missing
  server binaries FAIL the tests that need it, unless ``MOTCUA_TEST_NO_PG=1`` skips them.
* ``db``: a fresh, migrated :class:`app.store.database.Database`, parametrized over SQLite (a real
  file under ``tmp_path``) and PostgreSQL (a new database copied from a migrated template).
* Every pytest-qt wait's ``timeout`` is multiplied by ``tests.timing.SCALE`` (generous, scaled by
  the machine's measured load), so a test writes the limit it means on an idle machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.database import Database
from tests.keyring_backend import install_for_session
from tests.pg_server import PgDatabases, PgServer, PgUnavailableError
from tests.timing import budget_ms

# Encryption at rest keeps each data folder's key in the OS keyring: the whole session (and the
# subprocesses it starts) uses the file-backed test keyring of tests/keyring_backend.py.
install_for_session()

# Forms read a document's page in the background to pre-fill it (Tesseract, about a second a page):
# off for the suite, so only the tests about OCR pay for it (they turn it on themselves).
os.environ["MOTCUA_AUTO_OCR"] = "0"


def _scale_qt_waits() -> None:
    """Wrap pytest-qt's waits so their ``timeout`` (default 5 s) goes through ``budget_ms``."""
    try:
        from pytestqt.qtbot import QtBot
    except ImportError:  # pragma: no cover - pytest-qt is a test dependency
        return
    for name in ("waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitExposed", "waitActive"):
        original = getattr(QtBot, name)
        if getattr(original, "scaled", False):
            continue

        def scaled(self: QtBot, *args: object, _original=original, timeout: int = 5000, **kwargs: object):
            return _original(self, *args, timeout=budget_ms(timeout), **kwargs)

        scaled.scaled = True  # type: ignore[attr-defined]
        scaled.__doc__ = original.__doc__
        setattr(QtBot, name, scaled)


_scale_qt_waits()

NO_PG_ENV = "MOTCUA_TEST_NO_PG"
PG_TEMPLATE = "motcua_template"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if os.environ.get(NO_PG_ENV) == "1":
        pytest.skip(f"PostgreSQL tests skipped because {NO_PG_ENV}=1")
    try:
        server = PgServer()
    except PgUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """URL of the ``postgres`` maintenance database of the throwaway server."""
    return pg_server.url()


@pytest.fixture(scope="session")
def pg_databases(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgDatabases]:
    """Fresh migrated databases: ``pg_server.url(pg_databases.take())``; a template migrated once."""
    databases = PgDatabases(pg_server, PG_TEMPLATE)
    databases.admin(f"CREATE DATABASE {PG_TEMPLATE}")
    Database.open(pg_server.url(PG_TEMPLATE), tmp_path_factory.mktemp("pg-template")).close()
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database on each backend."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        database = Database.open(data_dir=data_dir)
        try:
            yield database
        finally:
            database.close()
        return
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.take()
    database = Database.open(databases.server.url(name), data_dir)
    try:
        yield database
    finally:
        database.close()
        databases.drop(name)


