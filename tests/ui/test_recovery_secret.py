"""The administrator's recovery secret in the desktop application: given at the first run right after
the first administrator is created, printed on its slip, stored only once the administrator confirms
it is kept; a yellow bar reminds administrators (not counter officers) while none is set."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from app.core.clock import vn_today
from app.services import auth
from app.services import keys as key_service
from app.services.context import AppContext
from app.services.logging_setup import configure_logging, log_path, remove_logging
from app.store import keys as keystore
from app.ui.main_window import MainWindow
from app.ui.recovery_secret_dialog import RecoverySecretDialog
from app.ui.sign_in import FirstAdminDialog, sign_in
from tests.timing import budget

PASSWORD = "mat-khau-2026"
SECRET_SHAPE = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){5}")
ADMIN = auth.Officer("ha", "Phạm Thu Hà", auth.Role.ADMIN)
COMMAND = [str(Path(sys.executable).with_name("motcua"))]
if not Path(COMMAND[0]).exists():  # pragma: no cover
    COMMAND = [sys.executable, "-m", "app.cli"]


def motcua(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment.update(PYTHONIOENCODING="utf-8", **(env or {}))
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=environment, timeout=120, check=False)


class FirstRun:
    """Plays the administrator through the modal dialogs of ``sign_in`` (a timer polls the active one)."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.secret = ""
        self.continue_before_tick: bool | None = None
        self.continue_after_tick: bool | None = None
        self.started = time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if time.monotonic() - self.started > budget(30):  # never hang the suite on a dialog nobody closes
            self.steps.append("timeout")
            if dialog is not None:
                dialog.reject()  # type: ignore[attr-defined]
            return
        if isinstance(dialog, FirstAdminDialog) and "admin" not in self.steps:
            self.steps.append("admin")
            dialog.full_name.setText("Phạm Thu Hà")
            dialog.password.setText(PASSWORD)
            dialog.confirm.setText(PASSWORD)
            dialog.ok.click()
        elif isinstance(dialog, RecoverySecretDialog) and "secret" not in self.steps:
            self.steps.append("secret")
            self.secret = dialog.secret_label.text()
            self.continue_before_tick = dialog.continue_button.isEnabled()
            dialog.saved_check.setChecked(True)
            self.continue_after_tick = dialog.continue_button.isEnabled()
            dialog.continue_button.click()


def test_first_run_creates_the_administrator_then_gives_the_recovery_secret(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                             runner) -> None:
    folder = tmp_path / "data"
    ctx = AppContext.open(folder)
    configure_logging(folder)
    try:
        assert auth.needs_first_admin(ctx) and not key_service.recovery_set(ctx)
        player = FirstRun()
        officer = sign_in(ctx, runner)
        player.timer.stop()
        assert player.steps == ["admin", "secret"]
        assert officer == auth.Officer("admin", "Phạm Thu Hà", auth.Role.ADMIN)
        assert SECRET_SHAPE.fullmatch(player.secret), player.secret
        assert player.continue_before_tick is False and player.continue_after_tick is True
        assert key_service.recovery_set(ctx)
        folder_id = key_service.recovery_state(ctx).folder_id
    finally:
        ctx.close()
        remove_logging()
    secret = player.secret
    status = motcua("keys", "status", "--json", data_dir=folder)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["recovery_set"] is True

    keystore.keyring_forget(folder_id)  # this folder's key only: the OS was reinstalled
    refused = motcua("dossier", "list", data_dir=folder)
    assert refused.returncode == 1 and "motcua keys recover" in refused.stderr
    done = motcua("keys", "recover", "--secret-env", "S", "--json", data_dir=folder, env={"S": secret})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unlocked"] is True

    log = log_path(folder).read_text(encoding="utf-8")
    assert "recovery secret set by admin" in log  # the log works, and holds no secret
    for text in (log, *(p.read_text(errors="replace") for p in folder.rglob("*.log*"))):
        assert secret not in text and secret.replace("-", "") not in text
    assert secret.encode() not in (folder / "motcua.key").read_bytes()


