"""The office as the settings describe it: its printed identity (header, place, contact details) and
its working calendar (office hours and the days it changed)."""

from __future__ import annotations

import unicodedata

from app.core.calendar import (
    DayOverride,
    OfficeHours,
    WorkCalendar,
)
from app.documents import OfficeProfile
from app.services import context as keys
from app.services.context import DEFAULT_SETTINGS, OFFICE_HOURS, PROFILE_DEFAULTS, AppContext
from app.store.repositories import CalendarRepository, SettingsRepository

# Administrative-unit words dropped from the place name for the date line ("Sài Gòn, ngày …"),
# unless what follows is a number ("Phường 12").
_UNIT_PREFIXES = ("phường", "xã", "thị trấn", "đặc khu", "thị xã", "quận", "huyện", "thành phố", "tỉnh")


def date_place(place_name: str) -> str:
    """The địa danh of the date line from a place name: "Phường Sài Gòn, Thành phố Hồ Chí Minh" ->
    "Sài Gòn"; "Phường 12, Quận Gò Vấp" -> "Phường 12"."""
    first = unicodedata.normalize("NFC", place_name).split(",")[0].strip()
    lowered = first.lower()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix + " "):
            rest = first[len(prefix):].strip()
            return first if rest.isdigit() else rest
    return first


def office_profile(ctx: AppContext) -> OfficeProfile:
    """The header, place and contact details printed on slips, from the settings (demo defaults
    for what is not configured: see ``PROFILE_DEFAULTS`` in :mod:`app.services.context`)."""
    with ctx.session() as session:
        values = SettingsRepository(session).all()

    def get(key: str) -> str:
        value = (values.get(key) or "").strip()
        return value or PROFILE_DEFAULTS.get(key, "") or DEFAULT_SETTINGS.get(key, "")

    agency_name = get(keys.AGENCY_NAME)
    return OfficeProfile(
        parent_agency=get(keys.PARENT_AGENCY) or agency_name.upper(),
        unit_name=get(keys.UNIT_NAME),
        place_name=get(keys.DATE_PLACE) or date_place(get(keys.PLACE_NAME)),
        phone=get(keys.AGENCY_PHONE),
        website=get(keys.AGENCY_WEBSITE),
        register_book_no=get(keys.REGISTER_BOOK),
        form_set=get(keys.FORM_SET),
        display_name=get(keys.DISPLAY_NAME) or f"Bộ phận Một cửa {agency_name}".strip(),
        address=get(keys.AGENCY_ADDRESS),
        head_title=get(keys.HEAD_TITLE) or "THỦ TRƯỞNG CƠ QUAN",
        head_name=get(keys.HEAD_NAME),
    )


def calendar_for_session(session, overrides: list[DayOverride] | None = None) -> WorkCalendar:  # type: ignore[no-untyped-def]
    hours_text = SettingsRepository(session).get(OFFICE_HOURS)
    hours = OfficeHours.parse(hours_text) if hours_text else OfficeHours()
    if overrides is None:
        overrides = CalendarRepository(session).overrides()
    return WorkCalendar(overrides, hours)
