"""An initialised context over the ``db`` fixture (SQLite and PostgreSQL) for the report tests."""

from tests.services.conftest import app_ctx, small_catalogue

__all__ = ["app_ctx", "small_catalogue"]
