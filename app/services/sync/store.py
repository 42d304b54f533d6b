"""The database side of a sync run: the outbox as the push engine sees it, and what is pulled down
(upstream changes, catalogue, calendar), each applied in one transaction with its cursor."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any, BinaryIO

from app.core import settings_registry as registry
from app.core.calendar import DayOverride
from app.core.errors import NotFoundError, ValidationError
from app.core.outbox import OutboxItem, OutboxKind
from app.services.context import AppContext
from app.services.online.fees import record_payment
from app.services.online.intake import ONLINE_SUBMITTED, remember_online
from app.store.repositories import (
    CalendarRepository,
    DossierRepository,
    OutboxRepository,
    ProcedureRepository,
    RemoteDossierRepository,
    SettingsRepository,
)
from app.sync.adapter import Accepted, ProvincialAdapter
from app.sync.catalogue import day_from_record, is_province_day, procedure_from_record
from app.sync.errors import ConflictError, UnreadableAnswerError
from app.sync.merge import apply_change, apply_conflict
from app.sync.vocabulary import parse_time

log = logging.getLogger(__name__)

CURSOR = registry.SYNC_CHANGES_CURSOR.key
CATALOGUE_ETAG = registry.SYNC_CATALOGUE_ETAG.key
CALENDAR_PULLED = registry.SYNC_CALENDAR_PULLED.key  # JSON {"year": "YYYY-MM-DD" of the last pull}
PAGE = 200


class DbOutboxStore:
    """:class:`app.sync.engine.OutboxStore` over the database: one short transaction per call."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def ready(self, now: datetime, limit: int) -> list[OutboxItem]:
        with self.ctx.session() as session:
            return OutboxRepository(session).ready(now, limit)

    def next_wake(self) -> datetime | None:
        with self.ctx.session() as session:
            return OutboxRepository(session).next_wake()

    def mark_sent(self, item: OutboxItem, at: datetime, accepted: Accepted) -> None:
        with self.ctx.session(write=True) as session:
            OutboxRepository(session).mark_sent(item.id, at)

    def mark_failed(self, item: OutboxItem, error_en: str, error_vi: str, next_attempt_at: datetime) -> None:
        with self.ctx.session(write=True) as session:
            OutboxRepository(session).mark_failed(item.id, error_en, error_vi, next_attempt_at)

    def mark_parked(self, item: OutboxItem, error_en: str, error_vi: str) -> None:
        log.warning("sync item %s (%s %s) parked: %s", item.id, item.kind, item.dossier_code, error_en)
        with self.ctx.session(write=True) as session:
            OutboxRepository(session).mark_parked(item.id, error_en, error_vi)

    def mark_superseded(self, item: OutboxItem, conflict: ConflictError, at: datetime) -> None:
        """The province won a status conflict: its status comes in, the item is closed (one transaction)."""
        with self.ctx.session(write=True) as session:
            repo = DossierRepository(session)
            try:
                dossier = repo.get(item.dossier_code)
            except NotFoundError:
                dossier = None
            if dossier is not None and apply_conflict(dossier, conflict.current, item.payload):
                repo.update(dossier)
            status = conflict.current.get("TrangThaiHoSo")
            RemoteDossierRepository(session).record(
                item.dossier_code, 0, status=None if status is None else int(status)
            )
            OutboxRepository(session).mark_superseded(item.id, at, conflict.message_en, conflict.message_vi)

    def open_blob(self, sha256: str) -> BinaryIO:
        # Not verified here: the server checks SHA-256 of what it received (one read, not two).
        return self.ctx.db.blobs.open(sha256, verify=False)


def pull_changes(ctx: AppContext, adapter: ProvincialAdapter) -> int:
    """Apply upstream changes page by page, each page with its cursor in one transaction; returns
    how many changes concerned this station's dossiers."""
    applied = 0
    while True:
        with ctx.session() as session:
            cursor = int(SettingsRepository(session).get(CURSOR) or 0)
        page = adapter.changes(cursor, PAGE)
        with ctx.session(write=True) as session:
            for change in page.changes:
                applied += _apply_one(session, change)
            SettingsRepository(session).set(CURSOR, str(page.cursor))
        if not page.more or not page.changes:
            return applied


