"""Alembic environment of MotCua Desk.

``app.store.migrate`` builds the :class:`alembic.config.Config` in code and passes an open
connection in ``config.attributes["connection"]``; no ``alembic.ini`` is needed at run time.
SQLite migrations use batch mode (``render_as_batch``). Batch operations on ``dossiers`` re-create
the table, which drops the FTS triggers: such a migration must re-create them (see ``0001``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from app.store import (
    models_batch,  # noqa: F401 - its tables are part of Base.metadata
    models_reception,  # noqa: F401 - its tables are part of Base.metadata
    models_reports,  # noqa: F401 - its tables are part of Base.metadata
    models_sync,  # noqa: F401 - its tables are part of Base.metadata
    models_warehouse,  # noqa: F401 - its tables are part of Base.metadata
)
from app.store.models import Base, include_name

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"),
               dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=NullPool)
    with engine.connect() as conn:
        _run_with(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
