"""Render every screen, dialog and slip of MotCua Desk to PNG files, on a fresh demo database.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--offscreen]

Runs under Xvfb when it is installed and there is no display (real X11 rendering, as an officer
sees it), else on Qt's offscreen platform. Widgets are captured with ``QWidget.grab()``; the slips
(Mẫu 01-05) come from ``scripts/render_slips.py`` (PDF, and PNG through pdftoppm).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Throwaway demo folders are encrypted at rest: their keys go to the test suite's file keyring
# (tests/keyring_backend.py), never to this machine's keyring (and it works without one, e.g. Xvfb).
from tests.keyring_backend import install_for_session  # noqa: E402

install_for_session()

INNER_FLAG = "--inner"  # set when re-run under xvfb-run
SCREEN = "1920x1200x24"
DEMO_NOW = datetime(2026, 11, 20, 16, 30)
PASSWORD = "matkhau-demo-2026"
# The QR payload of a demo CCCD card (fictitious person; number consistent with sex and birth year).
CCCD_PAYLOAD = ("001190012345|012345678|Nguyễn Thị Hoa|15031990|Nữ|"
                "Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")


def _reexec_under_xvfb(argv: list[str]) -> int | None:
    """Run this script again inside xvfb-run when there is no display; None when not possible."""
    xvfb = shutil.which("xvfb-run")
    if os.environ.get("DISPLAY") or xvfb is None:
        return None
    command = [xvfb, "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, __file__, *argv, INNER_FLAG]
    return subprocess.run(command, check=False).returncode


class Shooter:
    """Drives the widgets and saves PNGs; ``wait`` pumps the event loop until a condition holds."""

    def __init__(self, app, out: Path) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.out = out
        self.written: list[Path] = []

    def wait(self, condition: Callable[[], object], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not reach the expected state")
            self.app.processEvents()
            time.sleep(0.01)
        for _ in range(5):  # let layouts and repaints settle
            self.app.processEvents()

    def settle(self, seconds: float = 0.2) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def shoot(self, widget, name: str) -> Path:  # type: ignore[no-untyped-def]
        self.settle()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        self.written.append(path)
        print(path)
        return path


def type_text(widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a keyboard wedge: one key event per character (any Unicode text)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for char in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                           Qt.KeyboardModifier.NoModifier)


def press(widget, key) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtTest import QTest

    QTest.keyClick(widget, key)


def shoot_sign_in(s: Shooter, ctx, runner) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from app.services import auth
    from app.ui.sign_in import FirstAdminDialog, SignInDialog

    first = FirstAdminDialog(ctx, runner)
    first.show()
    first.full_name.setText("Phạm Thu Hà")
    first.password.setText(PASSWORD)
    first.confirm.setText(PASSWORD)
    s.shoot(first, "01_first_admin")
    first.submit()
    s.wait(lambda: first.officer is not None)
    first.close()
    auth.create_user(ctx, "hoa", "Nguyễn Thị Hoa", PASSWORD, auth.Role.OFFICER, by=first.officer)
    dialog = SignInDialog(ctx, runner)
    dialog.show()
    s.shoot(dialog, "02_sign_in")
    dialog.username.setText("hoa")
    dialog.password.setText("sai-mat-khau")
    dialog.submit()
    s.wait(dialog.error.isVisible)
    s.shoot(dialog, "03_sign_in_wrong_password")
    dialog.password.setText(PASSWORD)
    press(dialog.password, Qt.Key.Key_Return)
    s.wait(lambda: dialog.officer is not None)
    dialog.close()


def shoot_main_and_dialogs(s: Shooter, ctx, officer) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from app.ui.main_window import MainWindow

    window = MainWindow(ctx, officer=officer)
    window.resize(1400, 820)
    window.show()
    s.wait(lambda: window.model.total is not None and not window.model.loading)
    window.table.selectRow(0)
    code = window.model.summary_at(0).code
    s.wait(lambda: code in window.detail.toPlainText())
    s.shoot(window, "04_main_window")

    dialog = window.open_receive_dialog()
    assert dialog is not None
    s.wait(lambda: dialog.picker.loaded and dialog.isVisible())
    s.shoot(dialog, "05_receive_empty")
    type_text(dialog.picker, "ket hon")
    s.wait(dialog.picker.popup.isVisible)
    s.shoot(dialog, "06_receive_picker")
    press(dialog.picker, Qt.Key.Key_Return)
    s.wait(lambda: dialog.picker.procedure is not None and "dự kiến" in dialog.due_label.text())
    type_text(dialog.applicant.edits["id_number"], CCCD_PAYLOAD)
    press(dialog.applicant.edits["id_number"], Qt.Key.Key_Return)
    s.wait(lambda: dialog.applicant.edits["full_name"].text() == "Nguyễn Thị Hoa")
    dialog.applicant.edits["phone"].setText("0912 345 678")
    s.shoot(dialog, "07_receive_after_qr_scan")
    dialog.save()
    s.wait(lambda: dialog.dossier is not None)
    s.shoot(dialog, "08_receive_saved")
    received = dialog.dossier.code
    exported: list[Path] = []
    dialog.receipt.exported.connect(exported.append)
    dialog.receipt.export_receipt(s.out / "slips" / "received_mau01.pdf")
    s.wait(lambda: exported)
    s.written += pdf_pages(exported[0])
    dialog.reject()
    s.wait(lambda: not dialog.busy)

    bad = window.open_receive_dialog()
    assert bad is not None
    s.wait(lambda: bad.picker.loaded and bad.isVisible())
    type_text(bad.picker, "1193")
    press(bad.picker, Qt.Key.Key_Return)
    type_text(bad.applicant.edits["id_number"], "00109012")
    type_text(bad.applicant.edits["birth_date"], "31/02/1990")
    bad.save()
    s.wait(lambda: bad.applicant.errors["id_number"].isVisible())
    s.shoot(bad, "09_receive_validation")
    bad.reject()
    s.wait(lambda: not bad.busy)

    from app.services import lifecycle

    lifecycle.mark_done(ctx, received, officer)  # only a dossier whose result is ready is returned
    returning = window.open_return_dialog()
    assert returning is not None
    s.wait(returning.isVisible)
    s.shoot(returning, "10_return_empty")
    type_text(returning.code, received)
    returning.look_up()
    s.wait(lambda: returning.dossier is not None)
    s.shoot(returning, "11_return_found")
    returning.confirm()
    s.wait(lambda: "Đã trả kết quả" in returning.message.text())
    s.shoot(returning, "12_return_done")
    shoot_return_digitise(s, ctx, returning)
    returning.close()
    s.wait(lambda: window.model.total is not None and not window.model.loading)
    window.close()


def shoot_return_digitise(s: Shooter, ctx, returning) -> None:  # type: ignore[no-untyped-def]
    """23: "Số hoá kết quả" opened in the return dialog, the result file chosen and its data typed."""
    from app.core.dossier import DossierStatus
    from app.services import dossiers, results

    done = [d for d in dossiers.list_dossiers(ctx, status=int(DossierStatus.DONE), limit=200)
            if results.result_status(ctx, d.code).expected]
    code = next((d.code for d in done if d.procedure_code == "1.001193"), done[0].code)  # khai sinh
    section = returning.digitise
    section.set_scanners([])  # no SANE probe (seconds): the "Quét" button stays off
    type_text(returning.code, code)
    returning.look_up()
    s.wait(lambda: returning.dossier is not None and section.type_combo.count() > 0)
    section.toggle.setChecked(True)
    section.pick_files = lambda: ["/tmp/Giay-khai-sinh-123-2026.pdf"]  # shown, not read (not confirmed)
    section.choose_files()
    typed = ((section.number, "123"), (section.symbol, "2026/KS"), (section.issued_on, "20/11/2026"),
             (section.signer, "Trần Văn Bình"))
    for edit, text in typed:
        edit.setText(text)
    s.shoot(returning, "23_return_digitise")


def shoot_scan_station(s: Shooter, ctx, officer) -> None:  # type: ignore[no-untyped-def]
    """Trạm quét after six pages arrived (the blank one greyed), some assigned, then saved."""
    from PySide6.QtCore import QItemSelectionModel

    from app.services import dossiers as dossier_service
    from app.ui.ops import TaskRunner
    from app.ui.scan_station import ScanStationDialog
    from tests.scanning.scan_helpers import blank_page, save, seal_page, text_page

    code = next(d.code for d in (dossier_service.get_dossier(ctx, x.code)
                                 for x in dossier_service.list_dossiers(ctx, limit=50))
                if sum(1 for c in d.components if c.received) >= 3)
    folder = s.out / "scan-pages"
    folder.mkdir(exist_ok=True)
    images = [text_page(lines=16, seed=1), text_page(lines=10, seed=2), blank_page(seed=3),
              seal_page(seed=4), text_page(lines=22, seed=5), text_page(lines=8, seed=6)]
    files = [save(image, folder / f"trang-{n}.jpg", quality=85, dpi=(200, 200))
             for n, image in enumerate(images, start=1)]
    runner = TaskRunner()
    dialog = ScanStationDialog(ctx, runner, officer, code)
    dialog.confirm_discard = lambda _pages: True
    dialog.resize(1400, 900)
    dialog.show()
    s.wait(lambda: dialog.dossier is not None)
    dialog.start_scan(files)
    s.wait(lambda: not dialog.acquiring, timeout=120)

    def select(*rows: int) -> None:
        dialog.view.clearSelection()
        for row in rows:
            dialog.view.selectionModel().select(dialog.model.index(row),
                                                QItemSelectionModel.SelectionFlag.Select)

    numbers = sorted(n for n, _name in dialog.model.components.values())
    select(0, 1)
    dialog.assign_number(numbers[0])
    select(3)
    dialog.assign_number(numbers[1])
    dialog.split_selected()
    select(4)
    dialog.rotate(90)
    dialog.assign_number(numbers[2])
    select(2)
    s.shoot(dialog, "13_scan_station")
    dialog.save()
    s.wait(lambda: dialog.stored, timeout=60)
    s.shoot(dialog, "14_scan_station_saved")
    dialog.reject()
    runner.shutdown()
    shutil.rmtree(folder, ignore_errors=True)


def shoot_sync(s: Shooter, ctx, officer, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """The sync indicator and Trung tâm đồng bộ against the reference server (a subprocess on
    loopback) that refuses one dossier: its procedure is missing from the province's catalogue."""
    import os as _os

    from app.core.catalogue import load_catalogue
    from app.services.sync import configure
    from app.sync.catalogue import procedure_to_record
    from app.ui.main_window import MainWindow
    from tests.sync import helpers

    _os.environ.setdefault("MOTCUA_SYNC_SECRETS", "file")  # the token in an encrypted file, not the keyring
    _os.environ.setdefault("MOTCUA_SECRET_DIR", str(folder / "machine-secret"))
    server = helpers.start_server(folder / "province")
    try:
        _, token = server.station(ctx.settings().agency_code)
        refused_code = helpers.PROCEDURES[1]
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": [
            procedure_to_record(p) for p in load_catalogue() if p.code != refused_code]})
        configure(ctx, server_url=server.url, token=token)
        helpers.receive(ctx, 7, helpers.PROCEDURES[0])
        helpers.receive(ctx, 8, refused_code)
        window = MainWindow(ctx, officer=officer)
        window.resize(1400, 820)
        window.show()
        s.wait(lambda: window.model.total is not None and not window.model.loading)
        s.wait(lambda: window.sync.controller.runs >= 1 and not window.sync.controller.running, timeout=60)
        window.sync.refresh()
        s.wait(lambda: window.sync.indicator.state is not None and window.sync.indicator.state.failed)
        window.table.selectRow(0)
        code = window.model.summary_at(0).code
        s.wait(lambda: code in window.detail.toPlainText() and "đồng bộ" in window.detail.toPlainText())
        s.shoot(window, "15_sync_indicator")
        centre = window.sync.open_centre()
        s.wait(lambda: centre.failed_table.rowCount() > 0)
        centre.tabs.setCurrentIndex(1)
        centre.failed_table.selectRow(0)
        s.shoot(centre, "16_sync_centre")
        centre.close()
        window.close()
    finally:
        server.stop()


