"""``motcua-desk --self-test``: prove an installed (or frozen) build works end to end, headless.

In a throwaway data folder (its data key given for this run only, nothing written to the user's
keyring or configuration), it migrates a database, loads the bundled catalogue, receives one
dossier, opens the main window on Qt's offscreen platform, exports the receipt (Mẫu 01, drawn with
the bundled fonts) and prints it through Qt's print system to a PDF file, then reads both PDFs back.
Each step prints one line; the exit code is 0 only when every step passed.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RECEIPT_FORM = "01"
PROCEDURE = "1.001193"  # đăng ký khai sinh, in every catalogue
# A fictitious citizen's CCCD QR payload (number consistent with sex and birth year).
CCCD_PAYLOAD = ("001190012345|012345678|Nguyễn Thị Hoa|15031990|Nữ|"
                "Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")


def _say(text: str) -> None:
    print(f"self-test: {text}", flush=True)


def _wait(app, condition: Callable[[], object], seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the main window did not finish loading")
        app.processEvents()
        time.sleep(0.02)


def _pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def run_self_test(timeout: float = 120.0) -> int:
    """Run every step; 0 when all passed, 1 otherwise (the failing step is printed)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="motcua-self-test-") as folder:
        root = Path(folder)
        os.environ["MOTCUA_DATA_KEY"] = secrets.token_hex(32)  # this run's throwaway folder only
        os.environ["MOTCUA_SECRET_DIR"] = str(root / "config")
        try:
            return _steps(root, timeout)
        except Exception as error:  # every failure is a failed self-test, said in one line
            _say(f"FAILED: {type(error).__name__}: {error}")
            return 1


def _steps(root: Path, timeout: float) -> int:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from app import __version__
    from app.core.cccd import applicant_from_qr, parse_cccd_qr
    from app.services import printing
    from app.services.auth import SYSTEM_OFFICER
    from app.services.context import AppContext
    from app.services.reception import ReceiveRequest, receive_dossier
    from app.services.setup import init
    from app.ui import slip_output
    from app.ui.fonts import install_bundled_fonts
    from app.ui.main_window import MainWindow

    frozen = getattr(sys, "frozen", False)
    _say(f"MotCua Desk {__version__}, Python {sys.version.split()[0]}, frozen={frozen}")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_bundled_fonts(app)
    ctx = AppContext.open(root / "data")
    try:
        init(ctx)
        _say(f"database migrated, catalogue loaded ({root / 'data'})")
        request = ReceiveRequest(PROCEDURE, applicant_from_qr(parse_cccd_qr(CCCD_PAYLOAD)))
        code = receive_dossier(ctx, request, SYSTEM_OFFICER).code
        _say(f"dossier received: {code}")
        window = MainWindow(ctx, officer=SYSTEM_OFFICER)
        window.show()
        _wait(app, lambda: window.model.total is not None and not window.model.loading, timeout)
        if window.model.total != 1:
            raise AssertionError(f"the main window lists {window.model.total} dossiers, not 1")
        _say(f"main window open: {window.windowTitle()!r}, 1 dossier listed")

        exported = printing.export_slip(ctx, RECEIPT_FORM, code, root / "receipt.pdf", SYSTEM_OFFICER)
        pages, text = _pdf_text(exported)
        if code not in text or "Nguyễn Thị Hoa".upper() not in text.upper():
            raise AssertionError(f"the receipt does not show the dossier: {text[:200]!r}")
        _say(f"receipt exported and read back: {pages} page(s), shows {code}")

        printer = slip_output.new_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(root / "printed.pdf"))
        printed = slip_output.paint_pdf(printer, exported.read_bytes())
        printed_pages, _ = _pdf_text(root / "printed.pdf")
        if printed < 1 or printed_pages != printed:
            raise AssertionError(f"printing gave {printed} page(s), the printed PDF has {printed_pages}")
        _say(f"receipt printed through Qt to PDF and read back: {printed_pages} page(s)")
        window.close()
        app.processEvents()
    finally:
        ctx.close()
    _say("OK")
    return 0
