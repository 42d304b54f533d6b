"""Batches of archive digitising, their pages and documents (tables of ``app.store.models_batch``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.errors import NotFoundError
from app.store.models_batch import BatchDocumentRow, BatchPageRow, BatchRow

BATCH_OPEN = "open"
BATCH_DONE = "done"
BATCH_CANCELLED = "cancelled"


@dataclass(frozen=True)
class BatchRecord:
    id: int
    name: str
    source: str
    profile: str
    officer: str
    state: str
    source_done: bool
    active_seconds: float
    error: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class BatchPageRecord:
    seq: int
    origin: str
    origin_index: int
    name: str
    spool_file: str
    state: str  # processed | failed
    kind: str  # page | separator
    separator: str | None = None
    sha256: str | None = None
    phash: str | None = None
    media_type: str = ""
    bytes: int = 0
    dpi: float = 0.0
    blank: bool = False
    flags: tuple[str, ...] = ()
    duplicate_of: int | None = None
    error: str = ""
    processed_at: datetime = field(default_factory=vn_now)


@dataclass(frozen=True)
class BatchDocumentRecord:
    number: int
    separator: str | None
    result_code: str | None
    record: str | None
    pages: tuple[int, ...]
    flags: dict[str, Any]
    sha256: str | None
    size: int
    created_at: datetime = field(default_factory=vn_now)
    warehouse_record: str | None = None  # the record_id of the warehouse record made of it
    reviewed_by: str | None = None  # who accepted its blank or flagged pages
    reviewed_at: datetime | None = None
    set_aside_reason: str | None = None  # why the clerk set it aside instead of recording it
    set_aside_by: str | None = None
    set_aside_at: datetime | None = None


def _batch(row: BatchRow) -> BatchRecord:
    return BatchRecord(row.id, row.name, row.source, row.profile, row.officer, row.state, row.source_done,
                       row.active_seconds, row.error, row.created_at, row.updated_at, row.finished_at)


def _page(row: BatchPageRow) -> BatchPageRecord:
    return BatchPageRecord(row.seq, row.origin, row.origin_index, row.name, row.spool_file, row.state,
                           row.kind, row.separator, row.sha256, row.phash, row.media_type, row.bytes, row.dpi,
                           row.blank,
                           tuple(row.flags or ()), row.duplicate_of, row.error, row.processed_at)


def _document(row: BatchDocumentRow) -> BatchDocumentRecord:
    return BatchDocumentRecord(row.number, row.separator, row.result_code, row.record, tuple(row.pages or ()),
                               dict(row.flags or {}), row.sha256, row.size, row.created_at,
                               row.warehouse_record, row.reviewed_by, row.reviewed_at, row.set_aside_reason,
                               row.set_aside_by, row.set_aside_at)


class BatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- batches
    def create(self, name: str, source: str, profile: str, officer: str) -> BatchRecord:
        now = vn_now()
        row = BatchRow(name=name, source=source, profile=profile, officer=officer, state=BATCH_OPEN,
                       source_done=False, active_seconds=0.0, error="", created_at=now, updated_at=now)
        self.session.add(row)
        self.session.flush()
        return _batch(row)

    def _row(self, batch_id: int) -> BatchRow:
        row = self.session.get(BatchRow, batch_id)
        if row is None:
            raise NotFoundError(f"unknown batch {batch_id}", f"Không tìm thấy lô số hóa số {batch_id}.")
        return row

    def get(self, batch_id: int) -> BatchRecord:
        return _batch(self._row(batch_id))

    def list(self, *, state: str | None = None, source: str | None = None) -> list[BatchRecord]:
        stmt = select(BatchRow).order_by(BatchRow.id)
        if state is not None:
            stmt = stmt.where(BatchRow.state == state)
        if source is not None:
            stmt = stmt.where(BatchRow.source == source)
        return [_batch(r) for r in self.session.scalars(stmt)]

    def update(self, batch_id: int, **values: Any) -> BatchRecord:
        row = self._row(batch_id)
        for key, value in values.items():
            if not hasattr(row, key) or key in ("id", "name"):
                raise AttributeError(key)
            setattr(row, key, value)
        row.updated_at = vn_now()
        self.session.flush()
        return _batch(row)

    def add_seconds(self, batch_id: int, seconds: float) -> None:
        row = self._row(batch_id)
        row.active_seconds = float(row.active_seconds or 0.0) + max(0.0, seconds)
        row.updated_at = vn_now()
        self.session.flush()

    # -- pages
    def pages(self, batch_id: int) -> list[BatchPageRecord]:
        stmt = select(BatchPageRow).where(BatchPageRow.batch_id == batch_id).order_by(BatchPageRow.seq)
        return [_page(r) for r in self.session.scalars(stmt)]

    def page_count(self, batch_id: int) -> int:
        stmt = select(func.count()).select_from(BatchPageRow).where(BatchPageRow.batch_id == batch_id)
        return int(self.session.execute(stmt).scalar_one())

    def add_pages(self, batch_id: int, pages: Iterable[BatchPageRecord]) -> None:
        for p in pages:
            self.session.add(BatchPageRow(
                batch_id=batch_id, seq=p.seq, origin=p.origin, origin_index=p.origin_index, name=p.name,
                spool_file=p.spool_file, state=p.state, kind=p.kind, separator=p.separator, sha256=p.sha256,
                phash=p.phash, media_type=p.media_type, bytes=p.bytes, dpi=p.dpi, blank=p.blank,
                flags=list(p.flags),
                duplicate_of=p.duplicate_of, error=p.error, processed_at=p.processed_at))
        self.session.flush()

    # -- documents
    def documents(self, batch_id: int) -> list[BatchDocumentRecord]:
        stmt = select(BatchDocumentRow).where(BatchDocumentRow.batch_id == batch_id) \
            .order_by(BatchDocumentRow.number)
        return [_document(r) for r in self.session.scalars(stmt)]

    def add_document(self, batch_id: int, doc: BatchDocumentRecord) -> None:
        self.session.add(BatchDocumentRow(
            batch_id=batch_id, number=doc.number, separator=doc.separator, result_code=doc.result_code,
            record=doc.record, pages=list(doc.pages), flags=dict(doc.flags), sha256=doc.sha256, size=doc.size,
            created_at=doc.created_at))
        self.session.flush()

    def _document_row(self, batch_id: int, number: int, *, for_update: bool = False) -> BatchDocumentRow:
        stmt = select(BatchDocumentRow).where(BatchDocumentRow.batch_id == batch_id,
                                              BatchDocumentRow.number == number)
        if for_update:
            stmt = stmt.with_for_update()  # PostgreSQL: one clerk at a time links a document
        row = self.session.scalars(stmt).one_or_none()
        if row is None:
            raise NotFoundError(f"batch {batch_id} has no closed document {number}",
                                f"Lô số hóa {batch_id} không có tài liệu số {number + 1} đã quét xong.")
        return row

    def document(self, batch_id: int, number: int, *, for_update: bool = False) -> BatchDocumentRecord:
        """Closed document ``number`` (0-based) of the batch; ``for_update`` locks its row."""
        return _document(self._document_row(batch_id, number, for_update=for_update))

    def link_record(self, batch_id: int, number: int, record_id: str, *, reviewed_by: str | None = None,
                    reviewed_at: datetime | None = None) -> BatchDocumentRecord:
        """Remember that document ``number`` became warehouse record ``record_id``."""
        row = self._document_row(batch_id, number)
        row.warehouse_record = record_id
        if reviewed_by is not None:
            row.reviewed_by = reviewed_by[:64]
            row.reviewed_at = (reviewed_at or vn_now()).replace(microsecond=0)
        self.session.flush()
        return _document(row)

    def set_aside(self, batch_id: int, number: int, reason: str | None, *, by: str | None = None,
                  at: datetime | None = None) -> BatchDocumentRecord:
        """Set document ``number`` aside with ``reason`` (``None``: put it back among those to record)."""
        row = self._document_row(batch_id, number)
        row.set_aside_reason = reason
        row.set_aside_by = by[:64] if reason is not None and by is not None else None
        row.set_aside_at = (at or vn_now()).replace(microsecond=0) if reason is not None else None
        self.session.flush()
        return _document(row)

    def with_unrecorded_documents(self) -> list[int]:
        """Ids of the batches (not cancelled) with a closed document neither made a warehouse record
        nor set aside."""
        stmt = (select(BatchDocumentRow.batch_id).join(BatchRow, BatchRow.id == BatchDocumentRow.batch_id)
                .where(BatchDocumentRow.warehouse_record.is_(None), BatchDocumentRow.sha256.is_not(None),
                       BatchDocumentRow.set_aside_reason.is_(None), BatchRow.state != BATCH_CANCELLED)
                .distinct().order_by(BatchDocumentRow.batch_id))
        return [int(i) for i in self.session.scalars(stmt)]