def test_nothing_is_stored_until_continue_and_the_slip_prints(qtbot, demo_ctx: AppContext, runner,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    dialog = RecoverySecretDialog(demo_ctx, runner, ADMIN, first_run=True)
    qtbot.addWidget(dialog)
    dialog.show()
    secret = dialog.secret
    assert dialog.secret_label.text() == secret and SECRET_SHAPE.fullmatch(secret)
    assert not dialog.continue_button.isEnabled()
    assert dialog.later_button.text() == "Để sau"

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "ma-khoi-phuc.pdf"))
    dialog.print_secret(printer)
    qtbot.waitUntil(dialog.note.isVisible, timeout=20_000)
    assert not dialog.error.isVisible(), dialog.error.text()
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO((tmp_path / "ma-khoi-phuc.pdf").read_bytes()))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    folder_id = key_service.recovery_state(demo_ctx).folder_id
    assert secret in text and folder_id in text
    assert vn_today().strftime("%d/%m/%Y") in text and "MÃ KHÔI PHỤC DỮ LIỆU" in text
    assert "Phạm Thu Hà" in text and "motcua keys recover" in text
    assert secret not in str(reader.metadata)

    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == secret
    dialog.saved_check.setChecked(True)
    assert dialog.continue_button.isEnabled()
    dialog.later_button.click()  # "Để sau": nothing stored, the clipboard is emptied
    assert QGuiApplication.clipboard().text() != secret
    assert not key_service.recovery_set(demo_ctx)


def test_administrators_see_the_reminder_and_set_or_replace_the_secret(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    officer = MainWindow(demo_ctx, officer=auth.Officer("hoa", "Nguyễn Thị Hoa", auth.Role.OFFICER))
    qtbot.addWidget(officer)
    assert officer.recovery.bar is None and officer.recovery.action is None
    assert "&Quản trị" not in [a.text() for a in officer.menuBar().actions()]

    window = MainWindow(demo_ctx, officer=ADMIN)
    qtbot.addWidget(window)
    window.show()
    reminder = window.recovery
    assert reminder.bar is not None and reminder.action is not None
    qtbot.waitUntil(reminder.bar.isVisible, timeout=10_000)
    assert "Chưa có mã khôi phục dữ liệu" in reminder.bar_label.text()
    assert "&Quản trị" in [a.text() for a in window.menuBar().actions()]
    assert reminder.action.text() == "Đặt &mã khôi phục dữ liệu…"

    reminder.action.trigger()
    qtbot.waitUntil(lambda: reminder.dialog is not None and reminder.dialog.isVisible(), timeout=10_000)
    first = reminder.dialog
    assert first is not None and first.old_secret is None
    secret = first.secret
    first.saved_check.setChecked(True)
    first.continue_button.click()
    qtbot.waitUntil(lambda: not reminder.bar.isVisible(), timeout=20_000)
    assert key_service.recovery_set(demo_ctx)

    reminder.open_dialog()  # replacing needs the current secret
    qtbot.waitUntil(lambda: reminder.dialog is not None and reminder.dialog.isVisible(), timeout=10_000)
    second = reminder.dialog
    assert second is not None and second.old_secret is not None and second.secret != secret
    second.saved_check.setChecked(True)
    assert not second.continue_button.isEnabled()
    second.old_secret.setText("SAI0-MA00-KHOI-PHUC")
    assert second.continue_button.isEnabled()
    second.continue_button.click()
    qtbot.waitUntil(second.error.isVisible, timeout=20_000)
    assert "Mã khôi phục" in second.error.text() and second.old_secret.text() == ""
    second.old_secret.setText(secret)
    with qtbot.waitSignal(second.secret_set, timeout=20_000):
        second.continue_button.click()
    keystore.recover(demo_ctx.data_dir, second.secret)  # the new secret opens the key
