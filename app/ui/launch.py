"""Starting the desktop application: logging, fonts, the data folder, sign-in, then the main window.
Every uncaught exception from then on reaches the window's single error handler."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.errors import MotCuaError
from app.services.admin.logging_setup import configure_logging
from app.services.context import AppContext, resolve_data_dir
from app.services.user_errors import user_error
from app.ui.admin.sign_in import sign_in
from app.ui.error_hooks import install_excepthooks
from app.ui.main_window import MainWindow
from app.ui.ops import TaskRunner
from app.ui.setup_wizard.wizard import run_at_first_start

log = logging.getLogger(__name__)


def run(argv: Sequence[str] | None = None) -> int:
    """``python -m app``: open the main window on the configured (or given) data folder."""
    parser = argparse.ArgumentParser(prog="python -m app", description="MotCua Desk")
    parser.add_argument("--data-dir")
    parser.add_argument("--db-url")
    args, qt_args = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO)
    configure_logging(resolve_data_dir(args.data_dir))  # JSON lines, rotated, personal data masked
    qt_app = QApplication([sys.argv[0], *qt_args])
    windows: list[MainWindow] = []

    def report(error: BaseException) -> None:  # every uncaught exception, from any thread
        if windows:
            windows[0].show_error(error)
        else:
            log.error("unexpected error", exc_info=error)
            known = user_error(error)
            QMessageBox.critical(None, "MotCua Desk", known.message_vi if known else
                                 "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.")

    install_excepthooks(report)
    from app.ui.fonts import install_bundled_fonts

    install_bundled_fonts(qt_app)
    try:
        ctx = AppContext.open(args.data_dir, args.db_url)
    except MotCuaError as error:
        QMessageBox.critical(None, "MotCua Desk", error.message_vi)
        return 1
    sign_in_runner = TaskRunner()
    if run_at_first_start(ctx, sign_in_runner) is False:  # a station never set up: the wizard first
        sign_in_runner.shutdown()
        ctx.close()
        return 0
    officer = sign_in(ctx, sign_in_runner)
    sign_in_runner.shutdown()
    if officer is None:
        ctx.close()
        return 0
    window = MainWindow(ctx, officer=officer)
    windows.append(window)
    window.show()
    QTimer.singleShot(0, lambda: log.info("window open: %s, signed in as %s", window.windowTitle(),
                                          officer.username))
    from app.ui.scanning.startup_recovery import start_scan_recovery

    start_scan_recovery(ctx, window.runner, window)  # pages a crash left in the scan spool
    code = qt_app.exec()
    ctx.close()
    return code
