"""The main window on real widgets: lazy list, search, filters, detail pane."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.ui.main_window import MainWindow


def _window(qtbot, ctx: AppContext) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    return window


def test_lists_demo_dossiers_lazily(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    """GIVEN 300 demo dossiers WHEN the window opens THEN the first page is loaded, not everything."""
    window = _window(qtbot, demo_ctx)
    assert window.model.total == 300
    assert window.model.rowCount() == 200  # one page; the rest comes on scroll
    assert "300 hồ sơ" in window.count_label.text()
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=10_000)
    received = [window.model.summary_at(r).received_at for r in range(window.model.rowCount())]
    assert received == sorted(received, reverse=True)


def test_search_is_diacritic_insensitive(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    qtbot.keyClicks(window.search_box, "nguyen")
    qtbot.waitUntil(lambda: window.model.total is not None and window.model.total < 300, timeout=10_000)
    qtbot.waitUntil(lambda: not window.model.loading)
    assert window.model.rowCount() > 0
    names = [window.model.summary_at(r).applicant_name for r in range(window.model.rowCount())]
    assert all("Nguyễn" in name or "nguyen" in name.lower() for name in names), names[:5]


def test_status_filter_and_detail_pane(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    window.status_filter.setCurrentIndex(window.status_filter.findData(10))
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    assert window.model.rowCount() > 0
    assert all(int(window.model.summary_at(r).status) == 10 for r in range(window.model.rowCount()))
    window.table.selectRow(0)
    code = window.model.summary_at(0).code
    qtbot.waitUntil(lambda: code in window.detail.toPlainText(), timeout=10_000)
    assert "Đã trả kết quả" in window.detail.toPlainText()


def test_ctrl_f_focuses_search(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo_ctx)
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_box.hasFocus)
