"""Screenshots of the station set-up wizard, one per page (``40_setup_1_agency.png`` …
``40_setup_8_calendar.png``), on a fresh folder made by ``motcua init`` (no account yet), with the SANE
``test`` backend as the scanner of the test scan. Called by ``scripts/screenshots.py``.
The recovery secret shown is a fixed example, not one of any real data folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

EXAMPLE_SECRET = "7KQM-3XTD-HW9P-RB4N-ZC6F-L2VA"
SCANNER = "sane:test:0?test-picture=Color pattern"


def _private_sane(folder: Path) -> None:
    """Only SANE's ``test`` backend: the screenshot's test scan needs no real scanner."""
    sane = folder / "sane.d"
    sane.mkdir()
    (sane / "dll.conf").write_text("test\n", encoding="utf-8")
    (sane / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    os.environ["SANE_CONFIG_DIR"] = str(sane)


def shoot_setup(s, now) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QWizard

    from app.services.admin.setup import init
    from app.services.context import AppContext
    from app.ui.ops import TaskRunner
    from app.ui.setup_wizard.wizard import SetupWizard, load_start
    from scripts.screenshots import PASSWORD

    with tempfile.TemporaryDirectory(prefix="motcua-shots-setup-") as folder:
        previous_sane = os.environ.get("SANE_CONFIG_DIR")
        _private_sane(Path(folder))
        ctx = AppContext.open(Path(folder) / "data")
        runner = TaskRunner()
        try:
            init(ctx, now=now)
            start = load_start(ctx)
            start.setup.recovery_secret = EXAMPLE_SECRET
            start.setup.scanner = SCANNER  # the test backend's colour pattern, not its default black page
            wizard = SetupWizard(ctx, runner, start)
            wizard.resize(820, 620)
            wizard.show()

            def next_page() -> None:
                wizard.button(QWizard.WizardButton.NextButton).click()

            agency = wizard.currentPage()
            agency.name.setText("UBND phường Sài Gòn")  # type: ignore[attr-defined]
            agency.code.setText("H29.30.01")  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_1_agency")
            next_page()
            station = wizard.currentPage()
            station.name.setText("Quầy số 2")  # type: ignore[attr-defined]
            station.first.setValue(2001)  # type: ignore[attr-defined]
            station.last.setValue(4000)  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_2_station")
            next_page()
            s.shoot(wizard, "40_setup_3_forms")
            next_page()
            devices = wizard.currentPage()
            s.wait(lambda: devices.scanner.findData("sane:test:0") >= 0, timeout=60)  # type: ignore[attr-defined]
            devices.test_button.click()  # type: ignore[attr-defined]
            s.wait(lambda: "thành công" in devices.status.text(), timeout=60)  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_4_devices")
            next_page()
            account = wizard.currentPage()
            account.username.setText("ha")  # type: ignore[attr-defined]
            account.full_name.setText("Phạm Thu Hà")  # type: ignore[attr-defined]
            account.password.setText(PASSWORD)  # type: ignore[attr-defined]
            account.again.setText(PASSWORD + "?")  # type: ignore[attr-defined]
            next_page()  # refused: the page says why, in Vietnamese
            s.shoot(wizard, "40_setup_5_account")
            account.again.setText(PASSWORD)  # type: ignore[attr-defined]
            next_page()
            wizard.currentPage().kept.setChecked(True)  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_6_secret")
            next_page()
            server = wizard.currentPage()
            server.online.setChecked(True)  # type: ignore[attr-defined]
            server.url.setText("https://motcua.hochiminhcity.gov.vn")  # type: ignore[attr-defined]
            server.token.setText("token-quay-2")  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_7_server")
            next_page()
            calendar = wizard.currentPage()
            calendar.day.setDate(QDate(start.setup.calendar_year, 12, 31))  # type: ignore[attr-defined]
            calendar.note.setText("Nghỉ tổng kết năm")  # type: ignore[attr-defined]
            calendar.add_override()  # type: ignore[attr-defined]
            calendar.confirm.setChecked(True)  # type: ignore[attr-defined]
            s.shoot(wizard, "40_setup_8_calendar")
            wizard.reject()
        finally:
            runner.shutdown()
            ctx.close()
            if previous_sane is None:
                os.environ.pop("SANE_CONFIG_DIR", None)
            else:
                os.environ["SANE_CONFIG_DIR"] = previous_sane
