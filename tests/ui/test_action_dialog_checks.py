"""The action dialog checks what it can before storing anything: the postponement proposes the next
working day at the appointment's time and refuses a past date in the dialog; a supplement request
needs at least one item (ticked from the components or typed) and a reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt

from app.core.calendar import WorkCalendar
from app.core.clock import vn_now
from app.core.dossier import DossierStatus
from app.core.lifecycle import Action
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.ui.lifecycle.action_dialog import ActionDialog
from tests.ui.test_lifecycle_actions import _first, _show, _window


def _dialog(qtbot, ctx: AppContext, action: Action, status: DossierStatus) -> ActionDialog:  # type: ignore[no-untyped-def]
    """The dialog as the officer opens it: from the main window, on the dossier shown."""
    window = _window(qtbot, ctx)
    _show(qtbot, window, _first(ctx, status))
    dialog = window.open_action_dialog(action)
    assert dialog is not None
    return dialog


def test_postponement_proposes_the_next_working_day_and_refuses_the_past(  # type: ignore[no-untyped-def]
        qtbot, demo_ctx: AppContext) -> None:
    dialog = _dialog(qtbot, demo_ctx, Action.POSTPONE, DossierStatus.PROCESSING)
    qtbot.waitUntil(lambda: dialog.default_due is not None, timeout=10_000)
    due = dialog.dossier.due_at
    day = max(due.date(), vn_now().date()) + timedelta(days=1)
    calendar = WorkCalendar()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    assert dialog.new_due.dateTime().toPython() == datetime.combine(day, due.time())
    assert calendar.is_working_day(dialog.new_due.dateTime().toPython().date())

    yesterday = vn_now().replace(second=0, microsecond=0) - timedelta(days=1)
    dialog.new_due.setDateTime(QDateTime(yesterday))
    assert "đã qua" in dialog.message.text()  # said as soon as it is chosen
    dialog.reason.setText("Chờ xác minh")
    dialog.ok_button.click()
    assert "đã qua" in dialog.message.text() and dialog.ok_button.isEnabled() and dialog.result is None
    assert dossier_service.get_dossier(demo_ctx, dialog.dossier.code).due_at == due  # nothing stored
    assert dialog.reason.text() == "Chờ xác minh"  # nothing typed is lost


def test_supplement_request_needs_an_item_and_a_reason(  # type: ignore[no-untyped-def]
        qtbot, demo_ctx: AppContext) -> None:
    dialog = _dialog(qtbot, demo_ctx, Action.SUPPLEMENT_REQUEST, DossierStatus.RECEIVED)
    assert dialog.items.count() == len(dialog.dossier.components) > 0
    dialog.reason.setText("Thiếu giấy tờ")
    dialog.ok_button.click()
    assert "ít nhất một giấy tờ" in dialog.message.text() and dialog.result is None
    dialog.other_items.setPlainText("Bản sao giấy khai sinh")
    dialog.reason.setText("  ")
    dialog.ok_button.click()
    assert "lý do yêu cầu bổ sung" in dialog.message.text().lower() and dialog.result is None
    assert dossier_service.get_dossier(demo_ctx, dialog.dossier.code).status is DossierStatus.RECEIVED
    dialog.items.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.reason.setText("Thiếu giấy tờ hộ tịch")
    with qtbot.waitSignal(dialog.finished_action, timeout=20_000) as done:
        dialog.ok_button.click()
    assert done.args[0].status is DossierStatus.SUPPLEMENT_REQUESTED
    assert len(done.args[0].supplements[-1].items) == 2
