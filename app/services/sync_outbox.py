"""Writing outbox items inside the caller's transaction (the transactional outbox).

Call these with the session in which the change itself is written, so that the change and its item
are committed together or not at all::

    with ctx.session(write=True) as session:
        DossierRepository(session).update(dossier)
        enqueue_attachment(session, dossier, attachment)

:func:`enqueue_attachment` is what the scanning service calls for every file it attaches to a
dossier (the bytes must already be in the blob store under ``attachment.sha256``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core.dossier import Attachment, Dossier, DossierStatus, StatusChange
from app.core.outbox import OutboxKind
from app.store.repositories import OutboxRepository
from app.sync.satisfaction import dossier_record_with_ratings
from app.sync.vocabulary import dossier_record, file_record, status_record


def enqueue_dossier(session: Session, dossier: Dossier) -> int:
    """Queue the dossier's national record (``PUT /dossiers/{MaHoSo}``); returns the item id."""
    return OutboxRepository(session).add(dossier.code, OutboxKind.DOSSIER_UPSERT, dossier_record(dossier))


def enqueue_status(session: Session, dossier: Dossier, change: StatusChange, previous: DossierStatus) -> int:
    """Queue one status change made at the counter (from ``previous`` to ``change.status``)."""
    return OutboxRepository(session).add(
        dossier.code, OutboxKind.STATUS_UPDATE, status_record(dossier, change, previous)
    )


def enqueue_new_statuses(
    session: Session, dossier: Dossier, previous: DossierStatus, first: int
) -> list[int]:
    """Queue the status changes ``dossier.history[first:]`` (made by one operation), in order."""
    ids = []
    for change in dossier.history[first:]:
        ids.append(enqueue_status(session, dossier, change, previous))
        previous = change.status
    return ids


def enqueue_attachment(session: Session, dossier: Dossier, attachment: Attachment) -> int:
    """Queue the upload of one stored file of the dossier (streamed from the blob store)."""
    return OutboxRepository(session).add(
        dossier.code, OutboxKind.FILE_UPLOAD, file_record(dossier, attachment)
    )


def enqueue_dossier_with_ratings(session: Session, dossier: Dossier, ratings: list[dict[str, Any]]) -> int:
    """Queue the dossier's national record carrying the citizen's ratings (``DanhGiaHaiLong``)."""
    return OutboxRepository(session).add(
        dossier.code, OutboxKind.DOSSIER_UPSERT, dossier_record_with_ratings(dossier, ratings)
    )
