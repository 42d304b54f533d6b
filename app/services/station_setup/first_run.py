"""The first-run set-up of a station (the wizard's logic, Qt-free).

The wizard collects a :class:`StationSetup` page by page; :func:`validate_page` checks one page's
answers (Vietnamese and English messages) and :func:`apply_setup` stores everything at once: the
settings, the administrator account and the calendar confirmations in ONE database transaction, then
the recovery secret (the key file) and the station token (the machine's token store), which live
outside the database. Nothing is stored before :func:`apply_setup`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.calendar import (
    DEFAULT_OFFICE_HOURS,
    CalendarDay,
    DayKind,
    DayOverride,
    OfficeHours,
    WorkCalendar,
)
from app.core.clock import vn_now, vn_today
from app.core.codes import StationBlock
from app.core.errors import ValidationError
from app.core.register import REGISTER_FORMS
from app.documents.registry import form_set_on
from app.services import context as settings_keys
from app.services.admin import auth
from app.services.admin import data_keys as keys
from app.services.admin.office import calendar_for_session
from app.services.admin.setup import placeholder_identity
from app.services.context import AppContext
from app.services.sync import run_once as sync_run
from app.services.sync.runs import configure as configure_sync
from app.store.repositories import AuditRepository, CalendarRepository, SettingsRepository, UserRepository

#: Settings written only by the set-up (besides the office settings of :mod:`app.services.context`).
STATION_NAME = "station.name"
PRINTER = "station.printer"  # a printer name, or "" for PDF only
SCANNER = "station.scanner"  # a scanner source URI, or "" for none
CONFIGURED_AT = "station.configured_at"
CALENDAR_CONFIRMED = "calendar.confirmed_year"
PDF_ONLY = ""

_DEFAULT_FORM_SET = form_set_on(vn_today())  # the set in force today (a setting can change the date)
PAGES = ("agency", "station", "forms", "devices", "account", "secret", "server", "calendar")


@dataclass
class StationSetup:
    """Everything the wizard asks; blank until the administrator answers."""

    agency_name: str = ""
    agency_code: str = ""
    station_name: str = ""
    block_first: int = 1
    block_last: int = 9999
    office_hours: str = ""
    form_set: str = _DEFAULT_FORM_SET
    printer: str = PDF_ONLY
    scanner: str = ""
    admin_username: str = ""
    admin_full_name: str = ""
    admin_password: str = ""
    admin_password_again: str = ""
    recovery_secret: str = ""  # empty when the folder already has one (a re-run)
    secret_kept: bool = False
    offline_only: bool = True
    server_url: str = ""
    station_token: str = ""
    calendar_year: int = 0
    calendar_confirmed: bool = False
    overrides: list[DayOverride] = field(default_factory=list)
    create_admin: bool = True  # False on a re-run: the administrator already exists


@dataclass(frozen=True)
class SetupOutcome:
    admin_created: bool
    secret_stored: bool
    token_stored: bool
    overrides: int


def _bad(field_name: str, en: str, vi: str) -> ValidationError:
    return ValidationError(en, vi, field=field_name)


def needs_setup(ctx: AppContext) -> bool:
    """True on a station nobody has set up: no account yet and the wizard never finished (a folder
    made by ``motcua init`` alone still needs its administrator, which the wizard creates)."""
    with ctx.session() as session:
        configured = SettingsRepository(session).get(CONFIGURED_AT)
        return not configured and UserRepository(session).count() == 0


def current_setup(ctx: AppContext, year: int | None = None) -> StationSetup:
    """The answers already stored (a re-run starts from them); defaults for a new station."""
    with ctx.session() as session:
        repo = SettingsRepository(session)
        block = StationBlock.parse(repo.get(settings_keys.STATION_BLOCK) or "1-9999")
        has_users = UserRepository(session).count() > 0
        url = repo.get(sync_run.SERVER_URL) or ""
        configured = repo.get(CONFIGURED_AT) is not None

        def stored(key: str) -> str:
            # ``motcua init`` seeds the demo office's name and code: a real office types its own
            value = repo.get(key) or ""
            return "" if not configured and value == placeholder_identity().get(key) else value

        return StationSetup(
            agency_name=stored(settings_keys.AGENCY_NAME),
            agency_code=stored(settings_keys.AGENCY_CODE),
            station_name=repo.get(STATION_NAME) or "",
            block_first=block.first, block_last=block.last,
            office_hours=repo.get(settings_keys.OFFICE_HOURS) or DEFAULT_OFFICE_HOURS.to_text(),
            form_set=repo.get(settings_keys.FORM_SET) or _DEFAULT_FORM_SET,
            printer=repo.get(PRINTER) or PDF_ONLY,
            scanner=repo.get(SCANNER) or "",
            offline_only=not url, server_url=url,
            calendar_year=year or vn_now().year,
            create_admin=not has_users,
        )


def calendar_days(ctx: AppContext, year: int) -> list[CalendarDay]:
    """The year's non-working weekdays and worked weekends, to confirm."""
    with ctx.session() as session:
        return calendar_for_session(session).non_working_weekdays_and_worked_weekends(year)


