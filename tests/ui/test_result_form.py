"""The metadata form of a digitised result, driven with the keyboard on real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt

from app.core.warehouse import ResultRecord
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.warehouse import records as warehouse
from app.ui.warehouse.result_form import ResultForm

OWNER_CCCD = "001190012345"


def make_pages(folder: Path, label: str, count: int = 2) -> list[Path]:
    pages = []
    for n in range(count):
        image = Image.new("L", (827, 1170), 255)
        draw = ImageDraw.Draw(image)
        draw.rectangle((60, 60, 767, 1110), outline=0, width=3)
        draw.text((100, 100), f"{label} - trang {n + 1}", fill=0)
        for y in range(200, 1000, 40):
            draw.line((100, y, 700, y), fill=90, width=2)
        path = folder / f"{label}-{n + 1}.jpg"
        image.save(path, dpi=(100, 100), quality=80)
        pages.append(path)
    return pages


@pytest.fixture
def form(qtbot, demo_ctx, runner, tmp_path: Path) -> ResultForm:  # type: ignore[no-untyped-def]
    saved: list[ResultRecord] = []
    widget = ResultForm(demo_ctx, runner, SYSTEM_OFFICER, make_pages(tmp_path, "ks12"), on_saved=saved.append)
    widget.saved_by_callback = saved  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    with qtbot.waitSignals([widget.types_loaded, widget.preview_shown], timeout=10_000):
        widget.show()
    widget.activateWindow()
    widget.type_edit.setFocus()
    qtbot.waitUntil(widget.type_edit.hasFocus)
    return widget


def test_keyboard_only_two_documents_with_carried_over_defaults(qtbot, keyboard, form: ResultForm, demo_ctx,
                                                                tmp_path: Path, cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    # the type: "khai sinh" without accents, the first match is Giấy khai sinh; Enter takes it
    keyboard.type("khai sinh")
    assert form.popup_visible
    keyboard.press(Qt.Key.Key_Return)
    assert form.result_type is not None and form.result_type.code == "KQ.G15.000031"
    assert form.type_edit.text() == "Giấy khai sinh"
    assert keyboard.focus() is form.edits["number"]

    keyboard.type("12")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("2019")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("05/03/2019")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("UBND phường Bến Nghé")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("Trần Văn Bình")
    keyboard.press(Qt.Key.Key_Tab)
    assert keyboard.focus() is form.edits["owner_name"]
    keyboard.scan(cccd_payload)  # the owner from the card's QR code
    assert form.edits["owner_name"].text() == "Nguyễn Thị Hoa"
    assert form.edits["owner_id_number"].text() == OWNER_CCCD
    assert form.edits["owner_old_id_number"].text() == "012345678"
    assert keyboard.focus() is form.validity

    with qtbot.waitSignal(form.saved, timeout=10_000) as first:
        keyboard.press(Qt.Key.Key_Return)
    record: ResultRecord = first.args[0]
    m = record.metadata
    assert (m.type_code, m.number, m.symbol, m.issuer, m.signer, m.owner_name) == \
        ("KQ.G15.000031", "12", "2019", "UBND phường Bến Nghé", "Trần Văn Bình", "Nguyễn Thị Hoa")
    assert m.issued_on is not None and m.issued_on.strftime("%d/%m/%Y") == "05/03/2019"
    assert record.pages == 2
    assert form.saved_by_callback == [record]  # type: ignore[attr-defined]
    assert "Đã lưu: Giấy khai sinh số 12/2019" in form.status_label.text()

    # the next document: type, symbol, date, agency and signer carried over; number and owner cleared
    assert form.edits["number"].text() == "" and form.edits["owner_name"].text() == ""
    assert form.edits["symbol"].text() == "2019" and form.type_edit.text() == "Giấy khai sinh"
    assert keyboard.focus() is form.edits["number"]
    form.set_document(make_pages(tmp_path, "ks13", 1))
    keyboard.type("13")
    keyboard.scan(cccd_payload)
    with qtbot.waitSignal(form.saved, timeout=10_000) as second:
        keyboard.press(Qt.Key.Key_Return)
    assert second.args[0].metadata.number == "13" and second.args[0].metadata.issuer == "UBND phường Bến Nghé"
    assert len(warehouse.search(demo_ctx, SYSTEM_OFFICER, owner_id=OWNER_CCCD)) == 2

    # the same pages once more: a duplicate, said in Vietnamese, nothing stored
    keyboard.type("14")
    keyboard.scan(cccd_payload)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(form.error_label.isVisible, timeout=10_000)
    assert "đã có trong kho" in form.error_label.text()
    assert len(warehouse.search(demo_ctx, SYSTEM_OFFICER, owner_id=OWNER_CCCD)) == 2


def test_errors_beside_the_form_and_page_turning(qtbot, keyboard, form: ResultForm) -> None:  # type: ignore[no-untyped-def]
    keyboard.press(Qt.Key.Key_Return)  # nothing typed
    assert form.error_label.isVisible()
    assert "Chưa chọn loại giấy tờ" in form.error_label.text()

    form.choose_type("KQ.G15.000031")
    form.edits["issued_on"].setText("31/02/2019")
    form.edits["owner_name"].setText("Lê Văn A")
    form.edits["owner_id_number"].setText("123")
    form.edits["number"].setFocus()
    keyboard.press(Qt.Key.Key_Return)
    assert "Ngày cấp không hợp lệ" in form.error_label.text()
    form.edits["issued_on"].setText("01/02/2019")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "CCCD phải gồm 12 chữ số" in form.error_label.text(), timeout=10_000)
    assert keyboard.focus() is form.edits["owner_id_number"]

    with qtbot.waitSignal(form.preview_shown, timeout=10_000) as shown:
        keyboard.press(Qt.Key.Key_PageDown)
    assert shown.args == [1] and form.page_label.text().startswith("Trang 2/2")
    assert not form.preview.pixmap().isNull()
