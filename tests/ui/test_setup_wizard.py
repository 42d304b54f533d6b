"""The station set-up wizard, driven page by page with real widgets: each page refuses bad answers in
Vietnamese, nothing is stored before Hoàn tất (Cancel stores nothing), Finish stores the settings, the
administrator, the recovery secret, the station token and the calendar overrides; the SANE ``test``
backend is the scanner of the test scan; a second start does not show the wizard."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWizard

from app.core.calendar import DayKind
from app.services import context as settings_keys
from app.services.admin import auth
from app.services.context import AppContext
from app.services.station_setup import first_run
from app.services.sync.run_once import SERVER_URL
from app.store import data_key as keystore
from app.store import rotation
from app.store.repositories import CalendarRepository, SettingsRepository, UserRepository
from app.sync.secrets import TokenStore
from app.ui.main_window import MainWindow
from app.ui.setup_wizard.wizard import SetupWizard, load_start, run_at_first_start
from tests.timing import budget

PASSWORD = "mat-khau-2026"
SERVER = "http://127.0.0.1:8765"


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private SANE configuration with only the ``test`` backend (the real device of the tests)."""
    sane = tmp_path / "sane.d"
    sane.mkdir()
    (sane / "dll.conf").write_text("test\n", encoding="utf-8")
    (sane / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(sane))


def open_wizard(qtbot, ctx: AppContext, runner) -> SetupWizard:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(ctx, runner, load_start(ctx))
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def page(wizard: SetupWizard):  # type: ignore[no-untyped-def]
    return wizard.currentPage()


def next_refused(wizard: SetupWizard, expected: str) -> None:
    before = wizard.currentId()
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentId() == before
    assert expected in page(wizard).error.text()


def go_next(wizard: SetupWizard) -> None:
    before = wizard.currentId()
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentId() != before, page(wizard).error.text()
    assert page(wizard).error.text() == ""


def fill_office_pages(wizard: SetupWizard) -> None:
    next_refused(wizard, "Chưa nhập tên cơ quan")
    agency = page(wizard)
    agency.name.setText("UBND phường Sài Gòn")
    agency.code.setText("H29 30")
    next_refused(wizard, "không được chứa dấu cách")
    agency.code.setText("H29.30.01")
    go_next(wizard)
    station = page(wizard)
    station.name.setText("Quầy số 2")
    station.first.setValue(5000)
    station.last.setValue(4000)
    next_refused(wizard, "Dải số hồ sơ của máy trạm không hợp lệ")
    station.last.setValue(5999)
    station.hours.setText("7g30 đến 11g")
    next_refused(wizard, "Giờ làm việc không hợp lệ")
    station.hours.setText("07:30-11:30,13:30-17:00")
    go_next(wizard)
    forms = page(wizard)
    forms.choices["TT03-2025"].setChecked(True)
    go_next(wizard)