def form_sets() -> list[tuple[str, str]]:
    """``(code, legal basis)`` of the form sets a station can receive under."""
    return [(code, form.basis) for code, form in REGISTER_FORMS.items()]


def _check_agency(s: StationSetup) -> None:
    if not s.agency_name.strip():
        raise _bad("agency_name", "the agency name is required", "Chưa nhập tên cơ quan.")
    if not s.agency_code.strip() or any(c.isspace() for c in s.agency_code.strip()):
        raise _bad("agency_code", "the agency code is required, without spaces",
                   "Chưa nhập mã định danh cơ quan (không được chứa dấu cách).")


def _check_station(s: StationSetup) -> None:
    if not s.station_name.strip():
        raise _bad("station_name", "the station name is required", "Chưa nhập tên máy trạm (quầy).")
    StationBlock(s.block_first, s.block_last)  # raises its own Vietnamese message
    try:
        OfficeHours.parse(s.office_hours)
    except ValueError as exc:
        raise _bad("office_hours", f"office hours not understood: {exc}",
                   "Giờ làm việc không hợp lệ: hãy nhập dạng 07:30-11:30,13:30-17:00.") from None


def _check_forms(s: StationSetup) -> None:
    if s.form_set not in REGISTER_FORMS:
        raise _bad("form_set", f"unknown form set {s.form_set!r}", "Chưa chọn bộ biểu mẫu.")


def _check_account(s: StationSetup) -> None:
    if not s.create_admin:
        return
    auth.check_new_account(auth.normalise_username(s.admin_username), _name(s.admin_full_name),
                           s.admin_password)
    if s.admin_password != s.admin_password_again:
        raise _bad("admin_password_again", "the two passwords differ", "Hai lần nhập mật khẩu không khớp.")


def _check_secret(s: StationSetup) -> None:
    if s.recovery_secret and not s.secret_kept:
        raise _bad("secret_kept", "confirm that the recovery secret is written down or printed",
                   "Hãy xác nhận đã ghi lại hoặc in mã khôi phục trước khi tiếp tục.")


def _check_server(s: StationSetup) -> None:
    if s.offline_only:
        return
    url = s.server_url.strip()
    if not url.startswith(("http://", "https://")) or len(url) < 12:
        raise _bad("server_url", "the server address must start with http:// or https://",
                   "Địa chỉ máy chủ tỉnh phải bắt đầu bằng http:// hoặc https://.")
    if not s.station_token.strip():
        raise _bad("station_token", "the station token is required",
                   "Chưa nhập mã xác thực (token) của máy trạm do tỉnh cấp.")


def _check_calendar(s: StationSetup) -> None:
    if not s.calendar_confirmed:
        raise _bad("calendar_confirmed", "confirm this year's working-day calendar",
                   f"Hãy xác nhận lịch ngày làm việc năm {s.calendar_year}.")
    for o in s.overrides:
        if o.day.year != s.calendar_year:
            raise _bad("overrides", f"{o.day.isoformat()} is not in {s.calendar_year}",
                       f"Ngày {o.day:%d/%m/%Y} không thuộc năm {s.calendar_year}.")


