"""Fixtures shared by the whole suite.

* ``pg_url``: a real throwaway PostgreSQL server for the session (``tests/pg_server.py``). Missing
  server binaries FAIL the tests that need it, unless ``MOTCUA_TEST_NO_PG=1`` skips them.
* ``db``: a fresh, migrated :class:`app.store.database.Database`, parametrized over SQLite (a real
  file under ``tmp_path``) and PostgreSQL (a new database copied from a migrated template).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.store.database import Database
from tests.pg_server import PgServer, PgUnavailableError

NO_PG_ENV = "MOTCUA_TEST_NO_PG"
PG_TEMPLATE = "motcua_template"
_db_numbers = itertools.count(1)


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


def pg_admin_execute(pg_url: str, *statements: str) -> None:
    """Run statements in autocommit mode (CREATE/DROP DATABASE)."""
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_template_url(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once; each test's database is a cheap copy of it."""
    pg_admin_execute(pg_url, f"CREATE DATABASE {PG_TEMPLATE}")
    url = make_url(pg_url).set(database=PG_TEMPLATE).render_as_string(hide_password=False)
    Database.open(url, tmp_path_factory.mktemp("pg-template")).close()
    return url


def new_pg_database(pg_url: str) -> str:
    """A new migrated database (copied from the template); returns its URL."""
    name = f"motcua_test_{os.getpid()}_{next(_db_numbers)}"
    pg_admin_execute(pg_url, f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(pg_url: str, url: str) -> None:
    name = make_url(url).database
    pg_admin_execute(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
    pg_url = request.getfixturevalue("pg_url")
    request.getfixturevalue("pg_template_url")
    url = new_pg_database(pg_url)
    database = Database.open(url, data_dir)
    try:
        yield database
    finally:
        database.close()
        drop_pg_database(pg_url, url)
