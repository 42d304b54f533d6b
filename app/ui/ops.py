"""The one way the UI runs work off the GUI thread.

Database work goes to a single worker thread (one short-lived session per task, never shared),
network and CPU work to a small pool. Results and errors come back to the GUI thread through a Qt
signal, so callbacks may touch widgets. Workers never touch widgets themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Outcome:
    on_success: SuccessCallback | None
    on_failure: FailureCallback | None
    value: Any = None
    error: BaseException | None = None


class _Bridge(QObject):
    """Lives in the GUI thread; a signal emitted from a worker is delivered there (queued).

    The signal carries one non-None object: PySide6 6.12 mis-counts references to ``None`` passed
    through queued ``object`` arguments ("none_dealloc") and aborts the process.
    """

    finished = Signal(object)


class TaskRunner(QObject):
    """Runs callables in the background and calls back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, on_unhandled: FailureCallback | None = None) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-db")
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="motcua-work")
        self._bridge = _Bridge()
        self._bridge.finished.connect(self._deliver)
        self._on_unhandled = on_unhandled
        self._pending = 0
        self._closed = False

    @property
    def closed(self) -> bool:
        """True after :meth:`shutdown`: timers that outlive their window check this before submitting."""
        return self._closed

    @property
    def pending(self) -> int:
        return self._pending

    def run_db(self, fn: Callable[[], Any], on_success: SuccessCallback | None = None,
               on_failure: FailureCallback | None = None) -> Future[Any]:
        """Run ``fn`` on the single database worker."""
        return self._submit(self._db, fn, on_success, on_failure)

    def run_work(self, fn: Callable[[], Any], on_success: SuccessCallback | None = None,
                 on_failure: FailureCallback | None = None) -> Future[Any]:
        """Run ``fn`` on the network/CPU pool."""
        return self._submit(self._pool, fn, on_success, on_failure)

    def _submit(self, executor: ThreadPoolExecutor, fn: Callable[[], Any],
                on_success: SuccessCallback | None, on_failure: FailureCallback | None) -> Future[Any]:
        if self._closed:  # a late timer of a closing window: nothing may run any more
            log.warning("task submitted after the runner was shut down; not run: %r", fn)
            late: Future[Any] = Future()
            late.cancel()
            return late
        self._pending += 1

        def job() -> Any:
            try:
                value = fn()
            except BaseException as error:  # handed to the GUI thread, never swallowed
                self._bridge.finished.emit(_Outcome(on_success, on_failure, error=error))
                raise
            self._bridge.finished.emit(_Outcome(on_success, on_failure, value=value))
            return value

        return executor.submit(job)

    def _deliver(self, outcome: _Outcome) -> None:
        self._pending -= 1
        on_success, on_failure = outcome.on_success, outcome.on_failure
        value, error = outcome.value, outcome.error
        if error is not None:
            if on_failure is not None:
                on_failure(error)
            elif self._on_unhandled is not None:
                self._on_unhandled(error)
            else:
                log.error("background task failed", exc_info=error)
            return
        if on_success is not None:
            on_success(value)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; wait for running tasks (used on close and in tests)."""
        self._closed = True
        self._db.shutdown(wait=wait, cancel_futures=True)
        self._pool.shutdown(wait=wait, cancel_futures=True)
