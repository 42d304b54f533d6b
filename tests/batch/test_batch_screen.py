"""The batch screen on real Qt widgets (offscreen): start a batch from a folder, watch the pages
arrive grouped by document with blank pages greyed, pause and resume, cancel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from app.core.progress import CancelToken
from app.services.auth import SYSTEM_OFFICER
from app.services.batch import BatchOutcome, run_batch, start_batch
from app.services.context import AppContext
from app.ui.batch_screen import BatchScreen
from app.ui.ops import TaskRunner
from tests.batch.batch_helpers import expected_documents, make_stack

KINDS = "TTKTBTST"


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


def groups(screen: BatchScreen) -> list[list[str]]:
    tree = screen.tree
    return [[tree.topLevelItem(g).child(i).text(0) for i in range(tree.topLevelItem(g).childCount())]
            for g in range(tree.topLevelItemCount())]


def test_a_batch_runs_from_the_screen(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                      tmp_path: Path) -> None:
    names = make_stack(tmp_path / "stack", KINDS)
    screen = BatchScreen(ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(screen)
    screen.show()
    seen: list[int] = []
    screen._signal.page.connect(lambda _payload: seen.append(screen.tree.topLevelItemCount()))
    screen.source.setText(f"folder:{tmp_path / 'stack'}")
    with qtbot.waitSignal(screen.finished, timeout=120_000) as finished:
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    outcome = finished.args[0]
    assert isinstance(outcome, BatchOutcome)
    assert len(seen) == len(KINDS)  # every page came back live, as it was processed
    expected = expected_documents(KINDS, names)
    assert groups(screen) == [d["pages"] for d in expected]
    first_group = screen.tree.topLevelItem(1)
    assert "tờ tách KQ.1.000894" in first_group.text(0) and "3 trang" in first_group.text(0)
    blank = first_group.child(1)
    assert blank.text(0) == "p005.png" and "Trang trắng?" in blank.text(1)
    assert blank.foreground(0).color().red() == 140  # greyed for a decision
    assert "trang/giờ" in screen.progress.text() and "<b>3</b> tài liệu xong" in screen.progress.text()
    assert "khớp" in screen.message.text()
    qtbot.waitUntil(lambda: not screen.tree.topLevelItem(0).child(0).icon(0).isNull(), timeout=30_000)
    assert screen.start_button.isEnabled() and not screen.pause_button.isEnabled()
    screen.resize(1280, 800)
    assert not screen.grab().isNull()  # docs/screenshots/19_batch_screen.png: scripts/screenshots.py


def test_resume_and_cancel_from_the_screen(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    names = make_stack(tmp_path / "stack", KINDS)
    batch = start_batch(ctx, f"folder:{tmp_path / 'stack'}")
    token = CancelToken()
    run_batch(ctx, batch.id, cancel=token, on_page=lambda r: token.cancel() if r.seq == 2 else None)
    other = start_batch(ctx, f"folder:{tmp_path / 'stack'}")
    screen = BatchScreen(ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.unfinished.count() == 2, timeout=10_000)
    assert screen.resume_button.isEnabled()
    screen.unfinished.setCurrentIndex(screen.unfinished.findData(batch.id))
    with qtbot.waitSignal(screen.finished, timeout=120_000) as finished:
        screen.resume_button.click()
    outcome = finished.args[0]
    assert outcome.batch.state == "done" and outcome.accounting.ok
    assert groups(screen) == [d["pages"] for d in expected_documents(KINDS, names)]
    # scanned to the end, the batch stays in the list until its documents are recorded
    qtbot.waitUntil(lambda: "0/3 giấy tờ đã nhập" in screen.unfinished.itemText(
        screen.unfinished.findData(batch.id)), timeout=10_000)
    screen.batch = type("B", (), {"id": other.id, "state": "open"})()
    screen.cancel_button.setEnabled(True)
    screen.cancel_button.click()
    qtbot.waitUntil(lambda: screen.unfinished.count() == 1, timeout=10_000)
    assert screen.unfinished.findData(other.id) == -1
    assert f"Đã hủy lô {other.id}" in screen.message.text()


def test_the_main_window_opens_the_batch_screen(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.batch_action.isEnabled() and window.batch_action.shortcut().toString() == "Ctrl+Shift+B"
    window.batch_action.trigger()
    screen = window.batch_screen
    assert isinstance(screen, BatchScreen) and screen.isVisible()
    window.batch_action.trigger()
    assert window.batch_screen is screen  # one screen, brought to the front
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=10_000)
    from PySide6.QtCore import QTimer

    for timer in window.findChildren(QTimer):  # the window's scheduled backup must not fire in a later test
        timer.stop()
