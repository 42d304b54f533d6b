"""The administrator's recovery secret ("Mã khôi phục dữ liệu").

* First run: right after the first administrator is created (:func:`offer_at_first_run`, called by
  ``app.ui.admin.sign_in.sign_in``), when the data folder has no recovery secret.
* Later: Quản trị → "Đặt mã khôi phục dữ liệu…" (administrators only) and a yellow bar in the main
  window while no secret is set (:class:`RecoveryReminder`).

The dialog shows a new secret (``app.services.admin.data_keys.new_secret``) in large monospace, prints it on a
one-page slip, copies it, and stores it (``set_recovery_secret``: the data key wrapped by argon2id)
only when the administrator has ticked that it is kept safe and pressed "Tiếp tục". Closing the
dialog before that stores nothing, so there is never a secret that nobody saw. The secret is never
logged: no log call here takes it, and the log filter masks anything shaped like one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.services.admin import auth
from app.services.admin import data_keys as keys_service
from app.services.context import AppContext
from app.services.reception.printing import write_atomically
from app.ui.ops import TaskRunner
from app.ui.widgets.slip_output import new_printer, print_pdf

log = logging.getLogger(__name__)
TITLE = "Mã khôi phục dữ liệu"
SECRET_FAMILY = "Liberation Mono"  # bundled (resources/fonts), registered by app.ui.fonts
ERROR_STYLE = "color: #c62828;"
NOTE_STYLE = "color: #2e7d32;"
SECRET_STYLE = ("QLabel#secretLabel { background: #fbfaf3; border: 1px solid #9e9e9e; border-radius: 4px; "
                "padding: 14px 10px; color: #111; }")
BAR_STYLE = ("QToolBar#recoveryBar { background: #fff4c2; border: 1px solid #e8c44a; spacing: 8px; "
             "padding: 3px 6px; } QToolBar#recoveryBar QLabel { color: #4a3b00; }")
BAR_TEXT = ("<b>Chưa có mã khôi phục dữ liệu</b> — Quản trị → Đặt mã khôi phục… "
            "Máy hỏng hoặc cài lại hệ điều hành mà không có mã này thì mất toàn bộ hồ sơ.")
UNEXPECTED_VI = "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký."
WHY_VI = ("Hồ sơ và bản quét giấy tờ của người dân được <b>mã hóa</b> trên máy này; khóa mở dữ liệu nằm "
          "trong kho khóa của hệ điều hành. <b>Nếu máy hỏng hoặc phải cài lại hệ điều hành, "
          "chỉ mã khôi phục dưới đây "
          "mở lại được dữ liệu.</b> Mất mã này thì không ai lấy lại được hồ sơ, kể cả nhà cung cấp phần mềm.")
KEEP_VI = ("Hãy in mã ra (hoặc chép tay), cất vào tủ hoặc két có khóa của cơ quan. Mã chỉ hiện một lần: "
           "phần mềm không lưu mã này ở đâu cả.")
REPLACE_VI = ("Thư mục dữ liệu đã có mã khôi phục. Nhập mã hiện tại để đặt mã mới thay thế; vẫn giữ tờ mã "
              "cũ: các bản sao lưu làm trước hôm nay vẫn cần mã cũ.")
READ_VI = ("Đọc theo từng nhóm 4 ký tự, gõ lại cả dấu gạch ngang. Mã chỉ có chữ in hoa và chữ số 2–9 "
           "(không có chữ I, O và số 0, 1).")


def _message(error: BaseException) -> str:
    if isinstance(error, MotCuaError):
        return error.message_vi
    log.error("recovery secret: unexpected error", exc_info=error)
    return UNEXPECTED_VI


def secret_font(point_size: int = 22) -> QFont:
    font = QFont(SECRET_FAMILY, point_size, QFont.Weight.Bold)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setFixedPitch(True)
    return font


class RecoverySecretDialog(QDialog):
    """Shows a new recovery secret; "Tiếp tục" (enabled once the box is ticked) stores it."""

    secret_set = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 parent: QWidget | None = None, *, replace: bool = False, first_run: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.officer = officer
        self.replace = replace
        self.busy = False
        self.secret = keys_service.new_secret()
        self.setObjectName("recoverySecretDialog")
        self.setWindowTitle(f"{TITLE} — MotCua Desk")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = QLabel(f"<span style='font-size:15pt'><b>{TITLE}</b></span>", self)
        layout.addWidget(heading)
        for text in (WHY_VI, KEEP_VI):
            label = QLabel(text, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.old_secret: QLineEdit | None = None
        if replace:
            note = QLabel(REPLACE_VI, self)
            note.setWordWrap(True)
            layout.addWidget(note)
            form = QFormLayout()
            self.old_secret = QLineEdit(self)
            self.old_secret.setObjectName("oldSecret")
            self.old_secret.setEchoMode(QLineEdit.EchoMode.Password)
            self.old_secret.textChanged.connect(self._changed)
            form.addRow("Mã khôi phục &hiện tại:", self.old_secret)
            layout.addLayout(form)

        caption = QLabel("<b>Mã khôi phục mới:</b>" if replace
                         else "<b>Mã khôi phục của thư mục dữ liệu này:</b>", self)
        layout.addWidget(caption)
        self.secret_label = QLabel(self.secret, self)
        self.secret_label.setObjectName("secretLabel")
        self.secret_label.setFont(secret_font())
        self.secret_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret_label.setStyleSheet(SECRET_STYLE)
        self.secret_label.setAccessibleName("Mã khôi phục: " + " ".join(self.secret.split("-")))
        layout.addWidget(self.secret_label)
        read = QLabel(READ_VI, self)
        read.setWordWrap(True)
        read.setStyleSheet("color: #555;")
        layout.addWidget(read)

        actions = QHBoxLayout()
        self.print_button = QPushButton("&In mã khôi phục…", self)
        self.print_button.setObjectName("printButton")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(lambda: self.print_secret())
        self.copy_button = QPushButton("Sao &chép", self)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_secret)
        actions.addWidget(self.print_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.note = QLabel(self)
        self.note.setObjectName("recoveryNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        layout.addWidget(self.note)

        self.saved_check = QCheckBox("Tôi đã in hoặc chép mã này và cất vào nơi an toàn", self)
        self.saved_check.setObjectName("savedCheck")
        self.saved_check.toggled.connect(self._changed)
        layout.addWidget(self.saved_check)
        self.error = QLabel(self)
        self.error.setObjectName("recoveryError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.continue_button = buttons.addButton("&Tiếp tục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setObjectName("continueButton")
        self.later_button = buttons.addButton("Để sau" if first_run else "Hủy",
                                              QDialogButtonBox.ButtonRole.RejectRole)
        self.later_button.setAutoDefault(False)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._changed()
        (self.old_secret or self.print_button).setFocus()

    # -- state ---------------------------------------------------------------------------------
    def can_continue(self) -> bool:
        old_ok = self.old_secret is None or bool(self.old_secret.text().strip())
        return self.saved_check.isChecked() and old_ok and not self.busy

    def _changed(self, *_args: object) -> None:
        self.error.hide()
        self.continue_button.setEnabled(self.can_continue())
        self.continue_button.setDefault(self.can_continue())

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.print_button.setEnabled(not busy)
        self.later_button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.WaitCursor if busy else Qt.CursorShape.ArrowCursor)
        self._changed()

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, keys_service.WrongSecret) and self.old_secret is not None:
            self.old_secret.clear()
            self.old_secret.setFocus()
        self._set_busy(False)
        self.error.setText(_message(error))
        self.error.show()

    # -- print, copy ---------------------------------------------------------------------------
    def print_secret(self, printer: QPrinter | None = None) -> None:
        """Render the slip in the background, then print it (``printer`` None: ask with the print
        dialog). A printer that writes a PDF file gets the slip's own PDF (text, embedded fonts)."""
        ctx, officer, secret = self.ctx, self.officer, self.secret
        self._set_busy(True)
        self.runner.run_work(lambda: keys_service.recovery_slip(ctx, officer, secret),
                             lambda data: self._print(data, printer), self._failed)

    def _print(self, data: bytes, printer: QPrinter | None) -> None:
        self._set_busy(False)
        if printer is None:
            printer = new_printer()
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle("In mã khôi phục")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        try:
            if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
                path = write_atomically(_pdf_path(printer.outputFileName()), data)
                self._show_note(f"Đã lưu phiếu mã khôi phục vào tệp {path}. Hãy in tệp này ra rồi xóa "
                                "tệp đi.")
                return
            if print_pdf(self, data, printer):
                self._show_note("Đã gửi phiếu mã khôi phục tới máy in.")
        except (OSError, MotCuaError) as error:
            self._failed(error)

    def copy_secret(self) -> None:
        QGuiApplication.clipboard().setText(self.secret)
        self._show_note("Đã chép mã vào bộ nhớ tạm: hãy dán vào nơi cất giữ an toàn. Bộ nhớ tạm sẽ được "
                        "xóa khi đóng cửa sổ này.")

    # -- store ---------------------------------------------------------------------------------
    def submit(self) -> None:
        if not self.can_continue():
            return
        ctx, officer, secret = self.ctx, self.officer, self.secret
        old = self.old_secret.text().strip() if self.old_secret is not None else None
        self._set_busy(True)
        self.runner.run_db(lambda: keys_service.set_recovery_secret(ctx, officer, secret, old_secret=old),
                           self._stored, self._failed)

    def _stored(self, _result: object) -> None:
        self._set_busy(False)
        log.info("recovery secret set by %s", self.officer.username)
        self.secret_set.emit()
        self.accept()

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def done(self, result: int) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard.text() == self.secret:
            clipboard.clear()
        super().done(result)


