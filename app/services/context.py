"""The application context: the open database and the office settings, for the CLI and the UI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.core import settings_registry as registry
from app.core.codes import StationBlock
from app.core.errors import MotCuaError
from app.store.database import Database
from app.store.paths import DB_FILE_NAME, default_data_dir
from app.store.repositories import SettingsRepository

ENV_DATA_DIR = "MOTCUA_DATA_DIR"
ENV_DB_URL = "MOTCUA_DB_URL"

# Settings keys of the office and station (typed and documented in app.core.settings_registry).
AGENCY_CODE = registry.AGENCY_CODE.key
AGENCY_NAME = registry.AGENCY_NAME.key
PLACE_NAME = registry.PLACE_NAME.key
STATION_ID = registry.STATION_ID.key
STATION_BLOCK = registry.STATION_BLOCK.key
OFFICE_HOURS = registry.OFFICE_HOURS.key
FORM_SET = registry.FORM_SET.key
INITIALISED_AT = registry.INITIALISED_AT.key
DEMO_SEEDED_AT = registry.DEMO_SEEDED_AT.key
DEMO_COUNT = registry.DEMO_COUNT.key
PARENT_AGENCY = registry.PARENT_AGENCY.key
UNIT_NAME = registry.UNIT_NAME.key
DATE_PLACE = registry.DATE_PLACE.key
AGENCY_PHONE = registry.AGENCY_PHONE.key
AGENCY_WEBSITE = registry.AGENCY_WEBSITE.key
AGENCY_ADDRESS = registry.AGENCY_ADDRESS.key
DISPLAY_NAME = registry.DISPLAY_NAME.key
HEAD_TITLE = registry.HEAD_TITLE.key
HEAD_NAME = registry.HEAD_NAME.key
REGISTER_BOOK = registry.REGISTER_BOOK.key

#: What ``motcua init`` writes when it is not set yet.
DEFAULT_SETTINGS: dict[str, str] = registry.defaults(seeded_only=True)


_OFFICE = (registry.AGENCY_CODE, registry.AGENCY_NAME, registry.PLACE_NAME, registry.STATION_ID,
           registry.STATION_BLOCK)


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
            values = {s.key: repo.get(s.key) or s.default or "" for s in _OFFICE}
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
