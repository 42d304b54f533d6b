"""The set-up service: each page's answers checked with Vietnamese messages; Finish stores the settings,
the administrator and the calendar overrides in one transaction (SQLite and PostgreSQL), then the
recovery secret and the station token; a failure part-way stores nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.core.calendar import DayKind
from app.core.errors import MotCuaError, ValidationError
from app.services import context as settings_keys
from app.services.admin import auth
from app.services.context import AppContext
from app.services.station_setup import first_run
from app.services.station_setup.first_run import StationSetup
from app.services.sync.run_once import SERVER_URL
from app.store.repositories import CalendarRepository, SettingsRepository, UserRepository
from app.sync.secrets import TokenStore

PASSWORD = "mat-khau-2026"


def answers(**changes: object) -> StationSetup:
    setup = StationSetup(agency_name="UBND xã An Bình", agency_code="X01.02", station_name="Quầy 3",
                         block_first=3000, block_last=3999, office_hours="07:00-11:30,13:00-16:30",
                         form_set="TT03-2025", printer="HP LaserJet", scanner="sane:test:0",
                         admin_username="Admin", admin_full_name="Lê  Văn An", admin_password=PASSWORD,
                         admin_password_again=PASSWORD, calendar_year=2026, calendar_confirmed=True,
                         overrides=[first_run.working_override(date(2026, 12, 31), False, "Tổng kết năm"),
                                    first_run.working_override(date(2026, 12, 26), True, "Làm bù")])
    return replace(setup, **changes)  # type: ignore[arg-type]


def stored(ctx: AppContext, key: str) -> str | None:
    with ctx.session() as session:
        return SettingsRepository(session).get(key)


@pytest.mark.parametrize(("page", "changes", "message"), [
    ("agency", {"agency_name": "  "}, "Chưa nhập tên cơ quan."),
    ("agency", {"agency_code": "X 01"}, "không được chứa dấu cách"),
    ("station", {"station_name": ""}, "Chưa nhập tên máy trạm"),
    ("station", {"block_first": 0}, "Dải số hồ sơ của máy trạm không hợp lệ"),
    ("station", {"office_hours": "sáng 7 giờ"}, "Giờ làm việc không hợp lệ"),
    ("forms", {"form_set": "TT99"}, "Chưa chọn bộ biểu mẫu."),
    ("account", {"admin_username": "Lê An"}, "Tên đăng nhập phải dài 2–64 ký tự"),
    ("account", {"admin_password": "ngan", "admin_password_again": "ngan"}, "Mật khẩu phải có ít nhất"),
    ("account", {"admin_password_again": "khac-hoan-toan"}, "Hai lần nhập mật khẩu không khớp."),
    ("secret", {"recovery_secret": "AAAA-BBBB", "secret_kept": False}, "Hãy xác nhận đã ghi lại"),
    ("server", {"offline_only": False, "server_url": "ftp://tinh"}, "phải bắt đầu bằng http"),
    ("server", {"offline_only": False, "server_url": "https://tinh.gov.vn"}, "Chưa nhập mã xác thực"),
    ("calendar", {"calendar_confirmed": False}, "Hãy xác nhận lịch ngày làm việc năm 2026."),
    ("calendar", {"overrides": [first_run.working_override(date(2027, 1, 2), False)]},
     "không thuộc năm 2026"),
])
def test_each_page_refuses_bad_answers_in_vietnamese(page: str, changes: dict[str, object],
                                                     message: str) -> None:
    first_run.validate_page(page, answers())  # the good answers pass
    with pytest.raises(ValidationError) as caught:
        first_run.validate_page(page, answers(**changes))
    assert message in caught.value.message_vi
    assert caught.value.message_en and caught.value.message_en != caught.value.message_vi  # and English


def test_finish_stores_everything(app_ctx: AppContext) -> None:
    assert first_run.needs_setup(app_ctx)
    outcome = first_run.apply_setup(app_ctx, answers(offline_only=False, server_url="http://127.0.0.1:9/",
                                                     station_token="tok-3"))
    assert outcome == first_run.SetupOutcome(admin_created=True, secret_stored=False, token_stored=True,
                                             overrides=2)
    assert stored(app_ctx, settings_keys.AGENCY_CODE) == "X01.02"
    assert stored(app_ctx, settings_keys.STATION_BLOCK) == "3000-3999"
    assert stored(app_ctx, settings_keys.FORM_SET) == "TT03-2025"
    assert stored(app_ctx, first_run.PRINTER) == "HP LaserJet"
    assert stored(app_ctx, SERVER_URL) == "http://127.0.0.1:9"
    assert TokenStore(app_ctx.data_dir).get("http://127.0.0.1:9") == "tok-3"
    with app_ctx.session() as session:
        overrides = {o.day: o.kind for o in CalendarRepository(session).overrides(2026)}
    assert overrides == {date(2026, 12, 31): DayKind.OFF, date(2026, 12, 26): DayKind.WORK}
    admin = auth.authenticate(app_ctx, "admin", PASSWORD)
    assert (admin.full_name, admin.role) == ("Lê Văn An", auth.Role.ADMIN)
    assert not first_run.needs_setup(app_ctx)
    again = first_run.current_setup(app_ctx, 2026)  # a re-run starts from the stored answers
    assert (again.agency_name, again.station_name, again.block_first, again.create_admin) == \
        ("UBND xã An Bình", "Quầy 3", 3000, False)
    assert not again.offline_only and again.server_url == "http://127.0.0.1:9"


def test_a_failure_part_way_stores_nothing(app_ctx: AppContext) -> None:
    admin = auth.create_user(app_ctx, "admin", "Lê Văn An", PASSWORD, auth.Role.ADMIN, by=None)
    with pytest.raises(MotCuaError):  # the account exists: the last write of the transaction fails
        first_run.apply_setup(app_ctx, answers(), officer=admin)
    assert stored(app_ctx, first_run.CONFIGURED_AT) is None
    assert stored(app_ctx, first_run.STATION_NAME) is None
    assert stored(app_ctx, settings_keys.AGENCY_CODE) != "X01.02"
    with app_ctx.session() as session:
        assert CalendarRepository(session).overrides(2026) == []
        assert UserRepository(session).count() == 1


def test_only_an_administrator_reruns_it(app_ctx: AppContext) -> None:
    auth.create_user(app_ctx, "admin", "Lê Văn An", PASSWORD, auth.Role.ADMIN, by=None)
    with pytest.raises(auth.PermissionDeniedError):  # nobody signed in: the station has accounts already
        first_run.apply_setup(app_ctx, answers())
    clerk = auth.Officer("lan", "Trần Thị Lan", auth.Role.OFFICER)
    with pytest.raises(auth.PermissionDeniedError):
        first_run.apply_setup(app_ctx, answers(create_admin=False), officer=clerk)
    admin = auth.authenticate(app_ctx, "admin", PASSWORD)
    first_run.apply_setup(app_ctx, answers(create_admin=False, station_name="Quầy 4"), officer=admin)
    assert stored(app_ctx, first_run.STATION_NAME) == "Quầy 4"
