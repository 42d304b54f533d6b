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


def test_procedure_channel_and_period_filters(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the demo list WHEN the officer narrows by procedure, channel and a date range
    THEN every row shown matches, and clearing the filters brings all 300 back."""
    from datetime import date

    from PySide6.QtCore import QDate

    window = _window(qtbot, demo_ctx)
    filters = window.filters
    qtbot.waitUntil(lambda: filters.procedure_filter.count() > 25, timeout=10_000)
    index = filters.procedure_filter.findData("1.001193")
    assert index > 0, "khai sinh must be in the procedure filter"
    filters.procedure_filter.setCurrentIndex(index)
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    assert 0 < window.model.total < 300
    assert {window.model.summary_at(r).procedure_code for r in range(window.model.rowCount())} == {"1.001193"}

    filters.procedure_filter.setCurrentIndex(0)
    filters.channel_filter.setCurrentIndex(filters.channel_filter.findData(1))
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    assert all(int(window.model.summary_at(r).channel) == 1 for r in range(window.model.rowCount()))

    filters.channel_filter.setCurrentIndex(0)
    filters.period_filter.setCurrentIndex(filters.period_filter.findData("custom"))
    qtbot.waitUntil(filters.date_from.isVisible, timeout=5_000)
    filters.date_from.setDate(QDate(2026, 11, 2))
    filters.date_to.setDate(QDate(2026, 11, 6))
    qtbot.waitUntil(lambda: filters.current().received_from == date(2026, 11, 2), timeout=5_000)
    window.apply_filters()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    days = {window.model.summary_at(r).received_at.date() for r in range(window.model.rowCount())}
    assert days and all(date(2026, 11, 2) <= d <= date(2026, 11, 6) for d in days)

    filters.period_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.model.total == 300, timeout=10_000)
