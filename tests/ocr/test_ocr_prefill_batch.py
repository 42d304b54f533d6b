"""The batch screen's metadata form pre-filled from the page: a generated past result goes through a
real batch (folder source, separator sheets), the form fills itself from the document's first page
on the worker pool, and Enter alone files it in the warehouse. Low-confidence fields are
highlighted and focused first; what the clerk typed is never overwritten."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core.warehouse import ResultRecord
from app.documents.specimens import render_specimen
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.ocr.prefill import FieldSuggestions
from app.services.setup import init
from app.ui.batch_screen import BatchScreen
from app.ui.ocr_prefill import LOW_STYLE, Prefiller
from app.ui.ops import TaskRunner
from tests.batch.batch_helpers import separator_sheet

SEEDS = (7, 101)  # a birth certificate and a marriage certificate


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with AppContext.open(tmp_path / "data") as context:
        yield context


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


def test_batch_form_is_prefilled_from_a_scanned_past_result_and_enter_files_it(
        qtbot, ctx: AppContext, runner: TaskRunner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init(ctx)
    stack = tmp_path / "stack"
    stack.mkdir()
    specimens = [render_specimen(seed) for seed in SEEDS]
    for i, specimen in enumerate(specimens):
        Image.fromarray(separator_sheet(None)).save(stack / f"p{2 * i + 1:03d}.png", dpi=(200, 200))
        (stack / f"p{2 * i + 2:03d}.jpg").write_bytes(specimen.jpeg)
    screen = BatchScreen(ctx, runner, SYSTEM_OFFICER)
    screen.prefiller.enabled = True  # the suite turns automatic reading off (MOTCUA_AUTO_OCR=0)
    qtbot.addWidget(screen)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: bool(screen.form.types), timeout=10_000)
    form = screen.form
    recorded: list[ResultRecord] = []
    screen.recorded.connect(recorded.append)
    screen.source.setText(f"folder:{stack}")
    with qtbot.waitSignals([screen.finished, screen.prefiller.applied], timeout=180_000):
        screen.start()

    for number, specimen in enumerate(specimens):
        truth = specimen.fields
        assert screen.doc_number == number
        assert form.result_type is not None and form.result_type.code == truth.type
        expected = {"number": truth.number, "symbol": truth.symbol, "issuer": truth.issuer,
                    "signer": truth.signer, "owner_name": truth.owner_name,
                    "owner_id_number": truth.owner_id,
                    "issued_on": "/".join(reversed(truth.issued.split("-")))}
        assert {n: form.edits[n].text() for n in expected} == expected
        # nothing to correct: the focus is in the form and Enter alone files the document
        focused = QApplication.focusWidget()
        assert focused is not None and form.isAncestorOf(focused)
        signals = [screen.recorded] + ([screen.prefiller.applied] if number + 1 < len(specimens) else [])
        with qtbot.waitSignals(signals, timeout=60_000):
            QTest.keyClick(focused, Qt.Key.Key_Return)
        m = recorded[number].metadata
        assert (m.type_code, m.number, m.owner_id_number, m.owner_name, m.issued_on.isoformat()) == (
            truth.type, truth.number, truth.owner_id, truth.owner_name, truth.issued)
    screen.close()


def test_low_confidence_fields_are_marked_and_focused_and_typed_values_win(
        qtbot, ctx: AppContext, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    init(ctx)
    screen = BatchScreen(ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: bool(screen.form.types), timeout=10_000)
    form, prefiller = screen.form, Prefiller(screen.form, enabled=False)
    form.edits["signer"].setText("carried over from the previous document")
    form.edits["number"].setFocus()
    suggestions = FieldSuggestions(
        {"number": "45", "signer": "Lê Thị Hạnh", "owner_name": "Phạm Quốc Sơn", "issued_on": "02/01/2020"},
        {"number": 0.97, "signer": 0.55, "owner_name": 0.62, "issued_on": 0.95})
    prefiller._apply(prefiller._generation, suggestions)
    assert form.edits["signer"].text() == "Lê Thị Hạnh"  # the page beats a carried-over value
    assert [form.edits[n].styleSheet() for n in ("signer", "owner_name")] == [LOW_STYLE, LOW_STYLE]
    assert form.edits["number"].styleSheet() != LOW_STYLE
    assert "cần kiểm tra" in form.edits["signer"].toolTip()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.edits["signer"], timeout=5_000)

    prefiller.reset()  # the next document: the clerk types the owner before the page is read
    form.edits["owner_name"].clear()
    QTest.keyClicks(form.edits["owner_name"], "Typed by hand")  # ASCII: keyClicks aborts on others
    prefiller._apply(prefiller._generation, suggestions)
    assert form.edits["owner_name"].text() == "Typed by hand"
    assert form.edits["number"].text() == "45" and form.edits["owner_name"].styleSheet() == ""
    late = prefiller._generation
    prefiller.reset()  # suggestions of a document the clerk already left are dropped
    form.edits["number"].clear()
    prefiller._apply(late, suggestions)
    assert form.edits["number"].text() == ""
    screen.close()
