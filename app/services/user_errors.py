"""Storage faults for the front-ends: which failures have a message for the officer.

The UI's single error handler and the CLI turn a full disk, a read-only folder or a locked
database into a :class:`~app.store.storage_errors.StorageError` (Vietnamese message) with
:func:`user_error`; anything else stays an unexpected error (logged with its traceback).
"""

from __future__ import annotations

from app.core.errors import MotCuaError
from app.store.storage_errors import StorageError, translate

__all__ = ["StorageError", "user_error"]


def user_error(error: BaseException) -> MotCuaError | None:
    """The error to show the officer, or None when ``error`` is unexpected (a bug)."""
    if isinstance(error, MotCuaError):
        return error
    return translate(error)