_CHECKS = {"agency": _check_agency, "station": _check_station, "forms": _check_forms,
           "devices": lambda _s: None, "account": _check_account, "secret": _check_secret,
           "server": _check_server, "calendar": _check_calendar}


def validate_page(page: str, s: StationSetup) -> None:
    """Raise :class:`ValidationError` (Vietnamese and English) when ``page``'s answers are not usable."""
    _CHECKS[page](s)


def _name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def apply_setup(ctx: AppContext, s: StationSetup, *, officer: auth.Officer | None = None,
                now: datetime | None = None) -> SetupOutcome:
    """Store the whole set-up. ``officer`` is the signed-in administrator on a re-run (None on the
    first run, which creates the administrator). The database part is one transaction."""
    for page in PAGES:
        validate_page(page, s)
    if officer is not None:
        auth.require(officer, auth.Permission.MANAGE_USERS)
    now = now or vn_now()
    username = auth.normalise_username(s.admin_username)
    with ctx.session(write=True) as session:
        settings = SettingsRepository(session)
        users = UserRepository(session)
        if s.create_admin and users.count() > 0 and officer is None:
            raise auth.PermissionDeniedError("the station already has accounts: sign in as administrator",
                                             "Máy trạm đã có tài khoản: hãy đăng nhập bằng quản trị viên.")
        values = {
            settings_keys.AGENCY_NAME: s.agency_name.strip(),
            settings_keys.AGENCY_CODE: s.agency_code.strip(),
            STATION_NAME: s.station_name.strip(),
            settings_keys.STATION_BLOCK: str(StationBlock(s.block_first, s.block_last)),
            settings_keys.OFFICE_HOURS: OfficeHours.parse(s.office_hours).to_text(),
            settings_keys.FORM_SET: s.form_set,
            PRINTER: s.printer,
            SCANNER: s.scanner,
            CALENDAR_CONFIRMED: str(s.calendar_year),
            CONFIGURED_AT: now.isoformat(timespec="minutes"),
        }
        if not s.offline_only:
            values[sync_run.SERVER_URL] = s.server_url.strip().rstrip("/")
        for key, value in values.items():
            settings.set(key, value)
        calendar = CalendarRepository(session)
        for override in s.overrides:
            calendar.set_day(override.day, override.kind, override.note)
        actor = officer.username if officer is not None else username
        if s.create_admin:
            users.add(username, _name(s.admin_full_name), auth.Role.ADMIN.value,
                      auth.hash_password(s.admin_password), created_by=actor if officer else "")
            AuditRepository(session).append(actor, "user_create",
                                             details={"username": username, "role": auth.Role.ADMIN.value})
        AuditRepository(session).append(actor, "station_setup",
                                        details={"agency": s.agency_code.strip(),
                                                 "overrides": len(s.overrides)})
    admin = officer or auth.Officer(username, _name(s.admin_full_name), auth.Role.ADMIN)
    secret_stored = False
    if s.recovery_secret:
        keys.set_recovery_secret(ctx, admin, s.recovery_secret)
        secret_stored = True
    token_stored = False
    if not s.offline_only:
        configure_sync(ctx, server_url=s.server_url, token=s.station_token)
        token_stored = True
    return SetupOutcome(s.create_admin, secret_stored, token_stored, len(s.overrides))


def working_override(day: date, working: bool, note: str = "") -> DayOverride:
    """The override that makes ``day`` a working day or a day off (the calendar page's "add")."""
    return DayOverride(day, DayKind.WORK if working else DayKind.OFF, note)


__all__ = ["CONFIGURED_AT", "PAGES", "PDF_ONLY", "PRINTER", "SCANNER", "STATION_NAME", "SetupOutcome",
           "StationSetup", "WorkCalendar", "apply_setup", "calendar_days", "current_setup", "form_sets",
           "needs_setup", "validate_page", "working_override"]
