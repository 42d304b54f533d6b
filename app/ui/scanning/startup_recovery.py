"""After sign-in: attach the scanned pages a crash left in the spool, in the background.

:func:`app.services.scanning.dossier_scan.recover_at_startup` runs on the runner's database worker (never on
the UI thread); when it recovered pages, the window says how many in Vietnamese (status bar and
a non-modal message box) and reloads the dossier list so the new attachments show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMainWindow, QMessageBox

from app.services.context import AppContext
from app.services.scanning import dossier_scan as scanning
from app.ui.ops import TaskRunner

log = logging.getLogger(__name__)


def start_scan_recovery(ctx: AppContext, runner: TaskRunner, window: QMainWindow,
                        on_done: Callable[[list[scanning.ScanOutcome], str], None] | None = None) -> None:
    """Queue the recovery; ``on_done(outcomes, notice)`` runs on the GUI thread afterwards."""

    def done(result: tuple[list[scanning.ScanOutcome], str]) -> None:
        outcomes, notice = result
        if notice:
            log.info("recovered %d interrupted scan batch(es) at start-up", len(outcomes))
            window.statusBar().showMessage(notice, 15000)
            box = QMessageBox(QMessageBox.Icon.Information, "Khôi phục lượt quét", notice,
                              QMessageBox.StandardButton.Ok, window)
            box.setModal(False)
            box.open()
            window.setProperty("scan_recovery_box", box)
            reload: Any = getattr(window, "apply_filters", None)
            if callable(reload):
                reload()
        if on_done is not None:
            on_done(outcomes, notice)

    def failed(error: BaseException) -> None:  # recovery must never stop the application
        log.error("scan recovery at start-up failed", exc_info=error)
        if on_done is not None:
            on_done([], "")

    runner.run_db(lambda: scanning.recover_at_startup(ctx), done, failed)