def _pdf_path(name: str) -> Path:
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


def offer_at_first_run(ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                       parent: QWidget | None = None) -> bool:
    """After the first administrator is created: show the dialog (modally) when the data folder has no
    recovery secret. True when a secret was stored."""
    if not officer.can(auth.Permission.MANAGE_KEYS) or keys_service.recovery_set(ctx):
        return False
    dialog = RecoverySecretDialog(ctx, runner, officer, parent, first_run=True)
    return dialog.exec() == QDialog.DialogCode.Accepted


class RecoveryReminder(QObject):
    """For administrators: the Quản trị menu with "Đặt mã khôi phục dữ liệu…", and a yellow bar under
    the toolbar while the data folder has no recovery secret (not for the CLI-like system officer)."""

    def __init__(self, window: QMainWindow, ctx: AppContext, runner: TaskRunner,
                 officer: auth.Officer) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.runner = runner
        self.officer = officer
        self.action: QAction | None = None
        self.bar: QToolBar | None = None
        self.dialog: RecoverySecretDialog | None = None
        if not officer.can(auth.Permission.MANAGE_KEYS):
            return
        menu = window.menuBar().addMenu("&Quản trị")
        self.action = QAction("Đặt &mã khôi phục dữ liệu…", window)
        self.action.setObjectName("setRecoverySecretAction")
        self.action.triggered.connect(self.open_dialog)
        menu.addAction(self.action)
        self.bar = self._make_bar()
        if officer != auth.SYSTEM_OFFICER:
            self.refresh()

    def _make_bar(self) -> QToolBar:
        bar = QToolBar("Mã khôi phục dữ liệu", self.window)
        bar.setObjectName("recoveryBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setVisible(False)
        bar.setStyleSheet(BAR_STYLE)
        icon = QLabel(bar)
        size = bar.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = bar.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size, size))
        bar.addWidget(icon)
        self.bar_label = QLabel(BAR_TEXT, bar)
        self.bar_label.setObjectName("recoveryBarText")
        bar.addWidget(self.bar_label)
        button = QPushButton("Đặt mã khôi phục…", bar)
        button.setObjectName("recoveryBarButton")
        button.clicked.connect(self.open_dialog)
        bar.addWidget(button)
        self.window.addToolBarBreak()
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.hide()
        return bar

    def refresh(self) -> None:
        ctx = self.ctx
        self.runner.run_db(lambda: keys_service.recovery_set(ctx), self._show_state)

    def _show_state(self, recovery_set: bool) -> None:
        if self.bar is not None:
            self.bar.setVisible(not recovery_set)

    def open_dialog(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.activateWindow()
            return
        ctx = self.ctx
        self.runner.run_db(lambda: keys_service.recovery_set(ctx), self._open)

    def _open(self, recovery_set: bool) -> None:
        dialog = RecoverySecretDialog(self.ctx, self.runner, self.officer, self.window, replace=recovery_set)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.secret_set.connect(self._stored)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _stored(self) -> None:
        self._show_state(True)
        self.window.statusBar().showMessage("Đã đặt mã khôi phục dữ liệu.", 8000)
