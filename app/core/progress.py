"""Progress reporting and cancellation for long work, in plain Python (the UI only renders them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import MotCuaError


class CancelledError(MotCuaError):
    """Raised inside long work when the user cancelled it."""

    def __init__(self) -> None:
        super().__init__("operation cancelled", "Đã hủy thao tác.")


@dataclass(frozen=True)
class ProgressUpdate:
    done: int
    total: int | None
    message: str = ""


class CancelToken:
    """A flag the UI sets and the worker checks between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError


ProgressCallback = Callable[[ProgressUpdate], None]


def no_progress(_update: ProgressUpdate) -> None:
    """A progress callback that ignores updates."""
