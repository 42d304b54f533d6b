"""Trả kết quả: scan the receipt's code + Enter, check the person, Enter to hand the result over."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.dossier import DossierStatus
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.online import fees
from app.services.reception import dossiers as dossier_service
from app.ui.main_window import MainWindow
from app.ui.reception.return_dialog import ReturnDialog


def _window(qtbot, ctx: AppContext) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return window


def test_f9_scan_enter_returns_the_result(qtbot, keyboard, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a dossier whose result is ready (9) WHEN the officer presses F9, scans its receipt
    and presses Enter THEN it is returned (10) to the applicant and the list refreshes."""
    done = dossier_service.list_dossiers(demo_ctx, status=int(DossierStatus.DONE), limit=1)[0]
    window = _window(qtbot, demo_ctx)
    keyboard.press(Qt.Key.Key_F9)
    dialog = window.return_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: keyboard.focus() is dialog.code)
    with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.scan(done.code)
    assert keyboard.focus() is dialog.collected_by
    assert dialog.collected_by.text() == done.applicant_name
    assert done.code in dialog.summary.toPlainText()
    with qtbot.waitSignal(dialog.returned, timeout=10_000), qtbot.waitSignal(window.model.total_changed,
                                                                              timeout=10_000):
        keyboard.press(Qt.Key.Key_Return)
    returned = dossier_service.get_dossier(demo_ctx, done.code)
    assert returned.status is DossierStatus.RETURNED
    assert returned.returned_to == done.applicant_name
    assert "Đã trả kết quả" in dialog.message.text()
    assert keyboard.focus() is dialog.code and dialog.code.text() == ""  # ready for the next receipt
    assert keyboard.officer == 2  # F9, Enter


def test_received_dossier_is_not_returned(qtbot, keyboard, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                          runner) -> None:
    """GIVEN a dossier still "Được tiếp nhận" WHEN its code is scanned THEN the dialog says it cannot
    be returned and which actions are possible; Enter changes nothing."""
    received = dossier_service.list_dossiers(demo_ctx, status=int(DossierStatus.RECEIVED), limit=1)[0]
    dialog = ReturnDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.code.hasFocus)
    before = dossier_service.get_dossier(demo_ctx, received.code)
    keyboard.type(received.code.lower().upper())
    with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.press(Qt.Key.Key_Return)
    message = dialog.message.text()
    assert "Được tiếp nhận" in message and "chuyển xử lý" in message and "đã có kết quả" in message
    assert not dialog.confirm_button.isEnabled() and not dialog.collected_by.isEnabled()
    assert keyboard.focus() is dialog.code
    dialog.confirm()  # nothing to confirm
    assert dossier_service.get_dossier(demo_ctx, received.code).history == before.history


def test_unknown_code_is_reported_in_the_dialog(qtbot, keyboard, demo_ctx: AppContext, runner) -> None:  # type: ignore[no-untyped-def]
    dialog = ReturnDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.code.hasFocus)
    with qtbot.waitSignal(dialog.looked_up, timeout=10_000) as looked:
        keyboard.scan("000.00.12.H29-991231-9999")
    assert looked.args == [None]
    assert "Không tìm thấy" in dialog.message.text()
    assert not dialog.confirm_button.isEnabled()
    assert keyboard.focus() is dialog.code


def test_returned_dossier_cannot_be_returned_twice(qtbot, keyboard, demo_ctx: AppContext, runner) -> None:  # type: ignore[no-untyped-def]
    already = dossier_service.list_dossiers(demo_ctx, status=int(DossierStatus.RETURNED), limit=1)[0]
    dialog = ReturnDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.code.hasFocus)
    with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.scan(already.code)
    assert "đã được trả kết quả" in dialog.message.text()
    assert not dialog.confirm_button.isEnabled()
    assert dossier_service.get_dossier(demo_ctx, already.code).status is DossierStatus.RETURNED


