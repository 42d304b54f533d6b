"""The supervisors' screens with real widgets offscreen: dashboard (figures, charts, drill-down,
PDF/xlsx report), register dialog, audit viewer (tampering in red) and the citizens' rating screen."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.services.auth import SYSTEM_OFFICER, Officer, Role
from app.services.reports import satisfaction
from app.store.repositories.ratings import RatingRepository
from app.ui.reports.audit_viewer import BROKEN, AuditViewer
from app.ui.reports.dashboard import DashboardWindow
from app.ui.reports.register_dialog import RegisterDialog
from app.ui.reports.satisfaction_screen import SatisfactionScreen
from tests.reports.crafted import load_crafted

MARCH_END = date(2026, 3, 31)
SUPERVISOR = Officer("binh", "Trần Văn Bình", Role.SUPERVISOR)


def _pdf_text(data: bytes) -> str:
    pages = PdfReader(BytesIO(data)).pages
    return unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages))


def test_dashboard_figures_charts_drill_down_and_report(qtbot, demo_ctx, runner, tmp_path):
    load_crafted(demo_ctx)
    window = DashboardWindow(demo_ctx, runner, SUPERVISOR, today=MARCH_END,
                             now=lambda: datetime(2026, 3, 27, 10, 0))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None, timeout=30_000)
    cells = {window.table.item(r, 0).text(): (window.table.item(r, 1).text(), window.table.item(r, 2).text())
             for r in range(window.table.rowCount())}
    assert cells["Giải quyết đúng hạn (kể cả trước hạn)"] == ("5", "8")
    assert cells["Giải quyết quá hạn"] == ("3", "8")
    assert cells["Hài lòng"] == ("2", "3")
    assert "Hồ sơ tiếp nhận: 11" in window.received.text()
    assert len(window.chart_views) == 4
    assert window.deadline_tabs.tabText(1) == "Đến hạn hôm nay (1)"
    assert window.due_today.item(0).text().startswith("X-H08")
    # a figure opens into its dossiers
    late_row = next(r for r in range(window.table.rowCount())
                    if window.table.item(r, 0).text() == "Giải quyết quá hạn")
    window.table.cellDoubleClicked.emit(late_row, 0)
    dialog = window.figure_dialog
    qtbot.waitUntil(lambda: dialog.codes == ["X-B02", "X-E05", "X-F06"], timeout=20_000)
    dialog.denominator.setChecked(True)
    qtbot.waitUntil(lambda: len(dialog.codes) == 8, timeout=20_000)
    # by officer instead of by field
    window.group_by.setCurrentIndex(1)
    assert "cán bộ" in window.chart_views[3].chart().title()
    # the monthly report with the charts as shown
    pdf = tmp_path / "bao-cao.pdf"
    window.export_pdf(pdf)
    qtbot.waitUntil(lambda: window.last_export == pdf, timeout=30_000)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    images = list(reader.pages[0].images)
    assert len(images) == 4
    assert "BÁO CÁO CHỈ SỐ CHẤT LƯỢNG PHỤC VỤ" in _pdf_text(pdf.read_bytes())
    xlsx = tmp_path / "bao-cao.xlsx"
    window.export_xlsx(xlsx)
    qtbot.waitUntil(lambda: window.last_export == xlsx, timeout=30_000)
    assert load_workbook(xlsx)["Chỉ số"]["A1"].value.startswith("Báo cáo chỉ số")


def test_dashboard_refuses_officers_without_the_permission(qtbot, demo_ctx, runner):
    window = DashboardWindow(demo_ctx, runner, Officer("an", "Lê An", Role.OFFICER), today=MARCH_END)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "không có quyền" in window.status.text(), timeout=20_000)
    assert window.data is None


def test_register_dialog_exports_a_spreadsheet(qtbot, demo_ctx, runner, tmp_path):
    load_crafted(demo_ctx)
    dialog = RegisterDialog(demo_ctx, runner, SUPERVISOR, today=MARCH_END, fields=["Hộ tịch"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.kind.setCurrentIndex(1)
    dialog.path.setText(str(tmp_path / "so.xlsx"))
    dialog.field.setCurrentText("Hộ tịch")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=30_000)
    assert dialog.written.rows == 9 and "Đã xuất 9 hồ sơ" in dialog.message.text()
    rows = list(load_workbook(tmp_path / "so.xlsx")["Mẫu 06"].iter_rows(values_only=True))
    assert rows[3][1] == "X-A01"


def test_audit_viewer_shows_tampering_in_red(qtbot, demo_ctx, runner):
    load_crafted(demo_ctx)
    for code in ("X-H08", "X-K11"):
        satisfaction.rate(demo_ctx, SYSTEM_OFFICER, code, 3)
    viewer = AuditViewer(demo_ctx, runner, SUPERVISOR)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.page is not None, timeout=30_000)
    assert viewer.page.chain.ok and "toàn vẹn" in viewer.banner.text() and viewer.broken_rows() == []
    target = viewer.page.lines[0].entry.id
    with demo_ctx.session(write=True) as session:
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("UPDATE audit_log SET dossier_code = 'X-A01' WHERE id = :id"), {"id": target})
    viewer.page = None
    viewer.what.setCurrentIndex(viewer.what.findData("rate"))
    viewer.refresh()
    qtbot.waitUntil(lambda: viewer.page is not None, timeout=30_000)
    assert viewer.broken_rows() == [target]
    assert "CẢNH BÁO" in viewer.banner.text() and str(target) in viewer.banner.text()
    row = next(r for r in range(viewer.table.rowCount()) if viewer.table.item(r, 0).text() == str(target))
    assert viewer.table.item(row, 0).background().color() == BROKEN
    assert viewer.table.item(row, 6).text() == "nội dung đã bị sửa"
    assert viewer.table.item(row, 4).text() == "X-A01"  # shown as it is now, not hidden


def test_rating_screen_shows_only_code_and_procedure_and_stores_the_touch(qtbot, demo_ctx, runner):
    load_crafted(demo_ctx)
    screen = SatisfactionScreen(demo_ctx, runner, SUPERVISOR)
    qtbot.addWidget(screen)
    screen.resize(1024, 640)
    screen.show()
    assert not screen.level_buttons[3].isEnabled()  # nothing to rate yet
    screen.show_dossier("X-H08")
    qtbot.waitUntil(lambda: screen.served is not None, timeout=20_000)
    shown = screen.dossier.text()
    assert "X-H08" in shown and "Đăng ký khai sinh" in shown
    assert "Công dân" not in shown and "0901234567" not in shown and "001090000001" not in shown
    screen.reason_buttons[0].setChecked(True)
    with qtbot.waitSignal(screen.rated, timeout=20_000):
        qtbot.mouseClick(screen.level_buttons[2], Qt.MouseButton.LeftButton)
    assert "cảm ơn" in screen.message.text().lower()
    assert not screen.level_buttons[2].isEnabled()  # one touch per event
    with demo_ctx.session() as session:
        stored = RatingRepository(session).get("X-H08", "receive")
    assert stored is not None and stored.level == 2 and stored.reason == satisfaction.REASONS_VI[0]
    screen.show_dossier("X-H08")  # served again: the same event cannot be rated twice
    qtbot.waitUntil(lambda: "đã được đánh giá" in screen.message.text(), timeout=20_000)
    assert not screen.level_buttons[3].isEnabled()


def test_reports_menu_follows_the_role(qtbot, demo_ctx):
    from app.ui.main_window import MainWindow

    for role, reports, rating in ((Role.SUPERVISOR, True, True), (Role.OFFICER, False, True),
                                  (Role.CLERK, False, False)):
        window = MainWindow(demo_ctx, officer=Officer("u", "Người dùng", role))
        qtbot.addWidget(window)
        actions = window.reports.actions
        assert [actions[k].isEnabled() for k in ("dashboard", "register", "audit")] == [reports] * 3
        assert actions["rating_screen"].isEnabled() is rating and actions["ask_rating"].isEnabled() is rating
        window.runner.shutdown(wait=True)
    window = MainWindow(demo_ctx, officer=SUPERVISOR)
    qtbot.addWidget(window)
    dashboard = window.reports.open_dashboard()
    assert window.reports.open_dashboard() is dashboard  # kept, not opened twice
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=30_000)
    window._detail_code = "000.00.12.H29-260805-0001"  # the dossier shown in the detail pane
    screen = window.reports.ask_rating()
    qtbot.waitUntil(lambda: screen.served is not None, timeout=20_000)
    assert screen.served.code == "000.00.12.H29-260805-0001"
    window.runner.shutdown(wait=True)
