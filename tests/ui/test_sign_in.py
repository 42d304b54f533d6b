"""Signing in: the first run creates the administrator; wrong passwords are told in the dialog;
the main window shows the officer and enables only what their role allows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.admin import auth
from app.services.context import AppContext
from app.ui.admin.sign_in import FirstAdminDialog, SignInDialog
from app.ui.main_window import MainWindow

PASSWORD = "mat-khau-2026"


def _show(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.focusWidget() is not None and dialog.focusWidget().hasFocus())


def test_first_run_creates_the_administrator_then_signs_in(qtbot, keyboard, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                           runner) -> None:
    assert auth.needs_first_admin(demo_ctx)
    first = FirstAdminDialog(demo_ctx, runner)
    _show(qtbot, first)
    assert keyboard.focus() is first.full_name
    keyboard.type("Phạm Thu Hà")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type(PASSWORD)
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type(PASSWORD)
    with qtbot.waitSignal(first.signed_in, timeout=10_000) as signed:
        keyboard.press(Qt.Key.Key_Return)
    officer = signed.args[0]
    assert officer == auth.Officer("admin", "Phạm Thu Hà", auth.Role.ADMIN)
    assert not auth.needs_first_admin(demo_ctx)

    sign_in = SignInDialog(demo_ctx, runner)
    _show(qtbot, sign_in)
    keyboard.type("admin")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("sai-mat-khau")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(sign_in.error.isVisible, timeout=10_000)
    assert "mật khẩu không đúng" in sign_in.error.text()
    assert keyboard.focus() is sign_in.password and sign_in.password.text() == ""
    keyboard.type(PASSWORD)
    with qtbot.waitSignal(sign_in.signed_in, timeout=10_000) as signed:
        keyboard.press(Qt.Key.Key_Return)
    assert signed.args[0] == officer
    assert sign_in.officer == officer


def test_passwords_must_match_and_be_long_enough(qtbot, keyboard, demo_ctx: AppContext, runner) -> None:  # type: ignore[no-untyped-def]
    first = FirstAdminDialog(demo_ctx, runner)
    _show(qtbot, first)
    first.full_name.setText("Phạm Thu Hà")
    first.password.setText(PASSWORD)
    first.confirm.setText(PASSWORD + "x")
    first.confirm.setFocus()
    keyboard.press(Qt.Key.Key_Return)
    assert "không khớp" in first.error.text()
    assert keyboard.focus() is first.confirm
    first.password.setText("ngan")
    first.confirm.setText("ngan")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "ít nhất" in first.error.text(), timeout=10_000)
    assert auth.needs_first_admin(demo_ctx)


def test_empty_fields_are_asked_for(qtbot, keyboard, demo_ctx: AppContext, runner) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog(demo_ctx, runner)
    _show(qtbot, dialog)
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.error.isVisible() and "Hãy nhập" in dialog.error.text()


def test_main_window_shows_the_officer_and_their_permissions(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    clerk = auth.Officer("lan", "Võ Thị Lan", auth.Role.CLERK)
    window = MainWindow(demo_ctx, officer=clerk)
    qtbot.addWidget(window)
    assert window.officer_label.text() == "Cán bộ: Võ Thị Lan (Nhân viên số hóa)"
    assert not window.receive_action.isEnabled()
    assert not window.return_action.isEnabled()
    assert window.open_receive_dialog() is None
    officer = auth.Officer("hoa", "Nguyễn Thị Hoa", auth.Role.OFFICER)
    other = MainWindow(demo_ctx, officer=officer)
    qtbot.addWidget(other)
    assert other.receive_action.isEnabled() and other.return_action.isEnabled()
    assert "Cán bộ tiếp nhận" in other.officer_label.text()
    assert other.receive_action.shortcut().toString() == "Ctrl+N"
    assert other.return_action.shortcut().toString() == "F9"


def test_window_without_an_officer_acts_as_the_system(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    assert window.officer is auth.SYSTEM_OFFICER
    assert window.receive_action.isEnabled()
