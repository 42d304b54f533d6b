"""The sync outbox and the province's view of dossiers (tables of ``app.store.models_sync``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from app.core.clock import vn_now
from app.core.errors import NotFoundError
from app.core.outbox import UNSENT, OutboxItem, OutboxKind, OutboxStatus
from app.store.models_sync import OutboxRow, RemoteDossierRow

_RETRYABLE = (OutboxStatus.PENDING.value, OutboxStatus.FAILED.value)
_UNSENT = tuple(s.value for s in UNSENT)


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        dossier_code=row.dossier_code,
        kind=OutboxKind(row.kind),
        idempotency_key=row.idempotency_key,
        payload=dict(row.payload),
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_error_vi=row.last_error_vi,
        sent_at=row.sent_at,
    )


def _head_of_line() -> Any:
    """Items with no earlier unsent item of the same dossier (the dossier's next one to send)."""
    earlier = aliased(OutboxRow)
    return ~exists().where(
        and_(
            earlier.dossier_code == OutboxRow.dossier_code,
            earlier.id < OutboxRow.id,
            earlier.status.in_(_UNSENT),
        )
    )


class OutboxRepository:
    """Items to send, written in the caller's transaction; statuses saved after every attempt."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writing ---------------------------------------------------------------------------------
    def add(
        self,
        dossier_code: str,
        kind: OutboxKind | str,
        payload: dict[str, Any],
        *,
        key: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Queue one change; ``key`` (default: a new UUID) is the idempotency key sent with it."""
        row = OutboxRow(
            dossier_code=dossier_code,
            kind=OutboxKind(kind).value,
            idempotency_key=key or str(uuid.uuid4()),
            payload=payload,
            status=OutboxStatus.PENDING.value,
            attempts=0,
            last_error="",
            last_error_vi="",
            created_at=now or vn_now(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _set(self, item_id: int, **values: Any) -> None:
        if not self.session.execute(
            update(OutboxRow).where(OutboxRow.id == item_id).values(**values)
        ).rowcount:
            raise NotFoundError(
                f"outbox item {item_id} not found", f"Không tìm thấy mục đồng bộ số {item_id}."
            )

    def mark_sent(self, item_id: int, at: datetime) -> None:
        self._set(
            item_id,
            status=OutboxStatus.SENT.value,
            sent_at=at,
            next_attempt_at=None,
            attempts=OutboxRow.attempts + 1,
        )

    def mark_failed(self, item_id: int, error_en: str, error_vi: str, next_attempt_at: datetime) -> None:
        """A passing failure (network, server busy): tried again from ``next_attempt_at``."""
        self._set(
            item_id,
            status=OutboxStatus.FAILED.value,
            attempts=OutboxRow.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error_en[:2000],
            last_error_vi=error_vi[:2000],
        )

    def mark_parked(self, item_id: int, error_en: str, error_vi: str) -> None:
        """The server refused the item: it waits for a person; the dossier's later items wait behind it."""
        self._set(
            item_id,
            status=OutboxStatus.PARKED.value,
            attempts=OutboxRow.attempts + 1,
            next_attempt_at=None,
            last_error=error_en[:2000],
            last_error_vi=error_vi[:2000],
        )

    def mark_superseded(self, item_id: int, at: datetime, error_en: str, error_vi: str) -> None:
        self._set(
            item_id,
            status=OutboxStatus.SUPERSEDED.value,
            attempts=OutboxRow.attempts + 1,
            sent_at=at,
            next_attempt_at=None,
            last_error=error_en[:2000],
            last_error_vi=error_vi[:2000],
        )

    def retry(self, item_id: int, payload: dict[str, Any] | None = None) -> OutboxItem:
        """Put a parked or failed item back in the queue, to be sent at the next run. With
        ``payload`` (the record rebuilt from the current data) the item carries it from now on, under
        a new idempotency key when it differs (the server must not answer with the old request)."""
        row = self.session.get(OutboxRow, item_id)
        if row is None:
            raise NotFoundError(
                f"outbox item {item_id} not found", f"Không tìm thấy mục đồng bộ số {item_id}."
            )
        if row.status in _RETRYABLE or row.status == OutboxStatus.PARKED.value:
            row.status = OutboxStatus.PENDING.value
            row.next_attempt_at = None
            if payload is not None and payload != row.payload:
                row.payload = payload
                row.idempotency_key = str(uuid.uuid4())
            self.session.flush()
        return _item(row)

    def purge_sent(self, before: datetime) -> int:
        """Forget items delivered (or superseded) before ``before``; returns how many."""
        done = (OutboxStatus.SENT.value, OutboxStatus.SUPERSEDED.value)
        return (
            self.session.execute(
                delete(OutboxRow).where(OutboxRow.status.in_(done), OutboxRow.sent_at < before)
            ).rowcount
            or 0
        )

    # -- reading ---------------------------------------------------------------------------------
    def get(self, item_id: int) -> OutboxItem:
        row = self.session.get(OutboxRow, item_id)
        if row is None:
            raise NotFoundError(
                f"outbox item {item_id} not found", f"Không tìm thấy mục đồng bộ số {item_id}."
            )
        return _item(row)

    def ready(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """The next item of each dossier that may be sent now, oldest first."""
        stmt = (
            select(OutboxRow)
            .where(
                OutboxRow.status.in_(_RETRYABLE),
                (OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= now),
                _head_of_line(),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [_item(r) for r in self.session.scalars(stmt)]

    def next_wake(self) -> datetime | None:
        """When the earliest item waiting for a retry becomes due (None: none waits)."""
        stmt = select(func.min(OutboxRow.next_attempt_at)).where(
            OutboxRow.status == OutboxStatus.FAILED.value, _head_of_line()
        )
        return self.session.scalar(stmt)

    def counts(self) -> dict[OutboxStatus, int]:
        rows = self.session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
        found = {OutboxStatus(status): int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in OutboxStatus}

    def items(self, statuses: Iterable[OutboxStatus | str], limit: int = 500) -> list[OutboxItem]:
        wanted = [OutboxStatus(s).value for s in statuses]
        stmt = select(OutboxRow).where(OutboxRow.status.in_(wanted)).order_by(OutboxRow.id).limit(limit)
        return [_item(r) for r in self.session.scalars(stmt)]

    def for_dossier(self, dossier_code: str) -> list[OutboxItem]:
        stmt = select(OutboxRow).where(OutboxRow.dossier_code == dossier_code).order_by(OutboxRow.id)
        return [_item(r) for r in self.session.scalars(stmt)]

    def has_unsent(self, dossier_code: str, kind: OutboxKind | str) -> bool:
        return bool(
            self.session.scalar(
                select(
                    exists().where(
                        OutboxRow.dossier_code == dossier_code,
                        OutboxRow.kind == OutboxKind(kind).value,
                        OutboxRow.status.in_(_UNSENT),
                    )
                )
            )
        )


class RemoteDossierRepository:
    """The province's status, due date, supplement requests and results of each dossier."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, dossier_code: str) -> dict[str, Any] | None:
        row = self.session.get(RemoteDossierRow, dossier_code)
        if row is None:
            return None
        return {
            "dossier_code": row.dossier_code,
            "status": row.status,
            "due_at": row.due_at,
            "supplements": list(row.supplements),
            "results": list(row.results),
            "last_seq": row.last_seq,
            "updated_at": row.updated_at,
        }

    def record(
        self,
        dossier_code: str,
        seq: int,
        *,
        status: int | None = None,
        due_at: datetime | None = None,
        supplement: dict[str, Any] | None = None,
        results: list[Any] | None = None,
    ) -> None:
        """Merge one change of the feed (a repeated ``seq`` changes nothing)."""
        row = self.session.get(RemoteDossierRow, dossier_code)
        if row is None:
            row = RemoteDossierRow(
                dossier_code=dossier_code, supplements=[], results=[], last_seq=0, updated_at=vn_now()
            )
            self.session.add(row)
        if seq and seq <= row.last_seq:
            return
        if status is not None:
            row.status = status
        if due_at is not None:
            row.due_at = due_at
        if supplement is not None and supplement not in row.supplements:
            row.supplements = [*row.supplements, supplement]
        if results is not None:
            row.results = list(results)
        row.last_seq = max(row.last_seq, seq)
        row.updated_at = vn_now()
        self.session.flush()