def test_f7_reads_the_receipt_code_with_the_camera(qtbot, demo_ctx: AppContext, runner,  # type: ignore[no-untyped-def]
                                                   tmp_path) -> None:
    """GIVEN a printed Mẫu 01 receipt held up to the webcam (a clip of the real rendered page)
    WHEN the officer presses F7 in the return dialog THEN the dossier is looked up from its code."""
    import subprocess

    import cv2

    from app.services.reception import printing
    from app.services.scanning import camera as camera_service

    done = dossier_service.list_dossiers(demo_ctx, status=int(DossierStatus.DONE), limit=1)[0]
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(printing.render_slip(demo_ctx, "01", done.code, SYSTEM_OFFICER))
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = cv2.imread(str(next(tmp_path.glob("page*.png"))))
    top = page[: page.shape[0] // 4]  # the slip's header: Code 128 on the left, QR on the right
    frame = cv2.resize(top, (640, round(640 * top.shape[0] / top.shape[1])))
    clip = tmp_path / "receipt.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, frame.shape[0]))
    for _ in range(5):
        writer.write(frame)
    writer.release()
    camera_service.set_camera_source(demo_ctx, str(clip))

    dialog = ReturnDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    with qtbot.waitSignal(dialog.looked_up, timeout=20_000):
        qtbot.keyClick(dialog.code, Qt.Key.Key_F7)
    assert dialog.code.text() == done.code
    assert done.code in dialog.summary.toPlainText()


def test_collector_identity_from_the_cccd_qr_or_typed(qtbot, keyboard, cccd_payload: str,  # type: ignore[no-untyped-def]
                                                      demo_ctx: AppContext) -> None:
    """GIVEN a result ready WHEN the collector's CCCD QR is scanned (wedge) after the receipt THEN the
    name and number are filled and kept in the return's history; a typed number is checked too."""
    ready = dossier_service.list_dossiers(demo_ctx, status=int(DossierStatus.DONE), limit=2)
    for summary in ready:  # a result is returned once the fee is paid
        if due := fees.fee_state(demo_ctx, summary.code).due_amount:
            fees.pay(demo_ctx, summary.code, due, "cash", SYSTEM_OFFICER, receipt_no="BL-000778")
    window = _window(qtbot, demo_ctx)
    keyboard.press(Qt.Key.Key_F9)
    dialog = window.return_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: keyboard.focus() is dialog.code)
    assert not dialog.collector_id.isEnabled() and not dialog.cccd_button.isEnabled()
    with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.scan(ready[0].code)
    assert keyboard.focus() is dialog.collected_by and dialog.collector_id.isEnabled()
    keyboard.scan(cccd_payload)  # the wedge types it into the name field
    qtbot.waitUntil(lambda: dialog.collector_id.text() == "001190012345", timeout=5_000)
    assert dialog.collected_by.text() == "Nguyễn Thị Hoa" and "Đã đọc thẻ CCCD" in dialog.message.text()
    with qtbot.waitSignal(dialog.returned, timeout=10_000):
        keyboard.press(Qt.Key.Key_Return)
    first = dossier_service.get_dossier(demo_ctx, ready[0].code)
    assert first.returned_to == "Nguyễn Thị Hoa"
    assert first.history[-1].details["collector_id"] == "001190012345"
    assert "001190012345" in dialog.message.text()

    with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.scan(ready[1].code)
    assert dialog.collector_id.text() == ""  # never the previous collector's number
    dialog.collected_by.setText("Trần Văn Nam")
    dialog.collector_id.setText("12ab")  # typed wrong: refused in the dialog, nothing returned
    dialog.confirm()
    qtbot.waitUntil(lambda: "không hợp lệ" in dialog.message.text(), timeout=10_000)
    assert dossier_service.get_dossier(demo_ctx, ready[1].code).status is DossierStatus.DONE
    assert dialog.collector_id.hasFocus()
    dialog.collector_id.setText("079190001234")
    with qtbot.waitSignal(dialog.returned, timeout=10_000):
        dialog.confirm()
    second = dossier_service.get_dossier(demo_ctx, ready[1].code)
    assert second.returned_to == "Trần Văn Nam"
    assert second.history[-1].details["collector_id"] == "079190001234"
