"""The dossier actions in the main window: only the allowed ones are offered, each shortcut opens its
dialog, the action is stored and its slip rendered from the dossier as the action left it."""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timedelta
from io import BytesIO

from pypdf import PdfReader
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication

from app.core.calendar import WorkCalendar
from app.core.clock import vn_now
from app.core.dossier import DossierStatus
from app.core.lifecycle import Action
from app.services import dossiers as dossier_service
from app.services.auth import Officer, Role
from app.services.context import AppContext
from app.ui.lifecycle.action_dialog import ActionDialog
from app.ui.main_window import MainWindow

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)


def _window(qtbot, ctx: AppContext, officer: Officer = OFFICER) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, officer=officer)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    return window


def _show(qtbot, window: MainWindow, code: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window._show_detail(code)


def _visible(window: MainWindow) -> set[Action]:
    return {a for a, b in window.actions_bar.buttons.items() if b.isVisibleTo(window)}


def _run(qtbot, window: MainWindow, keys: str) -> ActionDialog:  # type: ignore[no-untyped-def]
    window.activateWindow()  # the shortcut belongs to the main window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window, *_key(keys))
    qtbot.waitUntil(lambda: window.action_dialog is not None and window.action_dialog.isVisible(),
                    timeout=5_000)
    return window.action_dialog  # type: ignore[return-value]


def _key(keys: str) -> tuple:  # type: ignore[type-arg]
    modifiers = Qt.KeyboardModifier.NoModifier
    if keys.startswith("Ctrl+Shift+"):
        modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        keys = keys.removeprefix("Ctrl+Shift+")
    return getattr(Qt.Key, f"Key_{keys}"), modifiers


def _confirm(qtbot, dialog: ActionDialog):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.finished_action, timeout=20_000) as done:
        dialog.ok_button.click()
    return done.args[0]


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _first(ctx: AppContext, status: DossierStatus, skip: int = 0) -> str:
    return dossier_service.list_dossiers(ctx, status=int(status), limit=skip + 1)[skip].code


def test_received_dossier_hand_over_supplement_and_back(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    code = _first(demo_ctx, DossierStatus.RECEIVED)
    _show(qtbot, window, code)
    assert _visible(window) == {Action.HANDOVER, Action.SUPPLEMENT_REQUEST, Action.DONE, Action.REFUSE,
                                Action.STOP, Action.WITHDRAW}

    dialog = _run(qtbot, window, "F2")
    assert dialog.action is Action.HANDOVER
    dialog.unit.setText("Công chức Tư pháp - Hộ tịch")
    assert _confirm(qtbot, dialog).status is DossierStatus.PROCESSING
    qtbot.waitUntil(lambda: Action.POSTPONE in _visible(window), timeout=10_000)
    assert Action.HANDOVER not in _visible(window)
    dialog.close()

    dialog = _run(qtbot, window, "F3")
    dialog.items.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.other_items.setPlainText("Giấy xác nhận tình trạng hôn nhân\n\n")
    dialog.reason.setText("Thiếu giấy tờ hộ tịch")
    first_component = unicodedata.normalize("NFC", " ".join(dialog.items.item(0).text().split()))
    stored = _confirm(qtbot, dialog)
    assert stored.status is DossierStatus.SUPPLEMENT_REQUESTED
    assert stored.supplements[-1].items == [first_component, "Giấy xác nhận tình trạng hôn nhân"]
    text = _pdf_text(dialog.slip_pdf)
    assert "PHIẾU YÊU CẦU BỔ SUNG" in text and "Giấy xác nhận tình trạng hôn nhân" in text
    assert first_component.split()[0] in text and "Thiếu giấy tờ hộ tịch" in text
    assert dialog.print_button.isVisible()
    dialog.close()
    qtbot.waitUntil(lambda: _visible(window) == {Action.SUPPLEMENT_RECEIVE, Action.STOP, Action.WITHDRAW},
                    timeout=10_000)

    dialog = _run(qtbot, window, "F4")
    back = _confirm(qtbot, dialog)
    assert back.status is DossierStatus.PROCESSING
    assert back.history[-1].previous_due_at is not None and back.history[-1].officer == "Lê Văn Hùng"


def test_refusal_needs_a_reason_and_prints_it(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    code = _first(demo_ctx, DossierStatus.RECEIVED)
    _show(qtbot, window, code)
    dialog = _run(qtbot, window, "Ctrl+Shift+T")
    dialog.ok_button.click()  # no reason typed
    qtbot.waitUntil(lambda: "lý do" in dialog.message.text().lower(), timeout=10_000)
    assert dossier_service.get_dossier(demo_ctx, code).status is DossierStatus.RECEIVED
    dialog.reason.setText("Hồ sơ không thuộc thẩm quyền giải quyết")
    assert _confirm(qtbot, dialog).status is DossierStatus.REJECTED
    assert "Hồ sơ không thuộc thẩm quyền giải quyết" in _pdf_text(dialog.slip_pdf)


def test_postpone_a_late_dossier(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    code = _first(demo_ctx, DossierStatus.PROCESSING)  # the demo is a few weeks old: it is late now
    _show(qtbot, window, code)
    dialog = _run(qtbot, window, "F8")
    new_due = datetime.combine(WorkCalendar().next_working_day(vn_now().date() + timedelta(days=1)),
                               time(10, 0))
    dialog.new_due.setDateTime(QDateTime(new_due))
    dialog.reason.setText("Chờ kết quả xác minh")
    stored = _confirm(qtbot, dialog)
    assert stored.due_at == new_due and dossier_service.get_dossier(demo_ctx, code).due_at == new_due
    text = _pdf_text(dialog.slip_pdf)
    assert f"ngày {new_due:%d} tháng {new_due:%m} năm {new_due:%Y}" in text and "Chờ kết quả xác minh" in text


def test_done_stop_and_withdraw(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    for keys, status, reason in (("F6", DossierStatus.DONE, None), ("Ctrl+Shift+X", DossierStatus.STOPPED,
                                                                    "Dừng để xác minh"),
                                 ("Ctrl+Shift+W", DossierStatus.WITHDRAWN, "Công dân xin rút")):
        code = _first(demo_ctx, DossierStatus.PROCESSING)
        _show(qtbot, window, code)
        dialog = _run(qtbot, window, keys)
        if reason is not None:
            dialog.reason.setText(reason)
        assert _confirm(qtbot, dialog).status is status
        dialog.close()
        assert dossier_service.get_dossier(demo_ctx, code).status is status
    stopped = dossier_service.get_dossier(demo_ctx, _first(demo_ctx, DossierStatus.STOPPED))
    assert stopped.history[-1].reason == "Dừng để xác minh"


def test_nothing_offered_without_permission_or_on_a_closed_dossier(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    clerk = _window(qtbot, demo_ctx, Officer("mai", "Phạm Thị Mai", Role.CLERK))
    _show(qtbot, clerk, _first(demo_ctx, DossierStatus.RECEIVED))
    assert _visible(clerk) == set()
    assert clerk.open_action_dialog(Action.HANDOVER) is None
    officer = _window(qtbot, demo_ctx)
    _show(qtbot, officer, _first(demo_ctx, DossierStatus.RETURNED))
    assert _visible(officer) == set() and "Không còn thao tác" in officer.actions_bar.hint.text()
