"""The sync indicator, the sync centre and the dossier's sync state against the real reference server
(a subprocess on loopback) going down and coming back.

The background worker's periodic runs are pushed far away (an hour) so that every run here is one
the test asked for ("Đồng bộ ngay", Ctrl+Shift+Y or after configuring); the worker itself, its
thread and its signals are the real ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services.auth import Officer, Role
from app.services.context import AppContext
from app.services.sync import configure, dossier_sync_state, sync_state
from app.sync.secrets import ENV_BACKEND, ENV_SECRET_DIR
from app.ui import sync_worker
from app.ui.main_window import MainWindow
from app.ui.sync_indicator import GREEN, ORANGE, RED
from tests.sync import helpers
from tests.sync.helpers import PROCEDURES, attach, catalogue_records, new_agency, open_station, receive

pytestmark = pytest.mark.slow
WAIT = 20_000


@pytest.fixture(autouse=True)
def _token_file_and_quiet_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_BACKEND, "file")
    monkeypatch.setenv(ENV_SECRET_DIR, str(tmp_path / "machine-secret"))
    monkeypatch.setattr(sync_worker, "WORKER_INTERVAL", 3600.0)
    monkeypatch.setattr(sync_worker, "BUSY_INTERVAL", 3600.0)


@pytest.fixture
def station(tmp_path: Path):  # type: ignore[no-untyped-def]
    agency = new_agency()
    ctx = open_station(tmp_path / "station", agency, helpers.small_catalogue(tmp_path))
    yield ctx, agency
    ctx.close()


def _window(qtbot, ctx: AppContext) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=WAIT)
    return window


def _runs_after(qtbot, window: MainWindow, before: int) -> None:  # type: ignore[no-untyped-def]
    """Wait until a run started after ``before`` finished and the indicator re-read the state."""
    controller = window.sync.controller
    qtbot.waitUntil(lambda: controller.runs > before and not controller.running, timeout=WAIT)
    with qtbot.waitSignal(window.sync.state_changed, timeout=WAIT):
        window.sync.refresh()


def _select(qtbot, window: MainWindow, code: str) -> None:  # type: ignore[no-untyped-def]
    rows = [r for r in range(window.model.rowCount()) if window.model.summary_at(r).code == code]
    window.table.selectRow(rows[0])
    qtbot.waitUntil(lambda: code in window.detail.toPlainText(), timeout=WAIT)


def test_indicator_and_centre_follow_the_server_down_and_back(  # type: ignore[no-untyped-def]
        qtbot, station: tuple[AppContext, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, agency = station
    first, second = receive(ctx, 1), receive(ctx, 2)
    attach(ctx, first.code, b"%PDF-1.4 scan of the first dossier", "scan.pdf")
    port = helpers.free_port()  # nothing listens there yet: the station is offline
    configure(ctx, server_url=f"http://127.0.0.1:{port}", token="not-issued-yet")

    # Offline: the worker's first run finds no server; 3 items wait (2 dossiers, 1 file).
    window = _window(qtbot, ctx)
    indicator = window.sync.indicator
    qtbot.waitUntil(lambda: indicator.state is not None and indicator.state.online is False, timeout=WAIT)
    assert "Ngoại tuyến" in indicator.text() and "Chờ gửi: 3" in indicator.text()
    assert "Đồng bộ lần cuối: chưa có" in indicator.text() and indicator.colour == ORANGE
    _select(qtbot, window, first.code)
    assert "Đang chờ đồng bộ (2)" in window.detail.toPlainText()

    # The server comes up; the officer opens the sync centre from the indicator and configures it.
    monkeypatch.setattr(helpers, "free_port", lambda: port)  # the province's address does not change
    server = helpers.start_server(tmp_path / "province")
    try:
        _, token = server.station(agency)
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
        centre = window.sync.centre
        assert centre is not None and centre.isVisible() and centre.windowTitle() == "Trung tâm đồng bộ"
        qtbot.waitUntil(lambda: centre.waiting_table.rowCount() == 3, timeout=WAIT)
        assert {centre.waiting_table.item(r, 0).text() for r in range(3)} == {first.code, second.code}
        before = window.sync.controller.runs
        dialog = centre.open_config()
        assert dialog.server_edit.text() == server.url
        dialog.token_edit.setText(token)
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Lưu
        _runs_after(qtbot, window, before)

        # Online: everything sent, the last success shown dd/mm/yyyy HH:MM, the detail says synced.
        state = indicator.state
        assert (state.online, state.pending, state.failed) == (True, 0, 0) and state.last_success
        assert "Trực tuyến" in indicator.text() and indicator.colour == GREEN
        assert state.last_success.strftime("%d/%m/%Y %H:%M") in indicator.text()
        qtbot.waitUntil(lambda: "Đã đồng bộ" in window.detail.toPlainText(), timeout=WAIT)
        assert re.search(r"Đã đồng bộ \d{2}/\d{2}/\d{4} \d{2}:\d{2}", window.detail.toPlainText())
        qtbot.waitUntil(lambda: centre.waiting_table.rowCount() == 0, timeout=WAIT)
        held = {d["MaHoSo"] for d in server.admin("GET", "/dossiers")}
        assert {first.code, second.code} <= held

        # The province refuses a dossier (procedure not in its catalogue): Ctrl+Shift+Y, it is parked.
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(PROCEDURES[:1])})
        refused = receive(ctx, 3, PROCEDURES[1])
        before = window.sync.controller.runs
        centre.close()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
        qtbot.keyClick(window, Qt.Key.Key_Y,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        _runs_after(qtbot, window, before)
        assert (indicator.state.failed, indicator.state.parked) == (1, 1)
        assert "Lỗi: 1" in indicator.text() and indicator.colour == RED
    finally:
        server.stop()  # the server goes down

    # Offline again: the indicator says so, the refused item is still listed with its reason.
    before = window.sync.controller.runs
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)  # the centre again, from the indicator
    assert window.sync.centre is centre and centre.isVisible()
    qtbot.mouseClick(centre.sync_button, Qt.MouseButton.LeftButton)
    _runs_after(qtbot, window, before)
    assert indicator.state.online is False and "Ngoại tuyến" in indicator.text()
    assert "Không kết nối được" in (indicator.state.last_error_vi or "")
    assert dossier_sync_state(ctx, refused.code).text_vi.startswith("Lỗi đồng bộ: Thủ tục")
    qtbot.waitUntil(lambda: centre.failed_table.rowCount() == 1, timeout=WAIT)
    assert centre.tabs.tabText(1) == "Lỗi (1)"
    assert centre.failed_table.item(0, 0).text() == refused.code
    assert centre.failed_table.item(0, 3).text() == "Bị từ chối"
    reason = centre.failed_table.item(0, 4).text()
    assert reason.startswith(f"Thủ tục {PROCEDURES[1]} không có trong danh mục của tỉnh. Hãy báo")
    assert "Chưa đồng bộ được: Không kết nối được" in centre.progress_label.text()

    # Thử lại: the item goes back to the waiting list.
    assert not centre.retry_button.isEnabled()  # nothing selected yet
    centre.tabs.setCurrentIndex(1)
    centre.failed_table.selectRow(0)
    assert centre.retry_button.isEnabled()
    qtbot.mouseClick(centre.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: centre.failed_table.rowCount() == 0 and centre.waiting_table.rowCount() == 1,
                    timeout=WAIT)
    assert centre.waiting_table.item(0, 0).text() == refused.code
    assert (sync_state(ctx).pending, sync_state(ctx).failed) == (1, 0)

    # The server comes back (same address, same data, the catalogue fixed): sync now succeeds.
    server = helpers.start_server(tmp_path / "province")
    try:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records()})
        before = window.sync.controller.runs
        qtbot.mouseClick(centre.sync_button, Qt.MouseButton.LeftButton)
        assert centre.progress.isVisible()
        _runs_after(qtbot, window, before)
        state = indicator.state
        assert (state.online, state.pending, state.failed) == (True, 0, 0)
        assert indicator.colour == GREEN
        qtbot.waitUntil(lambda: centre.waiting_table.rowCount() == 0, timeout=WAIT)
        assert "Đã gửi 1 mục" in centre.progress_label.text() and not centre.progress.isVisible()
        assert refused.code in {d["MaHoSo"] for d in server.admin("GET", "/dossiers")}
        assert dossier_sync_state(ctx, refused.code).state == "synced"
    finally:
        server.stop()
    window.close()
    assert not window.sync.controller.active



def test_without_a_server_or_the_permission(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    """No server configured: grey indicator, no worker; "Đồng bộ ngay" says what to do. A clerk
    (no sync permission) cannot sync, retry or configure, but can look."""
    window = _window(qtbot, demo_ctx)
    indicator = window.sync.indicator
    qtbot.waitUntil(lambda: indicator.state is not None, timeout=WAIT)
    assert indicator.text() == "● Chưa cấu hình đồng bộ" and not window.sync.controller.active
    before = window.sync.controller.runs
    window.sync_now_action.trigger()
    qtbot.waitUntil(lambda: window.sync.controller.runs > before, timeout=WAIT)
    qtbot.waitUntil(lambda: "Chưa cấu hình máy chủ tỉnh" in window.statusBar().currentMessage(), timeout=WAIT)
    qtbot.waitUntil(lambda: not window.sync.controller.active, timeout=WAIT)  # it stops itself

    clerk = MainWindow(demo_ctx, officer=Officer("mai", "Phạm Thị Mai", Role.CLERK))
    qtbot.addWidget(clerk)
    assert not clerk.sync_now_action.isEnabled() and clerk.sync.sync_now() is False
    centre = clerk.sync.open_centre()
    assert not centre.sync_button.isEnabled() and not centre.config_button.isEnabled()
    qtbot.waitUntil(lambda: "Chưa cấu hình máy chủ tỉnh" in centre.summary.text(), timeout=WAIT)
