"""Fixtures for widget tests: real Qt widgets offscreen on a real SQLite file with demo data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.services.admin.setup import init
from app.services.context import AppContext
from app.ui.ops import TaskRunner

DEMO_NOW = datetime(2026, 11, 20, 16, 30)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo data folder built once per run; tests get a copy."""
    folder = tmp_path_factory.mktemp("demo-template")
    with AppContext.open(folder) as ctx:
        init(ctx, demo=True, now=DEMO_NOW)
    return folder


@pytest.fixture
def demo_ctx(demo_template: Path, tmp_path: Path) -> Iterator[AppContext]:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    ctx = AppContext.open(folder)
    yield ctx
    ctx.close()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    """A background runner for a dialog tested on its own; stopped (threads joined) afterwards."""
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


class Keyboard:
    """Drives the application only through the widget that has the keyboard focus, like a person.

    ``press``/``type`` are the officer's key events and are counted in ``officer``; ``scan`` is what a
    keyboard-wedge scanner types (a CCCD QR payload, a receipt's barcode), counted in ``scanner``.
    Characters outside ASCII are sent as key events carrying the text, as a wedge scanner or an
    input method does (QTest.keyClicks only handles Latin-1).
    """

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.officer = 0
        self.scanner = 0

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the keyboard focus"
        return widget

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.officer += 1
        self.qtbot.keyClick(self.focus(), key, modifier)

    def type(self, text: str) -> None:
        for char in text:
            self.officer += 1
            _send_char(self.focus(), char)

    def scan(self, payload: str, *, enter: bool = True) -> None:
        for char in payload:
            self.scanner += 1
            _send_char(self.focus(), char)
        if enter:
            self.scanner += 1
            QTest.keyClick(self.focus(), Qt.Key.Key_Return)


def _send_char(widget: QWidget, char: str) -> None:
    if char.isascii() and char.isprintable():
        QTest.keyClick(widget, char)
    else:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                           Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def keyboard(qtbot) -> Keyboard:  # type: ignore[no-untyped-def]
    return Keyboard(qtbot)


# A CCCD QR payload as a card holds it: id|old id|name|birth|sex|address|issue date. The number
# matches the holder (province 001, 4th digit 1 = woman born 1900-1999, 5th-6th "90" = 1990).
CCCD_PAYLOAD = ("001190012345|012345678|Nguyễn Thị Hoa|15031990|Nữ|"
                "Số 12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")


@pytest.fixture
def cccd_payload() -> str:
    return CCCD_PAYLOAD
