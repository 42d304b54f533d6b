"""The reception dialog on real widgets: procedure picker, QR wedge, validation, drafts, receipt."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from app.core.text import fold
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.services.reception import drafts
from app.ui.reception.receive_dialog import ReceiveDialog


def _dialog(qtbot, ctx: AppContext, runner) -> ReceiveDialog:  # type: ignore[no-untyped-def]
    dialog = ReceiveDialog(ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.catalogue_loaded, dialog.drafts_checked], timeout=10_000):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.picker.hasFocus())
    return dialog


def _choose(qtbot, keyboard, dialog: ReceiveDialog, query: str) -> None:  # type: ignore[no-untyped-def]
    dialog.picker.setFocus()
    keyboard.type(query)
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.picker.procedure is not None


def test_picker_ignores_accents_and_takes_arrows_and_enter(qtbot, keyboard, demo_ctx, runner) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the catalogue WHEN the officer types "khai sinh" without accents, moves down and
    presses Enter THEN the second match is chosen, and every match is a "khai sinh" procedure."""
    dialog = _dialog(qtbot, demo_ctx, runner)
    keyboard.type("khai sinh")
    assert dialog.picker.popup_visible
    matches = dialog.picker.matches
    assert len(matches) >= 2
    assert all("khai sinh" in fold(p.name) for p in matches)
    keyboard.press(Qt.Key.Key_Down)
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.picker.procedure == matches[1]
    assert not dialog.picker.popup_visible
    assert keyboard.focus() is dialog.applicant.edits["id_number"]


@pytest.mark.parametrize("query", ["1193", "KHAI SINH", "Khai sinh", "đăng ký khai sinh"])
def test_picker_finds_by_code_or_name(qtbot, keyboard, demo_ctx, runner, query: str) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, demo_ctx, runner)
    keyboard.type(query)
    assert "1.001193" in [p.code for p in dialog.picker.matches]
    if query == "1193":
        keyboard.press(Qt.Key.Key_Return)
        assert dialog.picker.procedure is not None and dialog.picker.procedure.code == "1.001193"
        assert dialog.components.rowCount() == 8
        # the mandatory ones, ticked by default; the portal's e-form (row 7) is not at the counter
        assert dialog.components.received_count() == 3
        assert dialog.components.isRowHidden(7) and not dialog.components.isRowHidden(6)


@pytest.mark.parametrize("enter", [True, False], ids=["scanner-sends-enter", "no-suffix"])
def test_qr_scanned_into_the_name_field_fills_everything(qtbot, keyboard, demo_ctx, runner, cccd_payload: str,
                                                        enter: bool) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the officer has started typing a name WHEN the scanner types the payload into the name
    field THEN the payload is cut out, every field is filled and the name is the card's."""
    dialog = _dialog(qtbot, demo_ctx, runner)
    _choose(qtbot, keyboard, dialog, "894")
    name = dialog.applicant.edits["full_name"]
    name.setFocus()
    keyboard.type("Trần")
    keyboard.scan(cccd_payload, enter=enter)
    qtbot.waitUntil(lambda: keyboard.focus() is dialog.components)  # without Enter: when the scanner stops
    edits = dialog.applicant.edits
    assert name.text() == "Nguyễn Thị Hoa"
    assert edits["id_number"].text() == "001190012345"
    assert edits["old_id_number"].text() == "012345678"
    assert edits["birth_date"].text() == "15/03/1990"
    assert edits["id_issue_date"].text() == "01/07/2021"
    assert edits["address"].text() == "Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert dialog.applicant.sex.currentText() == "Nữ"
    applicant, errors = dialog.applicant.applicant()
    assert errors == [] and applicant is not None and applicant.qr_raw == cccd_payload
    assert not any(label.isVisible() for label in dialog.applicant.errors.values())


def test_qr_in_the_picker_restores_what_was_typed(qtbot, keyboard, demo_ctx, runner,  # type: ignore[no-untyped-def]
                                                  cccd_payload: str) -> None:
    dialog = _dialog(qtbot, demo_ctx, runner)
    keyboard.type("ket hon")
    keyboard.scan(cccd_payload)
    assert dialog.picker.text() == "ket hon"
    assert dialog.applicant.edits["full_name"].text() == "Nguyễn Thị Hoa"
    assert keyboard.focus() is dialog.picker  # no procedure yet: choose it next


