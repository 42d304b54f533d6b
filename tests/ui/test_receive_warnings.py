"""The reception dialog warns (without blocking) about the same person's open dossier and a receipt
outside office hours, and leaves the portal's online-only e-forms out of an in-person dossier."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.ui.reception.receive_dialog import ReceiveDialog

WEEKDAY_MORNING = datetime(2026, 11, 20, 9, 30)  # a Friday, inside office hours
SATURDAY = datetime(2026, 11, 21, 9, 30)


def _dialog(qtbot, ctx: AppContext, runner, now: datetime) -> ReceiveDialog:  # type: ignore[no-untyped-def]
    dialog = ReceiveDialog(ctx, runner, SYSTEM_OFFICER, now=lambda: now)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.catalogue_loaded, dialog.drafts_checked], timeout=10_000):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.picker.hasFocus())
    return dialog


def _choose(keyboard, dialog: ReceiveDialog, query: str) -> None:  # type: ignore[no-untyped-def]
    dialog.picker.setFocus()
    keyboard.type(query)
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.picker.procedure is not None


def test_same_person_with_an_open_dossier_is_warned(qtbot, keyboard, demo_ctx, runner,  # type: ignore[no-untyped-def]
                                                    cccd_payload: str) -> None:
    """GIVEN a dossier of "khai sinh" received for a person WHEN the same CCCD is scanned for the
    same procedure THEN the dialog shows the earlier code, and saving still works."""
    first = _dialog(qtbot, demo_ctx, runner, WEEKDAY_MORNING)
    _choose(keyboard, first, "1193")
    with qtbot.waitSignal(first.warnings_shown, timeout=10_000):
        keyboard.scan(cccd_payload)
    assert not first.counter_warning.isVisible() and first.warnings == []
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: first.dossier is not None, timeout=10_000)
    earlier = first.dossier.code
    qtbot.waitUntil(lambda: not first.busy, timeout=5_000)
    first.close()

    second = _dialog(qtbot, demo_ctx, runner, WEEKDAY_MORNING)
    _choose(keyboard, second, "1193")
    with qtbot.waitSignal(second.warnings_shown, timeout=10_000):
        keyboard.scan(cccd_payload)
    qtbot.waitUntil(lambda: second.counter_warning.isVisible(), timeout=5_000)
    assert [(w.kind, w.dossier_code) for w in second.warnings] == [("open_dossier", earlier)]
    assert earlier in second.counter_warning.text() and "Nguyễn Thị Hoa" not in second.counter_warning.text()
    keyboard.press(Qt.Key.Key_Return)  # a warning, not a refusal
    qtbot.waitUntil(lambda: second.dossier is not None, timeout=10_000)
    assert second.dossier.code != earlier
    qtbot.waitUntil(lambda: not second.busy, timeout=5_000)


def test_outside_office_hours_is_warned(qtbot, keyboard, demo_ctx, runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, demo_ctx, runner, SATURDAY)
    with qtbot.waitSignal(dialog.warnings_shown, timeout=10_000):
        _choose(keyboard, dialog, "4222")
    assert [w.kind for w in dialog.warnings] == ["outside_hours"]
    qtbot.waitUntil(lambda: dialog.counter_warning.isVisible(), timeout=5_000)
    assert "không phải ngày làm việc" in dialog.counter_warning.text()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5_000)


def test_online_only_e_form_is_neither_ticked_nor_listed(qtbot, keyboard, demo_ctx, runner,  # type: ignore[no-untyped-def]
                                                         cccd_payload: str) -> None:
    dialog = _dialog(qtbot, demo_ctx, runner, WEEKDAY_MORNING)
    _choose(keyboard, dialog, "1193")
    procedure = dialog.picker.procedure
    online = [i for i, c in enumerate(procedure.components) if c.online_only]
    assert online == [7]
    assert dialog.components.isRowHidden(7)
    assert [r["index"] for r in dialog.components.rows()] == [0, 1, 2, 3, 4, 5, 6]
    assert [r["index"] for r in dialog.components.rows() if r["received"]] == [3, 5, 6]
    keyboard.scan(cccd_payload)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.dossier is not None, timeout=10_000)
    stored = dossier_service.get_dossier(demo_ctx, dialog.dossier.code)
    assert 7 not in [c.index for c in stored.components]
    assert [c.index for c in stored.components if c.received] == [3, 5, 6]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5_000)
