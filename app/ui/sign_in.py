"""Sign in before the main window opens; on the very first run, create the administrator first."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import MotCuaError
from app.services import auth
from app.services.context import AppContext
from app.ui.ops import TaskRunner
from app.ui.recovery_secret_dialog import offer_at_first_run

log = logging.getLogger(__name__)
ERROR_STYLE = "color: #c62828;"
UNEXPECTED_VI = "Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký."


def _message(error: BaseException) -> str:
    if isinstance(error, MotCuaError):
        return error.message_vi
    log.error("sign-in failed unexpectedly", exc_info=error)
    return UNEXPECTED_VI


class _AccountDialog(QDialog):
    """Shared frame: a form, an error line under the fields, OK/Cancel; work runs in the background."""

    signed_in = Signal(object)  # Officer

    def __init__(self, ctx: AppContext, runner: TaskRunner, title: str, intro: str, ok_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.officer: auth.Officer | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        heading = QLabel(intro, self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = QLabel(self)
        self.error.setObjectName("signInError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.cancel = self.buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _line(self, label: str, name: str, *, password: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _t: self.error.hide())
        self.form.addRow(label, edit)
        return edit

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def set_busy(self, *, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.WaitCursor if busy else Qt.CursorShape.ArrowCursor)

    def submit(self) -> None:
        raise NotImplementedError

    def _done(self, officer: auth.Officer) -> None:
        self.set_busy(busy=False)
        self.officer = officer
        self.signed_in.emit(officer)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.set_busy(busy=False)
        self.show_error(_message(error))


class SignInDialog(_AccountDialog):
    """Username and password; Enter signs in; a wrong password shows a message under the fields."""

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, "Đăng nhập — MotCua Desk",
                         "<b>Đăng nhập</b><br>Nhập tên đăng nhập và mật khẩu của cán bộ.",
                         "Đăng &nhập", parent)
        self.username = self._line("&Tên đăng nhập:", "username")
        self.password = self._line("&Mật khẩu:", "password", password=True)
        self.username.setFocus()

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.show_error("Hãy nhập tên đăng nhập và mật khẩu.")
            (self.username if not username else self.password).setFocus()
            return
        self.set_busy(busy=True)
        ctx = self.ctx
        self.runner.run_db(lambda: auth.authenticate(ctx, username, password), self._done,
                           self._signin_failed)

    def _signin_failed(self, error: BaseException) -> None:
        self._failed(error)
        self.password.clear()
        self.password.setFocus()


class FirstAdminDialog(_AccountDialog):
    """The first run: create the administrator (username, full name, password twice)."""

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, "Tạo tài khoản quản trị — MotCua Desk",
                         "<b>Lần chạy đầu tiên</b><br>Chưa có tài khoản nào. Hãy tạo tài khoản "
                         "<b>quản trị viên</b>; quản trị viên sẽ tạo tài khoản cho các cán bộ khác.",
                         "&Tạo tài khoản", parent)
        self.username = self._line("&Tên đăng nhập:", "username")
        self.username.setText("admin")
        self.full_name = self._line("&Họ và tên:", "fullName")
        self.password = self._line("&Mật khẩu:", "password", password=True)
        self.password.setPlaceholderText(f"Ít nhất {auth.MIN_PASSWORD_LENGTH} ký tự")
        self.confirm = self._line("&Nhập lại mật khẩu:", "confirm", password=True)
        self.full_name.setFocus()

    def submit(self) -> None:
        if self.password.text() != self.confirm.text():
            self.show_error("Hai lần nhập mật khẩu không khớp nhau.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        self.set_busy(busy=True)
        ctx = self.ctx
        username, full_name, password = self.username.text(), self.full_name.text(), self.password.text()
        self.runner.run_db(
            lambda: auth.create_user(ctx, username, full_name, password, auth.Role.ADMIN, by=None),
            self._done, self._failed)


def sign_in(ctx: AppContext, runner: TaskRunner) -> auth.Officer | None:
    """The signed-in officer (after creating the administrator on the first run), or None if the
    officer gave up. Runs the dialogs modally: used by ``main()`` before the window exists. On the
    first run the new administrator is then given the data folder's recovery secret."""
    dialog: _AccountDialog
    first_run = auth.needs_first_admin(ctx)
    dialog = FirstAdminDialog(ctx, runner) if first_run else SignInDialog(ctx, runner)
    # said once the dialog is on screen, for whoever runs the app without seeing it (a headless demo)
    QTimer.singleShot(0, lambda: log.info("window open: %s (data folder %s)", dialog.windowTitle(),
                                          ctx.data_dir))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if first_run and dialog.officer is not None:
        offer_at_first_run(ctx, runner, dialog.officer)
    return dialog.officer
