"""The batch screen records each document with the metadata form beside its pages, driven with the
keyboard on real widgets (offscreen) and a real SQLite file: the type comes from the separator,
carried-over values stay, blank pages must be reviewed, a duplicate is refused, and a reopened
batch continues at the first document not yet recorded."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.core.warehouse import ResultRecord
from app.services import warehouse
from app.services.auth import SYSTEM_OFFICER
from app.services.batch import BatchOutcome, batch_outcome
from app.services.context import AppContext
from app.services.setup import init
from app.ui.batch_screen import BatchScreen
from app.ui.ops import TaskRunner
from tests.batch.batch_helpers import TYPE, make_stack

#: doc 1 (separator with a type): 2 pages; doc 2 (with a type): 3 pages, the middle one blank;
#: doc 3 (separator without a type): 1 page.
KINDS = "KTTKTBTST"
CCCD = "001190012345"
CCCD_PAYLOAD = ("001190012345|012345678|Nguyễn Thị Hoa|15031990|Nữ|"
                "Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focus(), key, modifier)


def type_text(text: str) -> None:
    """Typed into the focused widget (characters outside ASCII as an input method sends them)."""
    for char in text:
        if char.isascii() and char.isprintable():
            QTest.keyClick(focus(), char)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, focus(), Qt.Key.Key_unknown, char,
                               Qt.KeyboardModifier.NoModifier)


def scan(payload: str) -> None:
    """What a keyboard-wedge QR scanner types: the payload, then Enter."""
    type_text(payload)
    QTest.keyClick(focus(), Qt.Key.Key_Return)


def open_screen(qtbot, ctx: AppContext, runner: TaskRunner) -> BatchScreen:  # type: ignore[no-untyped-def]
    screen = BatchScreen(ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(screen)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: bool(screen.form.types), timeout=10_000)
    return screen


def pdf_page_count(ctx: AppContext, record: ResultRecord) -> int:
    with pikepdf.open(io.BytesIO(warehouse.open_record_pdf(ctx, record))) as pdf:
        return len(pdf.pages)


def test_clerk_records_a_batch_with_the_keyboard(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    init(ctx)  # the catalogue's result types
    make_stack(tmp_path / "stack", KINDS)
    screen = open_screen(qtbot, ctx, runner)
    form = screen.form
    outcomes: list[object] = []
    recorded: list[ResultRecord] = []
    screen.finished.connect(outcomes.append)
    screen.recorded.connect(recorded.append)
    screen.source.setFocus()
    type_text(f"folder:{tmp_path / 'stack'}")
    with qtbot.waitSignals([screen.finished, screen.document_loaded], timeout=120_000):
        press(Qt.Key.Key_F5)
    (outcome,) = outcomes
    assert isinstance(outcome, BatchOutcome) and len(outcome.documents) == 3

    # document 1 is loaded by itself, its type taken from the separator sheet
    assert screen.doc_number == 0 and len(form.pages) == 2
    assert form.result_type is not None and form.result_type.code == TYPE
    assert form.type_edit.text() == "Giấy chứng nhận kết hôn"
    assert "Tài liệu 1" in screen.doc_label.text() and not screen.review_box.isVisible()
    assert focus() is form.edits["number"]
    type_text("12")
    press(Qt.Key.Key_Tab)
    type_text("2019")
    press(Qt.Key.Key_Tab)
    type_text("05/03/2019")
    press(Qt.Key.Key_Tab)
    type_text("UBND phường Bến Nghé")
    press(Qt.Key.Key_Tab)
    type_text("Trần Văn Bình")
    press(Qt.Key.Key_Tab)
    assert focus() is form.edits["owner_name"]
    scan(CCCD_PAYLOAD)  # the owner from the card's QR code
    assert form.edits["owner_id_number"].text() == CCCD
    with qtbot.waitSignals([screen.recorded, screen.document_loaded], timeout=20_000):
        press(Qt.Key.Key_Return)
    (first,) = recorded
    m = first.metadata
    assert (m.type_code, m.number, m.owner_id_number) == (TYPE, "12", CCCD)

    # document 2: the next one not recorded; carried over: type, symbol, date, agency, signer
    assert screen.doc_number == 1 and len(form.pages) == 3
    assert form.edits["number"].text() == "" and form.edits["owner_name"].text() == ""
    assert form.edits["symbol"].text() == "2019" and form.edits["issuer"].text() == "UBND phường Bến Nghé"
    assert form.result_type is not None and form.result_type.code == TYPE
    assert screen.review_box.isVisible() and not screen.review_box.isChecked()
    assert "trang trắng: p006.png" in screen.review_label.text()
    tree_doc1 = screen.tree.topLevelItem(0).text(0)
    assert tree_doc1.startswith("✓ Tài liệu 1") and first.record_id in tree_doc1
    assert "1/3</b> giấy tờ đã nhập" in screen.progress.text() and "trang/giờ" in screen.progress.text()
    assert focus() is form.edits["number"]
    type_text("13")
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    scan(CCCD_PAYLOAD)
    qtbot.waitUntil(lambda: not screen.tree.topLevelItem(1).child(0).icon(0).isNull(), timeout=30_000)
    screen.resize(1280, 800)
    assert not screen.grab().isNull()  # docs/screenshots/21_batch_metadata.png: scripts/screenshots.py

    # the blank page is not reviewed yet: refused, nothing stored
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(form.error_label.isVisible, timeout=10_000)
    assert "trang trắng (p006.png) chưa được xem" in form.error_label.text()
    assert len(warehouse.search(ctx, SYSTEM_OFFICER, owner_id=CCCD)) == 1
    assert focus() is screen.review_box
    press(Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # Alt+X: the clerk has looked at it
    assert screen.review_box.isChecked()
    with qtbot.waitSignals([screen.recorded, screen.document_loaded], timeout=20_000):
        press(Qt.Key.Key_Return)
    second = recorded[1]
    assert second.metadata.number == "13" and second.metadata.issuer == "UBND phường Bến Nghé"

    # document 3 has no type on its separator: the carried-over type stays; same owner and number
    # as document 1: a duplicate, refused in Vietnamese
    assert screen.doc_number == 2 and len(form.pages) == 1
    assert form.result_type is not None and form.result_type.code == TYPE
    assert not screen.review_box.isVisible()
    type_text("12")
    for _ in range(5):
        press(Qt.Key.Key_Tab)
    scan(CCCD_PAYLOAD)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(form.error_label.isVisible, timeout=10_000)
    assert "Giấy tờ đã có trong kho" in form.error_label.text() and first.record_id in form.error_label.text()

    # two records, their PDFs holding exactly the documents' pages, linked to the batch documents
    records = sorted(warehouse.search(ctx, SYSTEM_OFFICER, owner_id=CCCD), key=lambda r: r.id)
    assert [r.record_id for r in records] == [first.record_id, second.record_id]
    assert [pdf_page_count(ctx, r) for r in records] == [2, 3] and [r.pages for r in records] == [2, 3]
    stored = batch_outcome(ctx, outcome.batch.id)
    assert [d.warehouse_record for d in stored.documents] == [first.record_id, second.record_id, None]
    assert [r.sha256 for r in records] == [d.sha256 for d in stored.documents[:2]]
    screen.close()

    # the screen opened again: the batch is listed, and reopening it continues at document 3
    again = open_screen(qtbot, ctx, runner)
    index = again.unfinished.findData(outcome.batch.id)
    qtbot.waitUntil(lambda: again.unfinished.findData(outcome.batch.id) >= 0, timeout=10_000)
    index = again.unfinished.findData(outcome.batch.id)
    assert "2/3 giấy tờ đã nhập" in again.unfinished.itemText(index)
    again.unfinished.setCurrentIndex(index)
    with qtbot.waitSignal(again.document_loaded, timeout=60_000) as loaded:
        again.resume_button.click()
    assert loaded.args == [2] and len(again.form.pages) == 1
    assert "2/3</b> giấy tờ đã nhập" in again.progress.text()
    # a recorded document can be looked at from the tree; F8 goes back to the one left to do
    with qtbot.waitSignal(again.document_loaded, timeout=10_000):
        again.tree.setCurrentItem(again.tree.topLevelItem(0))
    assert "đã nhập" in again.doc_label.text() and len(again.form.pages) == 2
    with qtbot.waitSignal(again.document_loaded, timeout=10_000) as loaded:
        press(Qt.Key.Key_F8)
    assert loaded.args == [2]


def _fill_and_save(qtbot, screen: BatchScreen, number: str) -> None:  # type: ignore[no-untyped-def]
    """Type the number, Tab to the owner, scan the CCCD, Enter: the document is recorded."""
    assert focus() is screen.form.edits["number"]
    type_text(number)
    for _ in range(5):
        press(Qt.Key.Key_Tab)
    scan(CCCD_PAYLOAD)
    with qtbot.waitSignal(screen.recorded, timeout=20_000):
        press(Qt.Key.Key_Return)


def _open_set_aside(qtbot, screen: BatchScreen):  # type: ignore[no-untyped-def]
    press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: screen.set_aside_dialog is not None and screen.set_aside_dialog.isVisible())
    dialog = screen.set_aside_dialog
    qtbot.waitUntil(lambda: focus() is dialog.reasons)
    return dialog


def test_clerk_sets_a_document_aside_with_the_keyboard(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    """Ctrl+Shift+D on a document that is not a result: asked why, it is set aside (grey, "⊘ Để riêng:
    …"), counted apart, and the batch leaves "Lô chưa xong" once the two others are recorded; the same
    key puts it back, and "Khác" takes the clerk's own words."""
    init(ctx)
    make_stack(tmp_path / "stack", "KTSTST")  # three one-page documents
    screen = open_screen(qtbot, ctx, runner)
    outcomes: list[BatchOutcome] = []
    screen.finished.connect(outcomes.append)
    screen.source.setFocus()
    type_text(f"folder:{tmp_path / 'stack'}")
    with qtbot.waitSignals([screen.finished, screen.document_loaded], timeout=120_000):
        press(Qt.Key.Key_F5)
    batch_id = outcomes[0].batch.id
    assert screen.doc_number == 0 and screen.set_aside_button.isVisible()
    assert not screen.restore_button.isVisible()

    dialog = _open_set_aside(qtbot, screen)
    assert dialog.reasons.count() == 4 and dialog.reasons.currentRow() == 0
    press(Qt.Key.Key_Down)
    with qtbot.waitSignals([screen.set_aside_changed, screen.document_loaded], timeout=20_000):
        press(Qt.Key.Key_Return)
    assert screen.doc_number == 1 and screen.set_aside_dialog is None
    group = screen.tree.topLevelItem(0)
    assert "⊘ Để riêng: Không phải kết quả giải quyết TTHC" in group.text(0)
    assert group.foreground(0).color().name() == "#757575"
    assert "0/3</b> giấy tờ đã nhập, <b>1</b> để riêng" in screen.progress.text()
    qtbot.waitUntil(lambda: "1 để riêng" in screen.unfinished.itemText(screen.unfinished.findData(batch_id)))

    _fill_and_save(qtbot, screen, "12")
    qtbot.waitUntil(lambda: screen.doc_number == 2, timeout=10_000)
    qtbot.waitUntil(lambda: focus() is screen.form.edits["number"], timeout=10_000)
    _fill_and_save(qtbot, screen, "13")
    qtbot.waitUntil(lambda: screen.unfinished.findData(batch_id) < 0, timeout=10_000)  # left "Lô chưa xong"
    qtbot.waitUntil(lambda: screen.document is None, timeout=10_000)
    assert "Đã xử lý xong cả lô: 2/3 giấy tờ đã nhập, 1 để riêng." in screen.doc_label.text()
    assert [d.set_aside_reason for d in batch_outcome(ctx, batch_id).documents] == \
        ["Không phải kết quả giải quyết TTHC", None, None]

    # put back with the same key: the batch has a document to record again
    with qtbot.waitSignal(screen.document_loaded, timeout=10_000):
        screen.tree.setCurrentItem(screen.tree.topLevelItem(0))
    assert screen.restore_button.isVisible() and not screen.set_aside_button.isVisible()
    assert "⊘ Để riêng" in screen.doc_label.text()
    screen.form.edits["number"].setFocus()
    with qtbot.waitSignals([screen.set_aside_changed, screen.document_loaded], timeout=20_000):
        press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert screen.doc_number == 0 and screen.set_aside_button.isVisible()
    assert "Để riêng" not in screen.tree.topLevelItem(0).text(0)
    qtbot.waitUntil(lambda: screen.unfinished.findData(batch_id) >= 0, timeout=10_000)
    assert screen.unfinished.itemText(screen.unfinished.findData(batch_id)).endswith("2/3 giấy tờ đã nhập")

    # Esc gives up; "Khác" (4) takes the clerk's words, Enter in the line sets the document aside
    dialog = _open_set_aside(qtbot, screen)
    press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.set_aside_dialog is None)
    assert batch_outcome(ctx, batch_id).documents[0].set_aside_reason is None
    qtbot.waitUntil(lambda: screen.isActiveWindow())
    screen.form.edits["number"].setFocus()
    dialog = _open_set_aside(qtbot, screen)
    press(Qt.Key.Key_4)
    assert focus() is dialog.other
    press(Qt.Key.Key_Return)  # nothing typed: asked to write it
    assert dialog.isVisible() and dialog.error.isVisible()
    type_text("Bản photo, đã có bản chính")
    with qtbot.waitSignal(screen.set_aside_changed, timeout=20_000):
        press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.unfinished.findData(batch_id) < 0, timeout=10_000)
    qtbot.waitUntil(lambda: "⊘ Để riêng: Bản photo, đã có bản chính" in screen.tree.topLevelItem(0).text(0),
                    timeout=10_000)
    assert batch_outcome(ctx, batch_id).documents[0].set_aside_reason == "Bản photo, đã có bản chính"
    shots = tmp_path
    screen.grab().save(str(shots / "batch_set_aside.png"))
