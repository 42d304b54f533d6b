"""The one error handler, the exception hooks, diagnostics and the scheduled backup in the window."""

from __future__ import annotations

import logging
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.services.admin import backup as backup_service
from app.services.context import AppContext
from app.ui.error_hooks import install_excepthooks
from app.ui.main_window import UNEXPECTED_VI, MainWindow


@pytest.fixture
def boxes(monkeypatch):  # type: ignore[no-untyped-def]
    shown: list[tuple[str, str]] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda _parent, _title, text, *_a, _k=kind: shown.append((_k, text)))
    return shown


def _window(qtbot, ctx: AppContext) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    return window


def test_storage_faults_and_bugs_get_vietnamese_messages(qtbot, demo_ctx, boxes, caplog) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError as error:
        window.show_error(error)
    window.show_error(RuntimeError("bug for 079190001234"))
    assert boxes[0][0] == "warning" and "hết dung lượng" in boxes[0][1]
    assert boxes[1] == ("critical", UNEXPECTED_VI)
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


def test_uncaught_exceptions_from_any_thread_reach_the_handler(qtbot, demo_ctx, boxes) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    hooks = install_excepthooks(window.show_error)
    try:
        worker = threading.Thread(target=lambda: 1 / 0, name="worker")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(boxes) == 1, timeout=5000)
        import sys

        try:
            raise KeyError("from a slot")
        except KeyError as error:
            sys.excepthook(type(error), error, error.__traceback__)
        qtbot.waitUntil(lambda: len(boxes) == 2, timeout=5000)
    finally:
        hooks.uninstall()
    assert [kind for kind, _text in boxes] == ["critical", "critical"]


def test_diagnostics_from_the_help_menu(qtbot, demo_ctx, boxes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    help_texts = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert "Thu thập thông tin chẩn đoán…" in help_texts
    out = tmp_path / "diag.zip"
    window.maintenance.collect_diagnostics(out)
    qtbot.waitUntil(lambda: bool(boxes) and boxes[-1][0] == "information", timeout=30_000)
    with zipfile.ZipFile(out) as zf:
        assert "verify.json" in zf.namelist()


def test_scheduled_backup_runs_from_the_window(qtbot, demo_ctx, boxes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    backup_service.set_schedule(demo_ctx, tmp_path / "usb", keep=3)
    window = _window(qtbot, demo_ctx)
    window.maintenance.run_scheduled_backup()
    qtbot.waitUntil(lambda: not window.maintenance.backup_running, timeout=30_000)
    assert len(list((tmp_path / "usb").iterdir())) == 1
    assert "Đã sao lưu tự động" in window.statusBar().currentMessage()
    assert window.maintenance.backup_timer.isActive()
    assert boxes == []
