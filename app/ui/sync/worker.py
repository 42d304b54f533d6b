"""The background sync of the main window: ``app.services.sync.runs.run_worker`` on a thread of its own.

The worker runs only while a provincial server is configured (it stops itself when the service
says none is). It runs once at start, then every :data:`WORKER_INTERVAL` seconds, sooner while items
remain, and at once when :meth:`SyncController.sync_now` or :meth:`SyncController.wake` is called
(after a dossier is received). It never touches widgets: the outcome of each run and the progress of
each item come back to the GUI thread through queued signals. :meth:`SyncController.stop` (on close)
ends it between two items.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.core.outbox import OutboxItem
from app.services.context import AppContext
from app.services.sync import runs as sync_service
from app.services.sync.runs import NotConfiguredError

log = logging.getLogger(__name__)

#: Seconds between two runs when nothing is waiting (the service runs sooner while items remain).
WORKER_INTERVAL = 60.0
BUSY_INTERVAL = 5.0


@dataclass(frozen=True)
class RunReport:
    """What one background run gave (never None through a signal: see ``app.ui.ops``)."""

    run: sync_service.SyncRun | None
    error: Exception | None

    @property
    def not_configured(self) -> bool:
        return isinstance(self.error, NotConfiguredError)


@dataclass(frozen=True)
class ItemProgress:
    item: OutboxItem
    outcome: str  # sent, failed, parked, superseded


class SyncController(QObject):
    """Owns the worker thread; ``running`` while a run is in progress (for the progress display)."""

    run_started = Signal(object)  # the controller itself
    run_finished = Signal(object)  # RunReport
    item_done = Signal(object)  # ItemProgress

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, interval: float | None = None,
                 busy_interval: float | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.interval = WORKER_INTERVAL if interval is None else interval
        self.busy_interval = BUSY_INTERVAL if busy_interval is None else busy_interval
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self.running = False  # a run is in progress (read on the GUI thread)
        self.runs = 0  # runs finished, for the tests and the sync centre

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        """Start the worker (it runs at once); a no-op while it is already running."""
        with self._lock:
            if self.active:
                return
            if self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=30)  # a worker that was told to stop: let it finish
            self._stop = threading.Event()
            self._wake = threading.Event()
            self._thread = threading.Thread(target=self._work, args=(self._stop, self._wake),
                                            name="motcua-sync", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Run soon (e.g. after a dossier was received); nothing when no server is configured."""
        if self.active:
            self._wake.set()

    def sync_now(self) -> None:
        """Run at once: wake the worker, or start it (it stops again if nothing is configured)."""
        if self.active:
            self._wake.set()
        else:
            self.start()

    def stop(self, timeout: float = 15.0) -> None:
        """End the worker between two items and wait for it (called when the window closes)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the sync worker did not stop within %.0f s", timeout)

    # -- the worker thread -------------------------------------------------------------------
    def _work(self, stop: threading.Event, wake: threading.Event) -> None:
        def on_start() -> None:
            self.running = True
            self.run_started.emit(self)

        def on_item(item: OutboxItem, outcome: str) -> None:
            self.item_done.emit(ItemProgress(item, outcome))

        def on_run(run: sync_service.SyncRun | None, error: Exception | None) -> None:
            self.running = False
            self.runs += 1
            if isinstance(error, NotConfiguredError):
                stop.set()  # nothing to do until the officer configures a server
            self.run_finished.emit(RunReport(run, error))

        try:
            sync_service.run_worker(self.ctx, stop, wake=wake, interval=self.interval,
                                    busy_interval=self.busy_interval, on_run=on_run, on_item=on_item,
                                    on_start=on_start)
        except Exception:  # the service keeps itself alive; this is the last guard
            log.exception("the sync worker stopped unexpectedly")
        finally:
            self.running = False
