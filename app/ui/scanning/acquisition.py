"""One scan at a time for the scan station: :func:`app.services.scanning.station.acquire` on the work
pool, its pages, progress and failures delivered on the GUI thread as signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.progress import CancelToken
from app.scanning.spool import SpoolBatch
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.scanning import station
from app.services.scanning.deck import StationPage

Where = str | list[str]
#: (fn, on_success, on_failure): how the owner runs work in the pool (it counts its own tasks)
RunWork = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]


def _ignore(_value: object) -> None:
    """Marking a spool batch done is best effort (finish_spool already ignores OS errors)."""


class Acquisition(QObject):
    """Lives in the GUI thread; the worker only emits its signals (queued to this thread).

    Signals carry non-None objects only (PySide6 6.12 aborts on queued ``None``)."""

    page = Signal(object)  # StationPage
    progress = Signal(object)  # ProgressUpdate
    failure = Signal(object)  # PageFailure
    finished = Signal(object)  # AcquireSummary, or the exception that ended the scan

    def __init__(self, ctx: AppContext, code: str, officer: Officer, run_work: RunWork,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.code, self.officer, self._run_work = ctx, code, officer, run_work
        self._cancel: CancelToken | None = None
        self._spools: list[SpoolBatch] = []

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, where: Where, profile: str) -> bool:
        """Scan ``where`` (a source URI, or files) with the named profile; False if one is running."""
        if self._cancel is not None:
            return False
        cancel = self._cancel = CancelToken()
        ctx, code, officer, spools = self.ctx, self.code, self.officer, self._spools
        page, progress, failure = self.page.emit, self.progress.emit, self.failure.emit

        def job() -> station.AcquireSummary:
            spool = station.new_spool_batch(ctx, code, officer) if station.needs_spool(where) else None
            if spool is not None:
                spools.append(spool)  # the GUI thread reads the list only after the job ended
            return station.acquire(where, profile, cancel, page, spool=spool, on_failure=failure,
                                   progress=progress, reader=station.page_reader(ctx))

        self._run_work(job, self._ended, self._ended)
        return True

    def adopt(self, batches: list[SpoolBatch]) -> None:
        """Spool batches of an earlier session whose pages are shown again: finished (marked done)
        with this session's own batches, when the pages are saved or given up."""
        self._spools.extend(batches)

    def record_saved(self, pages: list[StationPage]) -> None:
        """Note in each spool batch which of its pages are now in the dossier (not resumed again)."""
        spools = list(self._spools)
        if spools and any(p.spooled for p in pages):
            self._run_work(lambda: [station.mark_saved(s, pages) for s in spools], _ignore, _ignore)

    def cancel(self) -> None:
        """Stop between pages (cooperative: the worker finishes the page it is on)."""
        if self._cancel is not None:
            self._cancel.cancel()

    def finish_spools(self) -> None:
        """Mark the spool batches done (the pages are saved, or the officer gave them up)."""
        if self._cancel is not None:
            return  # the scan still writes to its batch: done when it ends
        spools, self._spools = self._spools, []
        if spools:
            self._run_work(lambda: [station.finish_spool(s) for s in spools], _ignore, _ignore)

    def _ended(self, outcome: object) -> None:
        self._cancel = None
        self.finished.emit(outcome)
