"""Screenshots of the supervisors' screens, called by ``scripts/screenshots.py`` on its demo database:
the dashboard (``28_dashboard.png``), the register dialog (``29_register_dialog.png``), the audit
viewer with one tampered row (``30_audit_viewer.png``), the citizens' rating screen
(``31_satisfaction_screen.png``), and the register and monthly report PDFs with their first pages as
PNG (``reports/``). Some demo dossiers are rated first so that the satisfaction figure is not empty.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

DAY = date(2026, 11, 20)
LEVELS = (3, 3, 2, 3, 1, 2, 3, 3, 2, 3, 3, 1, 2, 3, 3, 2)


def _rate_some(ctx, supervisor) -> None:  # type: ignore[no-untyped-def]
    from app.services.reports import satisfaction
    from app.store.models import DossierRow

    with ctx.session() as session:
        table = DossierRow.__table__
        codes = list(session.execute(select(table.c.code).where(table.c.received_at >= datetime(2026, 11, 1))
                                     .order_by(table.c.id).limit(len(LEVELS))).scalars())
    for index, (code, level) in enumerate(zip(codes, LEVELS, strict=False)):
        reason = satisfaction.REASONS_VI[0] if level == 1 else ""
        at = datetime(2026, 11, 2, 9) + timedelta(hours=index)
        satisfaction.rate(ctx, supervisor, code, level, reason, now=at)


def shoot_reports(s, ctx, runner, out: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services import auth
    from app.services.reports import register
    from app.services.reports.indicators import Period
    from app.ui.reports.audit_viewer import AuditViewer
    from app.ui.reports.dashboard import DashboardWindow
    from app.ui.reports.register_dialog import RegisterDialog
    from app.ui.reports.satisfaction_screen import SatisfactionScreen
    from scripts.screenshots import DEMO_NOW, pdf_pages

    supervisor = auth.Officer("binh", "Trần Văn Bình", auth.Role.SUPERVISOR)
    _rate_some(ctx, supervisor)
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)

    dashboard = DashboardWindow(ctx, runner, supervisor, today=DAY, now=lambda: DEMO_NOW)
    dashboard.first.setDate(dashboard.first.date().addMonths(-3))
    dashboard.resize(1600, 1000)
    dashboard.show()
    s.wait(lambda: dashboard.data is not None, timeout=60)
    dashboard.data = None
    dashboard.refresh()
    s.wait(lambda: dashboard.data is not None, timeout=60)
    s.settle(0.5)
    s.shoot(dashboard, "28_dashboard")
    report = reports / "bao-cao-chi-so.pdf"
    dashboard.export_pdf(report)
    s.wait(lambda: dashboard.last_export == report, timeout=60)
    s.written.extend(pdf_pages(report, 70))
    dashboard.close()

    dialog = RegisterDialog(ctx, runner, supervisor, today=DAY, fields=["Hộ tịch", "Chứng thực"])
    dialog.path.setText(str(reports / "so-theo-doi-ho-so.pdf"))
    dialog.show()
    dialog.export()
    s.wait(lambda: dialog.written is not None, timeout=120)
    s.shoot(dialog, "29_register_dialog")
    dialog.close()
    first_page = reports / "so-theo-doi-trang-1.pdf"
    register.export(ctx, supervisor, Period(DAY.replace(day=18), DAY), first_page)
    s.written.extend(pdf_pages(first_page, 70))

    screen = SatisfactionScreen(ctx, runner, supervisor)
    screen.resize(1024, 640)
    screen.show()
    with ctx.session() as session:
        from app.store.models import DossierRow

        table = DossierRow.__table__
        code = session.execute(select(table.c.code).where(table.c.status == 10)
                               .order_by(table.c.id.desc()).limit(1)).scalar_one()
    screen.show_dossier(code)
    s.wait(lambda: screen.served is not None)
    screen.reason_buttons[5].setChecked(True)
    s.shoot(screen, "31_satisfaction_screen")
    screen.close()

    # Someone edits an audit row behind the application's back: the viewer shows it in red.
    with ctx.session(write=True) as session:
        session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        target = session.execute(text("SELECT max(id) FROM audit_log WHERE action = 'rate'")).scalar_one()
        session.execute(text("UPDATE audit_log SET officer = 'ke-gian' WHERE id = :id"), {"id": target})
    viewer = AuditViewer(ctx, runner, supervisor, today=DAY)
    viewer.resize(1400, 760)
    viewer.show()
    s.wait(lambda: viewer.page is not None, timeout=60)
    s.shoot(viewer, "30_audit_viewer")
    viewer.close()
