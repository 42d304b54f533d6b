"""The sync outbox as plain data: what must reach the provincial system, and how far each item got.

An outbox item is written in the same database transaction as the change it carries (a dossier
received, a status changed, a file attached), so a change is never stored without its item nor an
item without its change. Items of one dossier are sent in the order they were written (``id``);
dossiers do not wait for each other. See ``docs/sync-protocol.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutboxKind(StrEnum):
    DOSSIER_UPSERT = "dossier.upsert"  # the dossier's national record (DongBoHoSoMC fields)
    FILE_UPLOAD = "file.upload"  # one stored file of the dossier (chunked, resumable upload)
    STATUS_UPDATE = "status.update"  # one status change made at the counter (TrangThaiHoSo)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its first attempt
    FAILED = "failed"  # the last attempt failed for a passing reason; retried at next_attempt_at
    PARKED = "parked"  # the server refused it: waits for a person (retry after a fix)
    SENT = "sent"  # the server accepted it (a duplicate the server already had counts as accepted)
    SUPERSEDED = "superseded"  # a status change the province had overtaken (the province wins)


#: Items still to deliver; the dossier's later items wait behind them.
UNSENT = (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.PARKED)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    dossier_code: str  # ordering key: one dossier's items go in ``id`` order
    kind: OutboxKind
    idempotency_key: str  # stable for the item's life: a retry never creates a duplicate upstream
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_error: str = ""  # English, for logs
    last_error_vi: str = ""  # Vietnamese, for the officer
    sent_at: datetime | None = None
