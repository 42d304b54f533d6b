"""Số hoá kết quả: the return dialog digitises the result with the keyboard; the detail pane offers
"Kết quả chưa số hoá" for a dossier handed back without it."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.dossier import DossierStatus
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.online import fees
from app.services.reception import dossiers as dossier_service
from app.services.reception import handover
from app.services.warehouse import records as warehouse
from app.services.warehouse import results
from app.ui import main_window
from app.ui.main_window import MainWindow
from app.ui.reception.return_dialog import ReturnDialog
from app.ui.warehouse.result_digitise import DigitiseResultDialog

ALT = Qt.KeyboardModifier.AltModifier


def _dossier_with_result(ctx: AppContext, status: DossierStatus):  # type: ignore[no-untyped-def]
    """A demo dossier in ``status`` whose procedure issues a document and whose applicant has a CCCD."""
    for summary in dossier_service.list_dossiers(ctx, status=int(status), limit=200):
        dossier = dossier_service.get_dossier(ctx, summary.code)
        if dossier.applicant.id_number and results.result_status(ctx, dossier.code).expected:
            if fees.fee_state(ctx, dossier.code).due_amount:  # a result is returned once the fee is paid
                fees.pay(ctx, dossier.code, fees.fee_state(ctx, dossier.code).due_amount, "cash",
                         SYSTEM_OFFICER, receipt_no="BL-000777")
            return dossier
    pytest.skip(f"no demo dossier in status {int(status)} with a document result")


def _pdf(path: Path, pages: int = 1) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = path.stem
    pdf.save(path, deterministic_id=True)
    return path


def _dialog(qtbot, ctx: AppContext, runner, **kwargs) -> ReturnDialog:  # type: ignore[no-untyped-def]
    dialog = ReturnDialog(ctx, runner, SYSTEM_OFFICER, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.code.hasFocus)
    return dialog


def test_return_dialog_digitises_the_result_with_the_keyboard(qtbot, keyboard, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                              runner, tmp_path: Path) -> None:
    """GIVEN a dossier whose result is ready WHEN the officer scans the receipt, ticks "Số hoá kết
    quả" (Alt+H), picks the file (Alt+T), types số, ký hiệu, ngày cấp, người ký and presses Enter
    THEN the result is returned and stored in the applicant's warehouse; a broken file first is
    refused in Vietnamese and nothing is returned."""
    dossier = _dossier_with_result(demo_ctx, DossierStatus.DONE)
    dialog = _dialog(qtbot, demo_ctx, runner)
    section = dialog.digitise
    assert not section.body.isVisible()  # compact: collapsed until asked for
    with qtbot.waitSignal(section.types_loaded, timeout=10_000), \
            qtbot.waitSignal(dialog.looked_up, timeout=10_000):
        keyboard.scan(dossier.code)
    assert keyboard.focus() is dialog.collected_by
    expected_type = section.type_combo.currentData()
    assert expected_type == results.result_choices(demo_ctx, dossier.code)[0].code

    keyboard.press(Qt.Key.Key_H, ALT)
    qtbot.waitUntil(lambda: section.body.isVisible() and keyboard.focus() is section.pick_button)
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"khong phai PDF")
    section.pick_files = lambda: [str(bad)]
    keyboard.press(Qt.Key.Key_T, ALT)  # a button's mnemonic clicks it after a short animation
    qtbot.waitUntil(lambda: keyboard.focus() is section.number)
    assert "hong.pdf" in section.file_label.text()
    keyboard.type("123")
    keyboard.press(Qt.Key.Key_Tab)
    assert keyboard.focus() is section.symbol
    keyboard.type("2026/KS")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("20/11/2026")
    keyboard.press(Qt.Key.Key_Tab)
    assert keyboard.focus() is section.signer
    keyboard.type("Trần Văn Bình")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Tệp không phải là tệp PDF" in dialog.message.text(), timeout=10_000)
    assert dossier_service.get_dossier(demo_ctx, dossier.code).status is DossierStatus.DONE
    assert keyboard.focus() is section.pick_button  # the error points at the file

    good = _pdf(tmp_path / "giay-khai-sinh.pdf", pages=2)
    section.pick_files = lambda: [str(good)]
    keyboard.press(Qt.Key.Key_T, ALT)
    qtbot.waitUntil(lambda: "giay-khai-sinh.pdf" in section.file_label.text())
    assert section.number.text() == "123"  # what was typed is kept
    with qtbot.waitSignal(dialog.returned, timeout=10_000):
        keyboard.press(Qt.Key.Key_Return)
    returned = dossier_service.get_dossier(demo_ctx, dossier.code)
    assert returned.status is DossierStatus.RETURNED
    [record] = results.dossier_results(demo_ctx, dossier.code)
    assert dialog.last_record == record
    m = record.metadata
    assert (m.type_code, m.number, m.symbol, m.signer, record.pages) == (expected_type, "123", "2026/KS",
                                                                          "Trần Văn Bình", 2)
    assert m.issued_on is not None and m.issued_on.strftime("%d/%m/%Y") == "20/11/2026"
    found = warehouse.search(demo_ctx, SYSTEM_OFFICER, owner_id=dossier.applicant.id_number)
    assert record.record_id in [r.record_id for r in found]
    assert "Đã số hoá kết quả vào kho" in dialog.message.text() and record.record_id in dialog.message.text()
    assert keyboard.focus() is dialog.code  # ready for the next receipt
    assert section.files == [] and section.number.text() == "" and section.signer.text() == "Trần Văn Bình"


def test_return_dialog_reads_the_result_from_the_scanner(qtbot, keyboard, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                         runner, tmp_path: Path) -> None:
    page = tmp_path / "trang.png"
    Image.new("L", (1654, 2339), 245).save(page, dpi=(200, 200))
    dossier = _dossier_with_result(demo_ctx, DossierStatus.DONE)
    dialog = _dialog(qtbot, demo_ctx, runner, scanners=lambda: [(f"file:{page}", "Máy quét thử")])
    section = dialog.digitise
    with qtbot.waitSignal(section.types_loaded, timeout=10_000):
        keyboard.scan(dossier.code)
    keyboard.press(Qt.Key.Key_H, ALT)
    qtbot.waitUntil(lambda: section.scan_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(section.scan_finished, timeout=20_000) as scanned:
        keyboard.press(Qt.Key.Key_Q, ALT)
    assert scanned.args == [1] and "1 trang đã quét" in section.file_label.text()
    keyboard.type("77")
    with qtbot.waitSignal(dialog.returned, timeout=20_000):
        keyboard.press(Qt.Key.Key_Return)
    [record] = results.dossier_results(demo_ctx, dossier.code)
    assert (record.pages, record.metadata.number) == (1, "77")


def test_detail_pane_offers_to_digitise_a_result_returned_without_it(qtbot, keyboard, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                                     monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(main_window, "list_scanners", lambda: [])
    dossier = _dossier_with_result(demo_ctx, DossierStatus.DONE)
    handover.return_result(demo_ctx, dossier.code, dossier.applicant.full_name, SYSTEM_OFFICER)
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window._show_detail(dossier.code)
    assert "Kết quả chưa số hoá" in window.detail.toPlainText()
    assert "Số hoá kết quả…" in window.detail.toPlainText()

    keyboard.press(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.digitise_dialog
    assert isinstance(dialog, DigitiseResultDialog)
    qtbot.waitUntil(lambda: dialog.section.type_combo.count() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: keyboard.focus() is dialog.section.pick_button)
    pdf = _pdf(tmp_path / "ket-qua.pdf")
    dialog.section.pick_files = lambda: [str(pdf)]
    keyboard.press(Qt.Key.Key_Return)  # on "Chọn tệp…": chooses the file
    assert keyboard.focus() is dialog.section.number
    keyboard.type("45")
    with qtbot.waitSignal(dialog.digitised, timeout=10_000) as done, \
            qtbot.waitSignal(window.detail_shown, timeout=10_000):
        keyboard.press(Qt.Key.Key_Return)
    record = done.args[0]
    assert record.metadata.number == "45" and record.source_ref == f"{dossier.code}#KQ"
    text = window.detail.toPlainText()
    assert "Kết quả chưa số hoá" not in text and record.record_id in text
