"""The application context: the open database and the office settings, for the CLI and the UI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.codes import FULL_BLOCK, StationBlock
from app.core.demo import DEMO_PLACE
from app.core.errors import MotCuaError
from app.store.database import Database
from app.store.paths import DB_FILE_NAME, default_data_dir
from app.store.repositories import SettingsRepository

ENV_DATA_DIR = "MOTCUA_DATA_DIR"
ENV_DB_URL = "MOTCUA_DB_URL"

# Settings keys (table of the store's SettingsRepository).
AGENCY_CODE = "agency.code"
AGENCY_NAME = "agency.name"
PLACE_NAME = "agency.place"
STATION_ID = "station.id"
STATION_BLOCK = "station.block"
OFFICE_HOURS = "calendar.office_hours"
INITIALISED_AT = "app.initialised_at"
DEMO_SEEDED_AT = "demo.seeded_at"
DEMO_COUNT = "demo.count"
# Printed slips (app.services.printing.office_profile); unset keys fall back to PROFILE_DEFAULTS.
FORM_SET = "forms.set"  # when set: the form set of every new dossier (else by date, app.services.register)
PARENT_AGENCY = "agency.parent"  # header line 1 (TÊN CƠ QUAN CHỦ QUẢN); default: agency name upper-cased
UNIT_NAME = "agency.unit"  # header line 2, bold
DATE_PLACE = "agency.date_place"  # địa danh of the date line; default: derived from agency.place
AGENCY_PHONE = "agency.phone"
AGENCY_WEBSITE = "agency.website"
AGENCY_ADDRESS = "agency.address"
DISPLAY_NAME = "agency.display_name"  # the unit in running text; default built from the header lines
HEAD_TITLE = "agency.head_title"  # who signs Mẫu 04
HEAD_NAME = "agency.head_name"
REGISTER_BOOK = "forms.register_book"  # "Quyển số" printed on Mẫu 01; "{year}" = the receipt year

DEFAULT_SETTINGS: dict[str, str] = {
    AGENCY_CODE: DEMO_PLACE.agency_code,
    AGENCY_NAME: DEMO_PLACE.agency_name,
    PLACE_NAME: DEMO_PLACE.place_name,
    STATION_ID: "1",
    STATION_BLOCK: str(FULL_BLOCK),
}

PROFILE_DEFAULTS: dict[str, str] = {
    UNIT_NAME: "BỘ PHẬN MỘT CỬA",
    AGENCY_PHONE: "028 3829 1234",
    AGENCY_WEBSITE: "dichvucong.gov.vn",
    HEAD_TITLE: "CHỦ TỊCH",
}


class NotInitialisedError(MotCuaError):
    """There is no database yet at the chosen place."""


@dataclass(frozen=True)
class OfficeSettings:
    """The settings of this office and station, with defaults for anything not configured."""

    agency_code: str
    agency_name: str
    place_name: str
    station_id: str
    block: StationBlock
    office_hours: str | None = None


def resolve_data_dir(data_dir: Path | str | None) -> Path:
    """``data_dir`` if given, else ``$MOTCUA_DATA_DIR``, else the platform's user data folder."""
    if data_dir not in (None, ""):
        return Path(data_dir).expanduser()
    return default_data_dir()


def resolve_db_url(db_url: str | None) -> str | None:
    """``db_url`` if given, else ``$MOTCUA_DB_URL``, else None (SQLite in the data folder)."""
    if db_url:
        return db_url
    return os.environ.get(ENV_DB_URL, "").strip() or None


class AppContext:
    """An open database plus the office settings; close it (or use ``with``) when done."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir

    @classmethod
    def open(cls, data_dir: Path | str | None = None, db_url: str | None = None, *,
             create: bool = True, migrate: bool = True) -> AppContext:
        """Open the store of ``data_dir`` / ``db_url`` (environment variables as fallbacks).

        With ``create=False`` a missing SQLite database raises :class:`NotInitialisedError`
        instead of creating an empty one (read-only commands must not litter folders).
        """
        folder = resolve_data_dir(data_dir)
        url = resolve_db_url(db_url)
        if not create and url is None and not (folder / DB_FILE_NAME).exists():
            raise NotInitialisedError(
                f"no database in {folder}: run `motcua init` first",
                f"Chưa có dữ liệu tại {folder}: hãy chạy “motcua init” trước.",
            )
        db = Database.open(url, folder, migrate=migrate)
        return cls(db, folder)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        with self.db.session(write=write) as session:
            yield session

    def settings(self) -> OfficeSettings:
        with self.session() as session:
            repo = SettingsRepository(session)
            values = {key: repo.get(key) or default for key, default in DEFAULT_SETTINGS.items()}
            hours = repo.get(OFFICE_HOURS)
        return OfficeSettings(
            agency_code=values[AGENCY_CODE],
            agency_name=values[AGENCY_NAME],
            place_name=values[PLACE_NAME],
            station_id=values[STATION_ID],
            block=StationBlock.parse(values[STATION_BLOCK]),
            office_hours=hours or None,
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