def test_bad_cccd_shows_a_message_beside_the_field(qtbot, keyboard, demo_ctx, runner) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, demo_ctx, runner)
    _choose(qtbot, keyboard, dialog, "894")
    keyboard.type("12345")
    keyboard.press(Qt.Key.Key_Tab)
    error = dialog.applicant.errors["id_number"]
    assert error.isVisible()
    assert "12 chữ số" in error.text()
    # Enter tries to save: nothing is saved, every problem is shown, the focus goes to the first.
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.dossier is None
    assert "Chưa nhập họ và tên" in dialog.applicant.errors["full_name"].text()
    assert keyboard.focus() is dialog.applicant.edits["id_number"]


def test_draft_is_kept_when_the_dialog_closes_and_reopened(qtbot, keyboard, demo_ctx, runner) -> None:  # type: ignore[no-untyped-def]
    """GIVEN an officer typed part of a dossier WHEN the dialog is closed without saving THEN a new
    dialog offers the draft, Ctrl+R brings everything back, and saving discards the draft."""
    dialog = _dialog(qtbot, demo_ctx, runner)
    _choose(qtbot, keyboard, dialog, "894")
    dialog.applicant.edits["full_name"].setFocus()
    keyboard.type("Lê Văn Tám")
    with qtbot.waitSignal(dialog.keeper.saved, timeout=5_000):  # saved about a second after typing
        pass
    dialog.applicant.edits["phone"].setFocus()
    keyboard.type("0912345678")
    keyboard.press(Qt.Key.Key_Escape)  # closes: the last edits are saved at once
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5_000)
    found = drafts.open_drafts(demo_ctx, SYSTEM_OFFICER)
    assert len(found) == 1
    assert found[0].payload["applicant"]["phone"] == "0912345678"

    again = _dialog(qtbot, demo_ctx, runner)
    assert again.draft_banner.isVisible()
    assert "Lê Văn Tám" in again.draft_label.text()
    keyboard.press(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert again.picker.procedure is not None and again.picker.procedure.code == "1.000894"
    assert again.applicant.edits["full_name"].text() == "Lê Văn Tám"
    assert again.applicant.edits["phone"].text() == "0912345678"
    assert again.keeper.draft_id == found[0].id
    # Complete and save: the draft is gone.
    edits = again.applicant.edits
    edits["id_number"].setText("001190012345")
    edits["full_name"].setText("Nguyễn Thị Hoa")
    edits["birth_date"].setText("15/03/1990")
    again.applicant.sex.setCurrentIndex(again.applicant.sex.findText("Nữ"))
    again.save()
    qtbot.waitUntil(lambda: again.dossier is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not again.busy, timeout=5_000)
    assert drafts.open_drafts(demo_ctx, SYSTEM_OFFICER) == []


def _received(qtbot, keyboard, demo_ctx, runner, payload: str) -> ReceiveDialog:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, demo_ctx, runner)
    _choose(qtbot, keyboard, dialog, "894")
    keyboard.scan(payload)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.dossier is not None, timeout=10_000)
    return dialog


def test_saved_dossier_shows_code_and_exports_the_receipt(qtbot, keyboard, demo_ctx, runner,  # type: ignore[no-untyped-def]
                                                          cccd_payload: str, tmp_path: Path) -> None:
    dialog = _received(qtbot, keyboard, demo_ctx, runner, cccd_payload)
    code = dialog.dossier.code
    assert dossier_service.get_dossier(demo_ctx, code).applicant.full_name == "Nguyễn Thị Hoa"
    assert dialog.receipt.isVisible() and code in dialog.receipt.summary.text()
    assert not dialog.save_button.isEnabled()
    out = tmp_path / "out" / "bien-nhan.pdf"
    with qtbot.waitSignal(dialog.receipt.exported, timeout=10_000):
        dialog.receipt.export_receipt(out)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert code in text
    assert "Nguyễn Thị Hoa" in text


def test_receipt_prints_to_a_pdf_printer(qtbot, keyboard, demo_ctx, runner, cccd_payload: str,
                                         tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _received(qtbot, keyboard, demo_ctx, runner, cccd_payload)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.receipt.printed, timeout=10_000) as printed:
        dialog.receipt.print_receipt(printer)
    assert printed.args[0] >= 1
    assert len(PdfReader(out).pages) == printed.args[0]
