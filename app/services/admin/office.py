"""The office as the settings describe it: its printed identity (header, place, contact details) and
its working calendar (office hours and the days it changed)."""

from __future__ import annotations

import unicodedata

from app.core import settings_registry as registry
from app.core.calendar import (
    DayOverride,
    OfficeHours,
    WorkCalendar,
)
from app.documents import OfficeProfile
from app.services.admin.register_book import form_set_in_force
from app.services.context import OFFICE_HOURS, AppContext
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
    """The header, place and contact details printed on slips, from the settings (each unset one
    means its default in :mod:`app.core.settings_registry`)."""
    with ctx.session() as session:
        values = SettingsRepository(session).all()

    def get(key: str) -> str:
        value = (values.get(key) or "").strip()
        return value or registry.setting(key).default or ""

    agency_name = get(registry.AGENCY_NAME.key)
    return OfficeProfile(
        parent_agency=get(registry.PARENT_AGENCY.key) or agency_name.upper(),
        unit_name=get(registry.UNIT_NAME.key),
        place_name=get(registry.DATE_PLACE.key) or date_place(get(registry.PLACE_NAME.key)),
        phone=get(registry.AGENCY_PHONE.key),
        website=get(registry.AGENCY_WEBSITE.key),
        register_book_no=get(registry.REGISTER_BOOK.key),
        form_set=get(registry.FORM_SET.key) or form_set_in_force(ctx),  # by today's date unless forced
        display_name=get(registry.DISPLAY_NAME.key) or f"Bộ phận Một cửa {agency_name}".strip(),
        address=get(registry.AGENCY_ADDRESS.key),
        head_title=get(registry.HEAD_TITLE.key) or "THỦ TRƯỞNG CƠ QUAN",
        head_name=get(registry.HEAD_NAME.key),
    )


def calendar_for_session(session, overrides: list[DayOverride] | None = None) -> WorkCalendar:  # type: ignore[no-untyped-def]
    hours_text = SettingsRepository(session).get(OFFICE_HOURS)
    hours = OfficeHours.parse(hours_text) if hours_text else OfficeHours()
    if overrides is None:
        overrides = CalendarRepository(session).overrides()
    return WorkCalendar(overrides, hours)
