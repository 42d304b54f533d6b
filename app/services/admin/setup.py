"""``motcua init``: create or upgrade the store, load the catalogue, seed settings, add demo data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.core import settings_registry as registry
from app.core.catalogue import load_catalogue
from app.core.clock import vn_now
from app.core.codes import StationBlock
from app.core.demo import DEMO_COUNT, DEMO_PLACE, DEMO_SEED, DemoPlace, demo_dossiers
from app.services.admin.office import calendar_for_session
from app.services.admin.register_book import new_register_entry
from app.services.context import DEFAULT_SETTINGS, AppContext
from app.store.repositories import (
    CodeCounterRepository,
    DossierRepository,
    ProcedureRepository,
    SettingsRepository,
)


@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    database: str  # URL without password
    procedures: int  # procedures in the store after init
    demo_added: int  # demo dossiers added by this run (0 when already present)
    demo_already_present: bool
    dossiers: int  # dossiers in the store after init


def placeholder_identity() -> dict[str, str]:
    """The office identity ``motcua init`` writes until the administrator sets the real one
    (``motcua settings set agency.code …``): the demo ward, so that a fresh station can receive
    dossiers at once. The registry itself has no default for these."""
    return {registry.AGENCY_CODE.key: DEMO_PLACE.agency_code,
            registry.AGENCY_NAME.key: DEMO_PLACE.agency_name,
            registry.PLACE_NAME.key: DEMO_PLACE.place_name}


def init(ctx: AppContext, *, demo: bool = False, now: datetime | None = None,
         catalogue_path: Path | None = None, demo_count: int = DEMO_COUNT,
         seed: int = DEMO_SEED) -> InitResult:
    """Idempotent: migrate (done when the context opened), upsert the catalogue, seed missing
    settings; with ``demo`` add the demo dossiers once (a second run adds nothing)."""
    ctx.db.migrate()
    procedures = load_catalogue(catalogue_path)
    now = now or vn_now().replace(second=0, microsecond=0)
    added = 0
    already = False
    with ctx.session(write=True) as session:
        proc_repo = ProcedureRepository(session)
        for p in procedures:
            proc_repo.upsert(p)
        settings = SettingsRepository(session)
        for key, value in (DEFAULT_SETTINGS | placeholder_identity()).items():
            if settings.get(key) is None:
                settings.set(key, value)
        if settings.get(registry.INITIALISED_AT.key) is None:
            settings.set(registry.INITIALISED_AT.key, now.isoformat(timespec="minutes"))
    if demo:
        with ctx.session(write=True) as session:
            settings = SettingsRepository(session)
            if settings.get(registry.DEMO_SEEDED_AT.key) is not None:
                already = True
            else:
                added = _add_demo(session, procedures, now, demo_count, seed)
                settings.set(registry.DEMO_SEEDED_AT.key, now.isoformat(timespec="minutes"))
                settings.set(registry.DEMO_COUNT.key, str(added))
    with ctx.session() as session:
        n_procedures = ProcedureRepository(session).count()
        n_dossiers = DossierRepository(session).count()
    return InitResult(
        data_dir=ctx.data_dir,
        database=ctx.db.engine.url.render_as_string(hide_password=True),
        procedures=n_procedures,
        demo_added=added,
        demo_already_present=already,
        dossiers=n_dossiers,
    )


def _add_demo(session, procedures, now: datetime, count: int, seed: int) -> int:  # type: ignore[no-untyped-def]
    settings = SettingsRepository(session)
    agency = settings.get(registry.AGENCY_CODE.key) or DEMO_PLACE.agency_code
    place = DemoPlace(agency_code=agency) if agency != DEMO_PLACE.agency_code else DEMO_PLACE
    block_text = settings.get(registry.STATION_BLOCK.key) or registry.STATION_BLOCK.default or ""
    block = StationBlock.parse(block_text)
    counters = CodeCounterRepository(session)

    def number_for(day: date) -> int:
        return counters.allocate(agency, day, block)

    calendar = calendar_for_session(session)
    dossiers = demo_dossiers(procedures, now, count=count, seed=seed, calendar=calendar, place=place,
                             number_for=number_for)
    for dossier in dossiers:  # each in the register book, in order of reception
        dossier.register = new_register_entry(session, agency, dossier.received_at)
    return DossierRepository(session).add_many(dossiers)
