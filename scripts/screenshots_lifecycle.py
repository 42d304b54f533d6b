"""Screenshots of the dossier actions after reception: the main window's action buttons, the
supplement request dialog and the postponement dialog. Called by ``scripts/screenshots.py``; also
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
    """25_main_actions, 26_supplement_dialog, 27_postpone_dialog."""
    from PySide6.QtCore import QDateTime, Qt

    from app.core.dossier import DossierStatus
    from app.core.lifecycle import Action
    from app.services import dossiers as dossier_service
    from app.services.calendar import work_calendar
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx, officer=officer)
    window.resize(1400, 820)
    window.show()
    s.wait(lambda: window.model.total is not None and not window.model.loading)
    received = dossier_service.list_dossiers(ctx, status=int(DossierStatus.RECEIVED), limit=1)[0].code
    late = dossier_service.list_dossiers(ctx, status=int(DossierStatus.PROCESSING), limit=1)[0].code
    window.search_box.setText(received)
    window.apply_filters()
    s.wait(lambda: window.model.total == 1 and not window.model.loading)
    window.table.selectRow(0)
    s.wait(lambda: window.actions_bar.dossier is not None and window.actions_bar.dossier.code == received)
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
    day = work_calendar(ctx).next_working_day(datetime.now().date() + timedelta(days=1))
    dialog.new_due.setDateTime(QDateTime(datetime.combine(day, time(10, 0))))
    dialog.reason.setText("Chờ kết quả xác minh nơi cư trú của Công an phường")
    dialog.confirm()
    s.wait(lambda: dialog.result is not None)
    s.shoot(dialog, "27_postpone_dialog")
    dialog.reject()
    s.wait(lambda: not window.model.loading and window.runner.pending == 0)
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.services import auth
    from app.services.context import AppContext
    from app.services.setup import init
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