def test_wizard_page_by_page_stores_everything_at_finish(qtbot, demo_ctx: AppContext, runner,  # type: ignore[no-untyped-def]
                                                       sane_test_backend: None) -> None:
    assert first_run.needs_setup(demo_ctx)
    wizard = open_wizard(qtbot, demo_ctx, runner)
    secret = wizard.setup.recovery_secret
    assert secret
    fill_office_pages(wizard)

    devices = page(wizard)
    assert devices.key == "devices"
    assert devices.printer.itemData(0) == first_run.PDF_ONLY  # "PDF only" always offered
    qtbot.waitUntil(lambda: devices.scanner.findData("sane:test:0") >= 0, timeout=budget(60_000))
    devices.scanner.setCurrentIndex(devices.scanner.findData("sane:test:0"))
    devices.test_button.click()
    assert "Đang quét thử" in devices.status.text()  # the scan runs in the background
    qtbot.waitUntil(lambda: "Quét thử thành công" in devices.status.text(), timeout=budget(60_000))
    assert not devices.preview.pixmap().isNull()
    go_next(wizard)

    account = page(wizard)
    account.username.setText("ha")
    account.full_name.setText("Phạm  Thu Hà")
    account.password.setText(PASSWORD)
    account.again.setText(PASSWORD + "x")
    next_refused(wizard, "Hai lần nhập mật khẩu không khớp")
    account.again.setText(PASSWORD)
    go_next(wizard)

    secret_page = page(wizard)
    assert secret_page.secret_label.text() == secret
    next_refused(wizard, "Hãy xác nhận đã ghi lại")
    secret_page.kept.setChecked(True)
    go_next(wizard)

    server = page(wizard)
    assert server.offline.isChecked() and not server.url.isEnabled()
    server.online.setChecked(True)
    server.url.setText("motcua.tinh.gov.vn")
    next_refused(wizard, "phải bắt đầu bằng http")
    server.url.setText(SERVER)
    next_refused(wizard, "Chưa nhập mã xác thực")
    server.token.setText("token-quay-2")
    go_next(wizard)

    calendar = page(wizard)
    year = wizard.setup.calendar_year
    assert calendar.table.rowCount() > 0  # the holidays and worked weekends of the year
    assert any(calendar.table.item(r, 1).text() == "Nghỉ" for r in range(calendar.table.rowCount()))
    calendar.day.setDate(QDate(year, 12, 31))
    calendar.note.setText("Nghỉ tổng kết năm")
    calendar.kind.setCurrentIndex(0)  # a day off
    calendar.add_override()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.isVisible()
    assert "Hãy xác nhận lịch ngày làm việc" in calendar.error.text()

    # still nothing stored before Finish succeeds
    with demo_ctx.session() as session:
        assert SettingsRepository(session).get(first_run.CONFIGURED_AT) is None
        assert UserRepository(session).count() == 0

    calendar.confirm.setChecked(True)
    with qtbot.waitSignal(wizard.stored, timeout=budget(60_000)):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted

    with demo_ctx.session() as session:
        settings = SettingsRepository(session)
        assert settings.get(settings_keys.AGENCY_NAME) == "UBND phường Sài Gòn"
        assert settings.get(settings_keys.AGENCY_CODE) == "H29.30.01"
        assert settings.get(first_run.STATION_NAME) == "Quầy số 2"
        assert settings.get(settings_keys.STATION_BLOCK) == "5000-5999"
        assert settings.get(settings_keys.OFFICE_HOURS) == "07:30-11:30,13:30-17:00"
        assert settings.get(settings_keys.FORM_SET) == "TT03-2025"
        assert settings.get(first_run.PRINTER) == first_run.PDF_ONLY
        assert settings.get(first_run.SCANNER) == "sane:test:0"
        assert settings.get(SERVER_URL) == SERVER
        overrides = CalendarRepository(session).overrides(year)
    assert [(o.day, o.kind, o.note) for o in overrides] == [(date(year, 12, 31), DayKind.OFF,
                                                             "Nghỉ tổng kết năm")]
    officer = auth.authenticate(demo_ctx, "ha", PASSWORD)
    assert (officer.full_name, officer.role) == ("Phạm Thu Hà", auth.Role.ADMIN)
    data_keys = keystore.unlock(demo_ctx.data_dir)
    assert data_keys.file.recovery is not None
    rotation.check_secret(data_keys, secret)  # the secret shown is the one that opens the data
    with pytest.raises(keystore.crypto.WrongSecretError):
        rotation.check_secret(data_keys, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    assert TokenStore(demo_ctx.data_dir).get(SERVER) == "token-quay-2"
    assert not first_run.needs_setup(demo_ctx)
    assert demo_ctx.settings().block.first == 5000


def test_cancel_stores_nothing(qtbot, demo_ctx: AppContext, runner) -> None:  # type: ignore[no-untyped-def]
    wizard = open_wizard(qtbot, demo_ctx, runner)
    fill_office_pages(wizard)
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert wizard.result() == QDialog.DialogCode.Rejected
    with demo_ctx.session() as session:
        settings = SettingsRepository(session)
        assert settings.get(first_run.CONFIGURED_AT) is None
        assert settings.get(first_run.STATION_NAME) is None
        assert settings.get(settings_keys.AGENCY_CODE) != "H29.30.01"
        assert UserRepository(session).count() == 0
    assert keystore.unlock(demo_ctx.data_dir).file.recovery is None
    assert first_run.needs_setup(demo_ctx)


def test_first_start_shows_the_wizard_and_a_second_start_does_not(qtbot, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                                  runner) -> None:
    seen: list[str] = []

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SetupWizard):
            seen.append(dialog.windowTitle())
            dialog.reject()
        else:
            QTimer.singleShot(30, close_it)

    QTimer.singleShot(30, close_it)
    assert run_at_first_start(demo_ctx, runner) is False  # shown, and cancelled
    assert seen == ["Thiết lập máy trạm — MotCua Desk"]

    setup = first_run.current_setup(demo_ctx)
    setup.agency_name, setup.agency_code, setup.station_name = "UBND xã An Bình", "X01", "Quầy 1"
    setup.admin_username, setup.admin_full_name = "admin", "Lê Văn An"
    setup.admin_password = setup.admin_password_again = PASSWORD
    setup.calendar_confirmed = True
    first_run.apply_setup(demo_ctx, setup)
    shown: list[object] = []
    QTimer.singleShot(30, lambda: shown.append(QApplication.activeModalWidget()))
    assert run_at_first_start(demo_ctx, runner) is None  # returns at once: no wizard
    qtbot.wait(100)
    assert shown == [None]


def test_administrator_reruns_the_wizard_from_the_menu(qtbot, demo_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    auth.create_user(demo_ctx, "ha", "Phạm Thu Hà", PASSWORD, auth.Role.ADMIN, by=None)
    with demo_ctx.session(write=True) as session:
        SettingsRepository(session).set(settings_keys.AGENCY_NAME, "UBND xã An Bình")
    admin = auth.authenticate(demo_ctx, "ha", PASSWORD)
    window = MainWindow(demo_ctx, officer=admin)
    qtbot.addWidget(window)
    action = window.setup_menu.action
    assert action is not None and action.text() == "&Thiết lập máy trạm…"
    action.trigger()
    qtbot.waitUntil(lambda: window.setup_menu.wizard is not None and window.setup_menu.wizard.isVisible(),
                    timeout=budget(20_000))
    wizard = window.setup_menu.wizard
    assert wizard is not None
    keys_of_pages = [p.key for p in wizard.pages_in_order]  # type: ignore[attr-defined]
    assert "account" not in keys_of_pages  # the administrator exists already
    assert page(wizard).name.text() == "UBND xã An Bình"  # starts from what is stored
    wizard.reject()
    officer = auth.Officer("lan", "Trần Thị Lan", auth.Role.OFFICER)
    counter = MainWindow(demo_ctx, officer=officer)
    qtbot.addWidget(counter)
    assert counter.setup_menu.action is None  # counter officers do not get it
    window.runner.shutdown()
    counter.runner.shutdown()