def pdf_pages(pdf: Path, dpi: int = 80) -> list[Path]:
    """PNG pages of a PDF beside it (pdftoppm), e.g. the receipt exported from the dialog."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return []
    stem = pdf.with_suffix("")
    subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(pdf), str(stem)], check=True)
    pages = sorted(pdf.parent.glob(f"{stem.name}-*.png"))
    for page in pages:
        print(page)
    return pages


def render_slips(out: Path) -> list[Path]:
    script = ROOT / "scripts" / "render_slips.py"
    slips = out / "slips"
    result = subprocess.run([sys.executable, str(script), str(slips), "--dpi", "80"], check=True,
                            capture_output=True, text=True)
    return [Path(line) for line in result.stdout.splitlines() if line.endswith(".png")]


def run(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from app.services import auth
    from app.services.context import AppContext
    from app.services.setup import init
    from app.ui.fonts import install_bundled_fonts
    from app.ui.ops import TaskRunner

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_bundled_fonts(app)
    shooter = Shooter(app, out)
    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as folder:
        # A throwaway folder: its key must not stay behind in the user's station key store.
        os.environ.setdefault("MOTCUA_SECRET_DIR", str(Path(folder) / "machine-secret"))
        ctx = AppContext.open(Path(folder) / "data")
        try:
            init(ctx, demo=True, now=DEMO_NOW)
            runner = TaskRunner()
            try:
                shoot_sign_in(shooter, ctx, runner)
            finally:
                runner.shutdown()
            officer = auth.authenticate(ctx, "hoa", PASSWORD)
            shoot_main_and_dialogs(shooter, ctx, officer)
            shoot_scan_station(shooter, ctx, officer)
            shoot_sync(shooter, ctx, officer, Path(folder))
            from scripts.screenshots_warehouse import shoot_warehouse  # 17, 18 (issue 5)

            shoot_warehouse(shooter, ctx, officer, Path(folder), CCCD_PAYLOAD)
            from scripts.screenshots_batch import shoot_batch, shoot_signatures  # 19, 20, 21

            shoot_batch(shooter, ctx, officer, Path(folder), CCCD_PAYLOAD)
            shoot_signatures(shooter, ctx, officer, Path(folder))
            from scripts.screenshots_lifecycle import shoot_lifecycle  # 25-27

            shoot_lifecycle(shooter, ctx, officer)
            from scripts.screenshots_reports import shoot_reports  # 28-31, last: it edits the audit log

            runner = TaskRunner()
            try:
                shoot_reports(shooter, ctx, runner, out)
            finally:
                runner.shutdown()
        finally:
            ctx.close()
    with tempfile.TemporaryDirectory(prefix="motcua-shots-recovery-") as folder:  # 24 (a fresh office)
        from scripts.screenshots_recovery import shoot_recovery

        ctx = AppContext.open(Path(folder) / "data")
        try:
            init(ctx, demo=True, now=DEMO_NOW, demo_count=20)
            shoot_recovery(shooter, ctx, out)
        finally:
            ctx.close()
    return shooter.written + render_slips(out)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--offscreen", action="store_true", help="use Qt's offscreen platform, not Xvfb")
    parser.add_argument(INNER_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.inner and not args.offscreen:
        code = _reexec_under_xvfb([a for a in argv if a != INNER_FLAG])
        if code is not None:
            return code
    if args.offscreen or not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    written = run(Path(args.out))
    print(f"{len(written)} images in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