def _apply_one(session: Any, change: dict[str, Any]) -> int:
    code = str(change.get("MaHoSo") or "")
    if change.get("Loai") == ONLINE_SUBMITTED:
        remember_online(session, code)  # fetched after the page, with its files
        return 0
    dossiers = DossierRepository(session)
    try:
        dossier = dossiers.get(code)
    except NotFoundError:
        return 0  # a dossier of another station of the agency
    payment = change.get("ThanhToan")
    if isinstance(payment, dict):  # paid online: the province says so
        method = "online-provincial" if int(payment.get("HinhThuc") or 1) == 2 else "online-national"
        try:
            record_payment(session, dossier, int(payment.get("SoTien") or 0), method,
                           receipt_no=str(payment.get("SoBienLai") or ""), source="province",
                           at=parse_time(change.get("ThoiDiem")))
        except (ValidationError, ValueError) as exc:
            log.warning("payment of %s in change %s skipped: %s", code, change.get("Seq"), exc)
    pending = OutboxRepository(session).has_unsent(code, OutboxKind.STATUS_UPDATE)
    try:
        if apply_change(dossier, change, local_status_pending=pending):
            dossiers.update(dossier)
    except UnreadableAnswerError as exc:  # skipped, not retried for ever: the feed goes on
        log.warning("change %s of %s skipped: %s", change.get("Seq"), code, exc.message_en)
        return 0
    status = change.get("TrangThaiHoSo")
    results = change.get("DanhSachGiayToKetQua")
    RemoteDossierRepository(session).record(
        code,
        int(change.get("Seq") or 0),
        status=None if status is None else int(status),
        due_at=parse_time(change.get("NgayHenTra")),
        supplement=change.get("HoSoBoSung"),
        results=results if isinstance(results, list) else None,
    )
    return 1


def pull_catalogue(ctx: AppContext, adapter: ProvincialAdapter) -> int:
    """Replace local procedures by the province's when its catalogue changed (ETag); returns how many."""
    with ctx.session() as session:
        etag = SettingsRepository(session).get(CATALOGUE_ETAG)
    records, new_etag = adapter.catalogue(etag)
    if records is None:
        return 0
    procedures = [procedure_from_record(r) for r in records]
    with ctx.session(write=True) as session:
        repo = ProcedureRepository(session)
        for procedure in procedures:
            repo.upsert(procedure)
        if new_etag:
            SettingsRepository(session).set(CATALOGUE_ETAG, new_etag)
    return len(procedures)


def pull_calendar(ctx: AppContext, adapter: ProvincialAdapter, years: list[int], today: date) -> int:
    """Take the province's days off and worked days of ``years`` (once a day per year). A day the
    administrator set locally is never changed; a province day the province withdrew is removed."""
    with ctx.session() as session:
        pulled: dict[str, str] = json.loads(SettingsRepository(session).get(CALENDAR_PULLED) or "{}")
    changed = 0
    for year in years:
        if pulled.get(str(year)) == today.isoformat():
            continue
        days = [day_from_record(r) for r in adapter.calendar(year)]
        with ctx.session(write=True) as session:
            changed += _merge_calendar(CalendarRepository(session), year, days)
            pulled[str(year)] = today.isoformat()
            SettingsRepository(session).set(CALENDAR_PULLED, json.dumps(pulled))
    return changed


def _merge_calendar(repo: CalendarRepository, year: int, days: list[DayOverride]) -> int:
    local = {o.day: o for o in repo.overrides(year)}
    wanted = {d.day: d for d in days}
    changed = 0
    for day, override in local.items():
        if is_province_day(override) and day not in wanted:
            repo.clear_day(day)
            changed += 1
    for day, override in wanted.items():
        existing = local.get(day)
        if existing is not None and not is_province_day(existing):
            continue  # the administrator's own day wins
        if existing != override:
            repo.set_day(day, override.kind, override.note)
            changed += 1
    return changed
