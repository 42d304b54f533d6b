"""The background reader of the main window: a progress bar while stored PDFs are read, gone when done."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QMainWindow

from app.core.warehouse import ResultMetadata
from app.documents.specimens import render_specimen
from app.services import warehouse
from app.services.auth import Officer, Role
from app.services.ocr.background import unread_count
from app.ui.ocr_worker import OcrBackground
from app.ui.ops import TaskRunner
from tests.warehouse.conftest import ctx, warehouse_catalogue  # noqa: F401  (fixtures)

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


def test_stored_results_are_read_in_the_background_with_a_progress_bar(qtbot, ctx, runner,  # noqa: F811
                                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for seed in (7, 21):  # birth certificates (the fixture's catalogue has few procedures)
        specimen = render_specimen(seed)
        page = tmp_path / f"{seed}.jpg"
        page.write_bytes(specimen.jpeg)
        f = specimen.fields
        warehouse.add_result(ctx, ResultMetadata(type_code=f.type, number=f.number, owner_name=f.owner_name,
                                                 issued_on=date.fromisoformat(f.issued),
                                                 owner_id_number=f.owner_id), OFFICER, page_images=[page])
    window = QMainWindow()
    qtbot.addWidget(window)
    worker = OcrBackground(ctx, runner, window, enabled=True)
    window.statusBar().addPermanentWidget(worker.bar)
    window.show()
    worker.timer.stop()
    with qtbot.waitSignal(worker.finished_round, timeout=120_000) as finished:
        worker.kick()
        qtbot.waitUntil(worker.bar.isVisible, timeout=10_000)
        assert worker.bar.maximum() == 2
    assert finished.args == [2] and not worker.bar.isVisible() and unread_count(ctx) == 0
    assert len(warehouse.search(ctx, OFFICER, text=render_specimen(21).fields.signer)) == 1

    worker.close()  # closing stops it: no new round starts
    worker.kick()
    assert not worker.bar.isVisible()
