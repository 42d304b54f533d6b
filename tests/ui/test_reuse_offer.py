"""Reception offers the applicant's digitised documents from the e-data warehouse (issue 5): the
offer appears in the components checklist after the CCCD QR scan and Alt+D takes it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.core.warehouse import ResultMetadata, Validity
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.services.warehouse import records as warehouse
from app.ui.reception.components_table import COL_REUSE
from app.ui.reception.receive_dialog import ReceiveDialog
from tests.warehouse.conftest import make_pdf

REBIRTH = "1.004884"  # đăng ký lại khai sinh: asks for "Bản sao Giấy khai sinh"
BIRTH_CERT = "KQ.G15.000031"
OWNER_CCCD = "001190012345"  # the holder of the test card (conftest CCCD_PAYLOAD)


def _seed(ctx: AppContext) -> str:
    def meta(number: str, validity: Validity = Validity.VALID) -> ResultMetadata:
        return ResultMetadata(type_code=BIRTH_CERT, number=number, symbol="2019", issued_on=date(2019, 3, 5),
                              issuer="UBND phường Bến Nghé", owner_name="Nguyễn Thị Hoa",
                              owner_id_number=OWNER_CCCD, validity=validity)

    warehouse.add_result(ctx, meta("7", Validity.EXPIRED), SYSTEM_OFFICER, pdf_bytes=make_pdf("old"))
    return warehouse.add_result(ctx, meta("12"), SYSTEM_OFFICER, pdf_bytes=make_pdf("ks")).record_id


def test_offer_appears_after_the_qr_scan_and_alt_d_takes_it(qtbot, keyboard, demo_ctx, runner,
                                                            cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    record_id = _seed(demo_ctx)
    dialog = ReceiveDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.catalogue_loaded, dialog.drafts_checked], timeout=10_000):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.picker.hasFocus())
    table = dialog.components

    keyboard.type("4884")
    keyboard.press(Qt.Key.Key_Return)
    assert dialog.picker.procedure is not None and dialog.picker.procedure.code == REBIRTH
    assert table.isColumnHidden(COL_REUSE)  # nothing known about the applicant yet

    with qtbot.waitSignal(dialog.offers_shown, timeout=10_000) as shown:
        keyboard.scan(cccd_payload)
    assert shown.args == [1]
    qtbot.waitUntil(lambda: keyboard.focus() is table)
    assert not table.isColumnHidden(COL_REUSE)
    [row] = table.offered_rows()
    assert "Giấy khai sinh" in table.item(row, 1).text()
    hint = table.item(row, COL_REUSE).text()
    # only the still-valid certificate (the expired no. 7 is not offered)
    assert hint == "Có sẵn trong kho: Giấy khai sinh số 12/2019 — dùng lại (Alt+D)"

    keyboard.press(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert table.item(row, COL_REUSE).text().startswith("✓ Dùng lại từ kho: Giấy khai sinh số 12/2019")
    taken = next(r for r in table.rows() if r["index"] == row)
    assert taken["received"] and taken["reused_record_id"] == record_id
    assert (taken["originals"], taken["certified_copies"], taken["photocopies"]) == (0, 0, 0)

    keyboard.press(Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: dialog.dossier is not None, timeout=10_000)
    saved = dossier_service.get_dossier(demo_ctx, dialog.dossier.code)
    component = saved.components[row]
    assert (component.received, component.digitised, component.reused_record_id, component.from_warehouse,
            component.replaced_result_code) == (True, True, record_id, True, BIRTH_CERT)
    assert keyboard.officer == 7  # 4, 8, 8, 4, Enter, Alt+D, Enter


def test_alt_d_twice_gives_the_paper_back(qtbot, keyboard, demo_ctx, runner,
                                          cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    _seed(demo_ctx)
    dialog = ReceiveDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.catalogue_loaded, dialog.drafts_checked], timeout=10_000):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.picker.hasFocus())
    keyboard.type("4884")
    keyboard.press(Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.offers_shown, timeout=10_000):
        keyboard.scan(cccd_payload)
    table = dialog.components
    [row] = table.offered_rows()
    before = next(r for r in table.rows() if r["index"] == row)
    keyboard.press(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    keyboard.press(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    after = next(r for r in table.rows() if r["index"] == row)
    assert after["reused_record_id"] is None
    assert (after["originals"], after["certified_copies"], after["photocopies"]) == \
        (before["originals"], before["certified_copies"], before["photocopies"])
    assert table.item(row, COL_REUSE).text().startswith("Có sẵn trong kho")


def test_a_reopened_draft_keeps_the_reused_document(qtbot, keyboard, demo_ctx, runner,
                                                    cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    record_id = _seed(demo_ctx)
    dialog = ReceiveDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.catalogue_loaded, dialog.drafts_checked], timeout=10_000):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.picker.hasFocus())
    keyboard.type("4884")
    keyboard.press(Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.offers_shown, timeout=10_000):
        keyboard.scan(cccd_payload)
    [row] = dialog.components.offered_rows()
    keyboard.press(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    keyboard.press(Qt.Key.Key_Escape)  # closed unsaved: the draft keeps the choice
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5_000)

    again = ReceiveDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(again)
    with qtbot.waitSignals([again.catalogue_loaded, again.drafts_checked], timeout=10_000):
        again.show()
    again.activateWindow()
    qtbot.waitUntil(lambda: again.picker.hasFocus())
    with qtbot.waitSignal(again.offers_shown, timeout=10_000):
        keyboard.press(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    restored = next(r for r in again.components.rows() if r["index"] == row)
    assert restored["reused_record_id"] == record_id
    assert again.components.item(row, COL_REUSE).text().startswith("✓ Dùng lại từ kho")
