"""Screenshots of the dossier actions after reception: the main window's action buttons and deadline
states, the supplement request dialog, the postponement dialog and the return dialog with the
collector read from a CCCD. Called by ``scripts/screenshots.py``; also
runs on its own:

    .venv/bin/python scripts/screenshots_lifecycle.py [--out docs/screenshots]

(offscreen Qt platform, a fresh demo database in a temporary folder; writes only its own pictures).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.keyring_backend import install_for_session  # noqa: E402

install_for_session()


def shoot_lifecycle(s, ctx, officer) -> None:  # type: ignore[no-untyped-def]
    """25_main_actions, 26_supplement_dialog, 27_postpone_dialog, 32_return_collector."""
    from PySide6.QtCore import Qt

    from app.core.dossier import DossierStatus
    from app.core.lifecycle import Action
    from app.services import lifecycle
    from app.services.reception import dossiers as dossier_service
    from app.ui.main_window import MainWindow

    _stage_deadlines(ctx)

    window = MainWindow(ctx, officer=officer)
    window.resize(1400, 820)
    window.show()
    s.wait(lambda: window.model.total is not None and not window.model.loading)
    window.centralWidget().setSizes([980, 420])  # the list wide enough for its deadline column
    for column, width in enumerate((185, 140, 0, 0, 112, 110, 190)):
        window.table.setColumnWidth(column, width)
        window.table.setColumnHidden(column, width == 0)  # procedure and reception date: in the detail
    received = dossier_service.list_dossiers(ctx, status=int(DossierStatus.RECEIVED), limit=1)[0].code
    late = dossier_service.list_dossiers(ctx, status=int(DossierStatus.PROCESSING), limit=1)[0].code
    row = next(r for r in range(window.model.rowCount()) if window.model.summary_at(r).code == received)
    window.table.selectRow(row)
    s.wait(lambda: window.actions_bar.dossier is not None and window.actions_bar.dossier.code == received)
    s.wait(lambda: window.model.deadline_at(row) is not None and window.runner.pending == 0)
    s.shoot(window, "25_main_actions")

    dialog = window.open_action_dialog(Action.SUPPLEMENT_REQUEST)
    assert dialog is not None and dialog.items is not None and dialog.reason is not None
    s.wait(dialog.isVisible)
    dialog.items.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.other_items.setPlainText("Giấy xác nhận tình trạng hôn nhân")  # type: ignore[union-attr]
    dialog.reason.setText("Thiếu giấy tờ chứng minh nhân thân và tình trạng hôn nhân")
    s.shoot(dialog, "26_supplement_dialog")
    dialog.reject()

    window._show_detail(late)
    s.wait(lambda: window.actions_bar.dossier is not None and window.actions_bar.dossier.code == late)
    dialog = window.open_action_dialog(Action.POSTPONE)
    assert dialog is not None and dialog.new_due is not None and dialog.reason is not None
    s.wait(dialog.isVisible)
    s.wait(lambda: dialog.default_due is not None)  # the next working day, proposed
    dialog.reason.setText("Chờ kết quả xác minh nơi cư trú của Công an phường")
    dialog.confirm()
    s.wait(lambda: dialog.result is not None)
    s.shoot(dialog, "27_postpone_dialog")
    dialog.reject()

    done = dossier_service.list_dossiers(ctx, status=int(DossierStatus.PROCESSING), limit=1)[0].code
    lifecycle.mark_done(ctx, done, officer)
    returning = window.open_return_dialog()
    assert returning is not None
    s.wait(returning.isVisible)
    returning.look_up(done)
    s.wait(lambda: returning.dossier is not None)
    from scripts.screenshots import CCCD_PAYLOAD

    returning.fill_collector(CCCD_PAYLOAD)  # as the wedge scanner or the webcam gives it
    s.shoot(returning, "32_return_collector")
    returning.reject()
    s.wait(lambda: not window.model.loading and window.runner.pending == 0)
    window.close()


def _stage_deadlines(ctx) -> None:  # type: ignore[no-untyped-def]
    """A realistic mix at the top of the list against today's clock (the demo data is dated): due
    today, due within a working day, on time, waiting for supplements (paused); the rest overdue."""
    from sqlalchemy import text

    from app.core.deadlines import one_working_day_later
    from app.core.dossier import DossierStatus
    from app.services.reception import dossiers as dossier_service
    from app.services.reception.calendar import work_calendar

    now = datetime.now().replace(second=0, microsecond=0)
    soon = one_working_day_later(work_calendar(ctx), now)
    top = [d.code for d in dossier_service.list_dossiers(ctx, limit=6)]
    later_today = datetime.combine(now.date(), time(16, 30) if now.time() < time(16) else time(23, 30))
    staged = [(DossierStatus.PROCESSING, later_today),
              (DossierStatus.PROCESSING, soon), (DossierStatus.PROCESSING, soon + timedelta(days=7)),
              (DossierStatus.SUPPLEMENT_REQUESTED, now - timedelta(days=2))]
    with ctx.session(write=True) as session:
        for code, (status, due) in zip(top[1:], staged, strict=False):
            session.execute(text("UPDATE dossiers SET status = :s, due_at = :d WHERE code = :c"),
                            {"s": int(status), "d": due, "c": code})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.services.admin import auth
    from app.services.admin.setup import init
    from app.services.context import AppContext
    from app.ui.fonts import install_bundled_fonts
    from scripts.screenshots import DEMO_NOW, Shooter

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_bundled_fonts(app)
    shooter = Shooter(app, out)
    with tempfile.TemporaryDirectory(prefix="motcua-life-shots-") as folder:
        os.environ.setdefault("MOTCUA_SECRET_DIR", str(Path(folder) / "machine-secret"))
        ctx = AppContext.open(Path(folder) / "data")
        try:
            init(ctx, demo=True, now=DEMO_NOW)
            shoot_lifecycle(shooter, ctx, auth.SYSTEM_OFFICER)
        finally:
            ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
