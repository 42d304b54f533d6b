"""Nothing typed is lost: a form's content is saved as a draft about a second after each edit.

Saves run on the database worker, one after another; the draft's id lives in a holder that only
that worker writes, so a save or a discard queued behind the first save already knows the id the
first save created, even before the GUI thread has heard back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import drafts

log = logging.getLogger(__name__)
OnSuccess = Callable[[Any], None] | None
OnFailure = Callable[[BaseException], None] | None
RunDb = Callable[[Callable[[], Any], OnSuccess, OnFailure], Any]  # TaskRunner.run_db or a wrapper of it
DEBOUNCE_MS = 1000


class _Holder:
    def __init__(self, draft_id: int | None) -> None:
        self.id = draft_id


class DraftKeeper(QObject):
    """``touch()`` after each edit; ``flush()`` on close; ``discard()`` once the real thing is saved."""

    saved = Signal(int)  # draft id, after each save

    def __init__(self, ctx: AppContext, run_db: RunDb, officer: Officer,
                 payload: Callable[[], dict[str, Any] | None], kind: str = "receive",
                 parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._ctx, self._run_db, self._officer, self._kind = ctx, run_db, officer, kind
        self._payload = payload
        self._holder = _Holder(None)
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def draft_id(self) -> int | None:
        return self._holder.id

    def adopt(self, draft_id: int) -> None:
        """Keep saving into an existing draft (one reopened by the officer)."""
        self._holder.id = draft_id

    def touch(self) -> None:
        if not self._closed:
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Save now (if there is anything worth keeping)."""
        self._timer.stop()
        if self._closed:
            return
        payload = self._payload()
        if payload is None:
            return
        ctx, officer, kind, holder = self._ctx, self._officer, self._kind, self._holder

        def save() -> int:
            holder.id = drafts.save_draft(ctx, officer, kind, payload, holder.id)
            return holder.id

        self._run_db(save, self._saved, self._failed)

    def discard(self) -> None:
        """Forget the draft for good (the dossier was saved); later edits are not kept."""
        self._timer.stop()
        self._closed = True
        ctx, holder = self._ctx, self._holder

        def drop() -> int:
            if holder.id is not None:
                drafts.discard_draft(ctx, holder.id)
            return holder.id or 0

        self._run_db(drop, None, self._failed)

    def stop(self) -> None:
        """No more saves (the dialog is gone)."""
        self._timer.stop()
        self._closed = True

    def _saved(self, draft_id: int) -> None:
        self.saved.emit(draft_id)

    def _failed(self, error: BaseException) -> None:
        # A draft that cannot be saved must not interrupt the officer at the counter: log it.
        log.warning("draft not saved: %s", error)
