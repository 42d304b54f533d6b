"""The warehouse browser (pytest-qt, offscreen, real SoftHSM2 token): search without accents, the
filters, page 1 and the badge verified on open ("chưa ký số"), signing through the screen with the PIN
asked once, a wrong PIN, a clerk without the buttons, and the main window's menu action."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.warehouse import Validity
from app.services import warehouse
from app.services import warehouse_signing as service
from app.services.context import AppContext
from app.ui.ops import TaskRunner
from app.ui.warehouse_screen import SIGNATURE_COLUMN, WarehouseScreen
from tests.signing.conftest import CLERK, OFFICER
from tests.signing.pki import OFFICER_CN, Token
from tests.warehouse.conftest import CCCD, birth_cert, make_pdf

pytestmark = pytest.mark.gui
OTHER_CCCD = "001190012345"


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


@pytest.fixture
def records(ctx: AppContext):  # type: ignore[no-untyped-def]
    def add(label: str, **changes: object):  # type: ignore[no-untyped-def]
        return warehouse.add_result(ctx, birth_cert(number=label, **changes), CLERK,
                                    pdf_bytes=make_pdf(label, pages=2))

    return [add("12"), add("13", validity=Validity.EXPIRED),
            add("14", owner_name="Lê Văn Đức", owner_id_number=OTHER_CCCD, owner_old_id_number="")]


def _screen(qtbot, ctx: AppContext, runner: TaskRunner, officer=OFFICER,  # type: ignore[no-untyped-def]
            errors: list[BaseException] | None = None) -> WarehouseScreen:
    screen = WarehouseScreen(ctx, runner, officer, errors.append if errors is not None else None)
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show()
    qtbot.waitUntil(lambda: screen.count_label.text() != "Đang tìm…", timeout=10_000)
    return screen


def _search(qtbot, screen: WarehouseScreen, text: str) -> None:  # type: ignore[no-untyped-def]
    screen.search_box.setText(text)
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.search_box.returnPressed.emit()


def _signatures(screen: WarehouseScreen) -> list[str]:
    return [screen.table.item(r, SIGNATURE_COLUMN).text() for r in range(screen.table.rowCount())]


def test_search_filters_preview_and_signing(qtbot, ctx: AppContext, runner: TaskRunner, records,  # type: ignore[no-untyped-def]
                                            token: Token, tmp_path: Path) -> None:
    """GIVEN three unsigned records WHEN the screen opens THEN they are listed newest first, all
    "chưa ký số"; a search without accents and the filters narrow the list; the selected record's page
    1 and badge are shown; WHEN "Ký số" is pressed and the PIN given THEN the badge turns green with the
    officer's name; "Ký tất cả" signs the rest without asking the PIN again."""
    screen = _screen(qtbot, ctx, runner)
    assert screen.table.rowCount() == 3
    assert [v.record.record_id for v in screen.views] == [r.record_id for r in reversed(records)]
    assert _signatures(screen) == ["✗ chưa ký số"] * 3
    assert screen.count_label.text() == "3 giấy tờ — 3 chưa ký số"

    _search(qtbot, screen, "le van duc")
    assert [screen.table.item(r, 3).text() for r in range(screen.table.rowCount())] == ["Lê Văn Đức"]
    _search(qtbot, screen, CCCD)
    assert screen.table.rowCount() == 2
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.valid_only.setChecked(True)
    assert screen.table.rowCount() == 1 and screen.table.item(0, 1).text() == "12/2019"
    assert screen.table.item(0, 4).text() == "Còn hiệu lực"

    first = records[0].record_id
    qtbot.waitUntil(lambda: screen.current is not None and screen.current.record_id == first)
    qtbot.waitUntil(lambda: screen.badge.status is not None, timeout=10_000)
    assert screen.badge.text() == "✗ chưa ký số"
    qtbot.waitUntil(lambda: not screen.preview.pixmap().isNull(), timeout=10_000)
    assert screen.preview.pixmap().width() > 200
    assert first in screen.details.text() and "Nguyễn Thị Thu Hà" in screen.details.text()

    asked: list[str] = []
    screen.ask_secret = lambda prompt: asked.append(prompt) or token.pin  # type: ignore[func-returns-value]
    screen.table.selectRow(0)
    assert screen.sign_button.isEnabled()
    with qtbot.waitSignal(screen.signing_done, timeout=20_000) as done:
        screen.sign_button.click()
    report = done.args[0]
    assert isinstance(report, service.SignReport) and [s.record.record_id for s in report.signed] == [first]
    assert len(asked) == 1 and token.label in asked[0]
    qtbot.waitUntil(lambda: screen.badge.status is not None and screen.badge.status.ok, timeout=10_000)
    assert screen.badge.text().startswith(f"✓ Đã ký số: {OFFICER_CN}, ")
    assert _signatures(screen) == [f"✓ {OFFICER_CN}"]
    assert screen.notice.text() == "Đã ký số 1 giấy tờ."

    # the rest of the warehouse: "Chưa ký số" lists them, "Ký tất cả" signs them with the same PIN
    screen.valid_only.setChecked(False)
    _search(qtbot, screen, "")
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.unsigned_only.setChecked(True)
    assert screen.table.rowCount() == 2 and _signatures(screen) == ["✗ chưa ký số"] * 2
    screen.confirm = lambda _question: True  # type: ignore[assignment]
    with qtbot.waitSignal(screen.signing_done, timeout=20_000) as done:
        screen.sign_all_button.click()
    assert len(done.args[0].signed) == 2 and len(asked) == 1  # the PIN of the session
    qtbot.waitUntil(lambda: screen.count_label.text() == "Không có giấy tờ nào phù hợp.", timeout=10_000)
    assert not screen.sign_all_button.isEnabled()
    with qtbot.waitSignal(screen.searched, timeout=10_000):
        screen.unsigned_only.setChecked(False)
    assert _signatures(screen) == [f"✓ {OFFICER_CN}"] * 3
    qtbot.waitUntil(lambda: screen.badge.status is not None and screen.badge.status.ok, timeout=10_000)
    qtbot.waitUntil(lambda: not screen.preview.pixmap().isNull(), timeout=10_000)
    # docs/screenshots/22_warehouse_screen.png is made by scripts/screenshots_warehouse.py (real pages)
    shots = tmp_path
    screen.grab().save(str(shots / "warehouse_screen.png"))


