"""Services on a real SQLite store in a temporary folder (in process)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.core.calendar import DayKind
from app.core.codes import parse_dossier_code
from app.core.demo import DEMO_PLACE
from app.core.dossier import DossierStatus
from app.core.errors import NotFoundError, ValidationError
from app.core.text import fold
from app.services.admin.setup import init
from app.services.context import AGENCY_CODE, AppContext, NotInitialisedError
from app.services.reception import calendar as cal_service
from app.services.reception.catalogue import get_procedure, list_procedures
from app.services.reception.dossiers import count_dossiers, get_dossier, list_dossiers
from app.store.repositories import CodeCounterRepository, SettingsRepository

NOW = datetime(2026, 3, 18, 10, 30)


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    ctx = AppContext.open(folder, None)
    first = init(ctx, demo=True, now=NOW)
    assert first.demo_added == 300 and not first.demo_already_present
    yield ctx
    ctx.close()


@pytest.fixture
def ctx(tmp_path):
    context = AppContext.open(tmp_path, None)
    init(context, now=NOW)
    yield context
    context.close()


def test_open_without_database_does_not_create_it(tmp_path, monkeypatch):
    monkeypatch.delenv("MOTCUA_DB_URL", raising=False)
    with pytest.raises(NotInitialisedError):
        AppContext.open(tmp_path / "missing", None, create=False)
    assert not (tmp_path / "missing").exists()


def test_env_fallbacks(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("MOTCUA_DB_URL", f"sqlite:///{tmp_path / 'other.db'}")
    with AppContext.open() as ctx:
        assert ctx.data_dir == tmp_path / "env"
        assert ctx.db.url.endswith("other.db")
    assert (tmp_path / "other.db").exists()


def test_init_loads_catalogue_and_settings(ctx):
    result = init(ctx, now=NOW)
    assert result.procedures == 35 and result.dossiers == 0 and result.demo_added == 0
    settings = ctx.settings()
    assert settings.agency_code == DEMO_PLACE.agency_code
    assert settings.agency_name == "UBND phường Sài Gòn"
    assert settings.block.first == 1 and settings.block.last == 9999


def test_init_keeps_configured_settings(ctx):
    with ctx.session(write=True) as s:
        SettingsRepository(s).set(AGENCY_CODE, "H01.151")
    init(ctx, now=NOW)
    assert ctx.settings().agency_code == "H01.151"


def test_demo_is_idempotent(demo_ctx):
    again = init(demo_ctx, demo=True, now=NOW)
    assert again.demo_already_present and again.demo_added == 0
    assert again.dossiers == 300 == count_dossiers(demo_ctx)


def test_demo_codes_advance_the_counter(demo_ctx):
    latest = list_dossiers(demo_ctx, limit=1)[0]
    agency, day, _ = parse_dossier_code(latest.code)
    same_day = [parse_dossier_code(d.code) for d in list_dossiers(demo_ctx, limit=10_000)]
    number = max(n for a, d, n in same_day if (a, d) == (agency, day))  # the day's highest number
    settings = demo_ctx.settings()
    with demo_ctx.session(write=True) as s:
        following = CodeCounterRepository(s).allocate(agency, day, settings.block)
        s.rollback()
    assert following == number + 1


def test_catalogue_queries(demo_ctx):
    procedures = list_procedures(demo_ctx)
    assert len(procedures) == 35
    assert [p.code for p in procedures] == sorted(p.code for p in procedures)
    assert get_procedure(demo_ctx, " 1.001193 ").name == "Thủ tục đăng ký khai sinh"
    with pytest.raises(NotFoundError) as info:
        get_procedure(demo_ctx, "9.999")
    assert "9.999" in info.value.message_vi


def test_dossier_search_and_show(demo_ctx):
    found = list_dossiers(demo_ctx, "nguyen", limit=500)
    assert found and all("nguyen" in fold(s.applicant_name) for s in found)
    assert count_dossiers(demo_ctx, "nguyen") == len(found)
    returned = list_dossiers(demo_ctx, status=10, limit=5)
    assert returned and all(s.status is DossierStatus.RETURNED for s in returned)
    d = get_dossier(demo_ctx, found[0].code)
    assert d.applicant.full_name == found[0].applicant_name
    assert d.history and d.components
    with pytest.raises(NotFoundError):
        get_dossier(demo_ctx, "nope")


def test_calendar_show_and_due(ctx):
    year = cal_service.show_year(ctx, 2026)
    assert year.year == 2026 and 240 <= year.working_days <= 255
    assert any(d.day == date(2026, 1, 1) and not d.working for d in year.days)
    due = cal_service.due(ctx, datetime(2026, 3, 2, 9, 0), "1.004222")
    assert due == datetime(2026, 3, 11, 9, 0)
    assert cal_service.due(ctx, datetime(2026, 3, 2, 16, 0), "1.001193") == datetime(2026, 3, 3, 17, 0)
    with pytest.raises(NotFoundError):
        cal_service.due(ctx, datetime(2026, 3, 2, 9, 0), "0.000000")
    with pytest.raises(ValidationError):
        cal_service.show_year(ctx, 1500)


def test_calendar_set_rules(ctx):
    saturday, monday, sunday = date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 8)
    with pytest.raises(ValidationError) as info:
        cal_service.set_day(ctx, monday, "work")
    assert "Thứ Bảy, Chủ Nhật hoặc ngày nghỉ lễ" in info.value.message_vi

    worked = cal_service.set_day(ctx, saturday, DayKind.WORK, "Làm bù")
    assert worked.working and worked.changed and worked.warning_en is None
    assert cal_service.work_calendar(ctx).is_working_day(saturday)
    # A dossier received on Friday after 15:00 is now due on the worked Saturday.
    assert cal_service.due(ctx, datetime(2026, 3, 6, 16, 0), "1.001193") == datetime(2026, 3, 7, 17, 0)

    off = cal_service.set_day(ctx, monday, "off", "Nghỉ địa phương")
    assert not off.working and off.warning_en is None
    shown = {d.day: d for d in cal_service.show_year(ctx, 2026).days}
    assert shown[monday].source == "override" and shown[monday].reason == "Nghỉ địa phương"
    assert shown[saturday].working

    back = cal_service.set_day(ctx, monday, "work")  # undoes the local day off
    assert back.working and back.warning_en
    assert cal_service.work_calendar(ctx).is_working_day(monday)

    warned = cal_service.set_day(ctx, sunday, "off", "Chủ Nhật")
    assert not warned.working and warned.warning_vi and "đã là ngày nghỉ" in warned.warning_vi

    undo = cal_service.set_day(ctx, saturday, "off")  # removes the worked Saturday
    assert not undo.working and not cal_service.work_calendar(ctx).is_working_day(saturday)
