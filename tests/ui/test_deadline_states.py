"""Deadline states at the counter: the list's "Hạn xử lý" column (colour, icon, label, tooltip), the
deadline filter of the filter bar (same lists as ``motcua dossier list --due``) and the detail pane.
A dossier waiting for supplements is "paused": neutral, never red, never overdue."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import text

from app.core.clock import vn_now
from app.core.deadlines import DeadlineClock, DeadlineState
from app.core.dossier import DossierStatus
from app.services.admin.auth import Officer, Role
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.ui.dossiers.dossier_model import DEADLINE_COLUMN, DUE_COLUMN, DossierListModel
from app.ui.lifecycle.deadline_view import COLOURS
from app.ui.main_window import MainWindow
from app.ui.ops import TaskRunner

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
RED = COLOURS[DeadlineState.OVERDUE]


def _set(ctx: AppContext, code: str, status: DossierStatus, due_at: datetime) -> None:
    with ctx.session(write=True) as session:
        session.execute(text("UPDATE dossiers SET status = :s, due_at = :d WHERE code = :c"),
                        {"s": int(status), "d": due_at, "c": code})


def test_list_model_shows_each_state_from_loaded_columns(qtbot, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                         runner: TaskRunner) -> None:
    now = datetime(2026, 12, 7, 9, 0)  # a Monday
    clock = DeadlineClock(now, datetime(2026, 12, 8, 9, 0))
    base = dossier_service.list_dossiers(demo_ctx, limit=1)[0]
    rows = [dataclasses.replace(base, status=DossierStatus.PROCESSING, due_at=now - timedelta(hours=1)),
            dataclasses.replace(base, status=DossierStatus.PROCESSING, due_at=now + timedelta(hours=5)),
            dataclasses.replace(base, status=DossierStatus.RECEIVED, due_at=datetime(2026, 12, 8, 8, 30)),
            dataclasses.replace(base, status=DossierStatus.SUPPLEMENT_REQUESTED,
                                due_at=now - timedelta(days=3)),
            dataclasses.replace(base, status=DossierStatus.PROCESSING, due_at=datetime(2026, 12, 20, 10, 0)),
            dataclasses.replace(base, status=DossierStatus.RETURNED, due_at=now - timedelta(days=9))]
    fetched: list[int] = []

    def fetch(offset: int, limit: int) -> list:  # type: ignore[type-arg]
        fetched.append(offset)
        return rows[offset:offset + limit]

    model = DossierListModel(runner)
    model.set_source(fetch)
    qtbot.waitUntil(lambda: model.rowCount() == len(rows), timeout=10_000)
    model.set_clock(clock)
    states = [model.deadline_at(r) for r in range(len(rows))]
    assert states == [DeadlineState.OVERDUE, DeadlineState.DUE_TODAY, DeadlineState.DUE_SOON,
                      DeadlineState.PAUSED, DeadlineState.ON_TIME, DeadlineState.CLOSED]
    assert fetched == [0]  # one page query, no query per row

    def cell(row: int, role: Qt.ItemDataRole, column: int = DEADLINE_COLUMN) -> object:
        return model.data(model.index(row, column), role)

    assert [cell(r, Qt.ItemDataRole.DisplayRole) for r in range(len(rows))] == [
        "Quá hạn", "Đến hạn hôm nay", "Sắp đến hạn", "Tạm dừng (chờ bổ sung)", "Trong hạn", ""]
    assert cell(0, Qt.ItemDataRole.ForegroundRole).color().name() == RED  # type: ignore[attr-defined]
    assert cell(0, Qt.ItemDataRole.ForegroundRole, DUE_COLUMN).color().name() == RED  # type: ignore[attr-defined]
    paused = cell(3, Qt.ItemDataRole.ForegroundRole).color().name()  # type: ignore[attr-defined]
    assert paused == COLOURS[DeadlineState.PAUSED] and paused != RED
    assert "tạm dừng" in str(cell(3, Qt.ItemDataRole.ToolTipRole)) and "không tính quá hạn" in str(
        cell(3, Qt.ItemDataRole.ToolTipRole, DUE_COLUMN))
    assert not cell(3, Qt.ItemDataRole.DecorationRole).isNull()  # type: ignore[attr-defined]
    assert cell(5, Qt.ItemDataRole.ForegroundRole) is None and cell(5, Qt.ItemDataRole.ToolTipRole) is None


def test_deadline_filter_lists_like_the_cli_and_detail_shows_the_state(  # type: ignore[no-untyped-def]
        qtbot, demo_ctx: AppContext) -> None:
    now = vn_now()
    codes = [s.code for s in dossier_service.list_dossiers(demo_ctx, limit=3)]
    late, today, paused = codes
    # Everything else is closed so each list holds exactly the dossier made for it.
    with demo_ctx.session(write=True) as session:
        session.execute(text("UPDATE dossiers SET status = 10"))
    _set(demo_ctx, late, DossierStatus.PROCESSING, now - timedelta(days=2))
    _set(demo_ctx, today, DossierStatus.PROCESSING, datetime.combine(now.date(), time(23, 59)))
    _set(demo_ctx, paused, DossierStatus.SUPPLEMENT_REQUESTED, now - timedelta(days=5))  # would be late

    window = MainWindow(demo_ctx, officer=OFFICER)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    combo = window.filters.deadline_filter
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "today", "soon", "overdue", "paused"]

    def choose(due: str) -> list[str]:
        combo.setCurrentIndex(combo.findData(due))
        qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
        return [window.model.summary_at(r).code for r in range(window.model.rowCount())]

    assert choose("overdue") == [late]
    assert not window.status_filter.isEnabled() and not window.search_box.isEnabled()
    qtbot.waitUntil(lambda: window.model.deadline_at(0) is DeadlineState.OVERDUE, timeout=10_000)
    assert choose("paused") == [paused]
    qtbot.waitUntil(lambda: window.model.deadline_at(0) is DeadlineState.PAUSED, timeout=10_000)
    if now.time() < time(23, 58):
        assert choose("today") == [today]
        assert today in choose("soon")  # "soon" includes what is due today, as the CLI's list
    assert late not in choose("soon") and paused not in choose("soon")
    combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.status_filter.isEnabled() and (window.model.total or 0) > 3,
                    timeout=10_000)  # back to every dossier

    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window._show_detail(paused)
    html = window.detail.toHtml()
    assert "Tạm dừng (chờ bổ sung)" in html and "Quá hạn" not in html
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window._show_detail(late)
    assert "Quá hạn" in window.detail.toHtml()
    window.close()