def test_wrong_pin_reported_forgotten_and_nothing_signed(qtbot, ctx: AppContext, runner: TaskRunner,  # type: ignore[no-untyped-def]
                                                         records) -> None:
    errors: list[BaseException] = []
    screen = _screen(qtbot, ctx, runner, errors=errors)
    screen.ask_secret = lambda _prompt: "000000"  # type: ignore[assignment]
    screen.table.selectRow(0)
    with qtbot.waitSignal(screen.signing_done, timeout=20_000):
        screen.sign_button.click()
    assert "Mã PIN" in errors[0].message_vi  # type: ignore[attr-defined]
    assert screen.pin.secret is None and "Mã PIN" in screen.notice.text()
    assert screen.sign_button.isEnabled() and not screen.progress_bar.isVisible()
    assert [r.record_id for r in service.unsigned_records(ctx, OFFICER)] == \
        [r.record_id for r in reversed(records)]


def test_clerk_reads_but_cannot_sign(qtbot, ctx: AppContext, runner: TaskRunner, records) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, ctx, runner, officer=CLERK)
    assert screen.table.rowCount() == 3
    screen.table.selectRow(0)
    assert not screen.sign_button.isEnabled() and not screen.sign_all_button.isEnabled()


def test_the_main_window_opens_the_warehouse_screen(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer

    from app.ui.main_window import MainWindow

    window = MainWindow(ctx, officer=OFFICER)
    qtbot.addWidget(window)
    window.show()
    action = window.warehouse_action
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+Shift+K"
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(action)) if a is not action]
    assert "Ctrl+Shift+K" not in shortcuts
    action.trigger()
    screen = window.warehouse_screen
    assert isinstance(screen, WarehouseScreen) and screen.isVisible()
    assert screen.windowTitle() == "Kho dữ liệu điện tử"
    action.trigger()
    assert window.warehouse_screen is screen
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=10_000)
    for timer in window.findChildren(QTimer):  # the window's scheduled backup must not fire in a later test
        timer.stop()
