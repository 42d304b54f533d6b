"""What a batch produced: its documents (pages split at separator sheets), the accounting of every page,
the batch errors."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.separator import parse_separator
from app.scanning.errors import ScanError
from app.store.repositories import (
    BatchDocumentRecord,
    BatchPageRecord,
    BatchRecord,
)

logger = logging.getLogger(__name__)


KIND_PAGE = "page"
KIND_SEPARATOR = "separator"
STATE_PROCESSED = "processed"
STATE_FAILED = "failed"
#: Flags that keep a document from being accepted without a look (blank pages only ask for review).
BLOCKING_FLAGS = ("unreadable", "pipeline_failed", "too_dark", "too_light", "cut_off", "duplicate",
                  "near_duplicate")


class BatchError(ScanError):
    """A batch cannot be started, run or resumed."""


class BatchCancelledError(BatchError):
    """The batch was cancelled (abandoned) while it ran."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BatchDocument:
    """One document of the stack: its pages (input names, in order), the separator that opened
    it, and the quality gates' findings (page names per flag)."""

    number: int
    separator: str | None
    result_code: str | None
    record: str | None
    pages: tuple[str, ...]
    seqs: tuple[int, ...]
    blank_pages: tuple[str, ...]
    flags: dict[str, list[str]]
    sha256: str | None
    size: int = 0
    closed: bool = True
    warehouse_record: str | None = None  # the record_id once the clerk has recorded it
    set_aside_reason: str | None = None  # why the clerk set it aside instead of recording it
    set_aside_by: str | None = None
    set_aside_at: datetime | None = None

    @property
    def recorded(self) -> bool:
        return self.warehouse_record is not None

    @property
    def set_aside(self) -> bool:
        return self.set_aside_reason is not None

    @property
    def handled(self) -> bool:
        """Nothing left for the clerk: recorded, or set aside."""
        return self.recorded or self.set_aside

    @property
    def accepted(self) -> bool:
        """No gate failed (blank pages are kept and only flagged for review)."""
        return self.sha256 is not None and not any(self.flags.get(f) for f in BLOCKING_FLAGS)

    def to_json(self) -> dict[str, Any]:
        return {"pages": list(self.pages), "separator": self.separator, "blank_pages": list(self.blank_pages)}

    def details_json(self) -> dict[str, Any]:
        return {**self.to_json(), "number": self.number, "result_code": self.result_code,
                "record": self.record, "flags": self.flags, "sha256": self.sha256, "bytes": self.size,
                "accepted": self.accepted, "warehouse_record": self.warehouse_record,
                "set_aside": None if self.set_aside_reason is None else {
                    "reason": self.set_aside_reason, "by": self.set_aside_by,
                    "at": self.set_aside_at.isoformat(timespec="seconds") if self.set_aside_at else None}}


@dataclass(frozen=True)
class Accounting:
    """Every page the source delivered is stored, a separator, or failed (unreadable)."""

    delivered: int
    stored: int
    separators: int
    failed: int
    in_documents: int  # stored + failed pages that belong to a document
    gaps: tuple[int, ...] = ()  # seqs missing from 0..delivered-1 (never expected)

    @property
    def ok(self) -> bool:
        return (not self.gaps and self.delivered == self.stored + self.separators + self.failed
                and self.in_documents == self.stored + self.failed)

    def to_json(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "stored": self.stored, "separators": self.separators,
                "failed": self.failed, "ok": self.ok}


@dataclass(frozen=True)
class BatchProgress:
    batch_id: int
    state: str
    pages: int
    documents_done: int
    seconds: float

    @property
    def pages_per_hour(self) -> float:
        return self.pages * 3600.0 / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "state": self.state, "pages": self.pages,
                "documents_done": self.documents_done, "seconds": round(self.seconds, 2),
                "pages_per_hour": round(self.pages_per_hour)}


@dataclass(frozen=True)
class BatchOutcome:
    batch: BatchRecord
    documents: tuple[BatchDocument, ...]
    accounting: Accounting
    progress: BatchProgress
    failures: tuple[BatchPageRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``motcua batch --json`` contract: exactly ``{"documents": [...]}``."""
        return {"documents": [d.to_json() for d in self.documents]}

    def details_json(self) -> dict[str, Any]:
        return {"batch": self.batch.id, "name": self.batch.name, "state": self.batch.state,
                "documents": [d.details_json() for d in self.documents],
                "accounting": self.accounting.to_json(), "progress": self.progress.to_json(),
                "failures": [{"page": f.name, "error": f.error} for f in self.failures]}


# --------------------------------------------------------------------------- splitting


@dataclass
class _Doc:
    separator: str | None
    seqs: list[int] = field(default_factory=list)


def split_pages(pages: Sequence[BatchPageRecord], *, source_done: bool) -> list[_Doc]:
    """The documents of ``pages`` (in seq order). The last one is open unless ``source_done``."""
    docs: list[_Doc] = []
    current: _Doc | None = None
    for page in pages:
        if page.kind == KIND_SEPARATOR:
            if current is not None and not current.seqs:
                current.separator = page.separator  # consecutive separators: no empty document
            else:
                current = _Doc(page.separator)
                docs.append(current)
            continue
        if current is None:
            current = _Doc(None)
            docs.append(current)
        current.seqs.append(page.seq)
    if docs and not docs[-1].seqs:
        docs.pop()  # a trailing separator starts nothing (yet)
    del source_done
    return docs


def _closed_count(pages: Sequence[BatchPageRecord], docs: list[_Doc], source_done: bool) -> int:
    """How many of ``docs`` are finished: all but the last, unless the source ended or a separator
    follows the last one's pages."""
    if not docs:
        return 0
    if source_done:
        return len(docs)
    last_page = docs[-1].seqs[-1]
    follows = any(p.kind == KIND_SEPARATOR and p.seq > last_page for p in pages)
    return len(docs) if follows else len(docs) - 1


def _document(number: int, doc: _Doc, by_seq: dict[int, BatchPageRecord], stored: BatchDocumentRecord | None,
              closed: bool) -> BatchDocument:
    flags: dict[str, list[str]] = {}
    blank: list[str] = []
    for seq in doc.seqs:
        page = by_seq[seq]
        for flag in page.flags:
            flags.setdefault(flag, []).append(page.name)
        if page.blank:
            blank.append(page.name)
    payload = parse_separator(doc.separator) if doc.separator else None
    return BatchDocument(number, doc.separator, payload.result_code if payload else None,
                         payload.record if payload else None, tuple(by_seq[s].name for s in doc.seqs),
                         tuple(doc.seqs), tuple(blank), flags, stored.sha256 if stored else None,
                         stored.size if stored else 0, closed, stored.warehouse_record if stored else None,
                         stored.set_aside_reason if stored else None, stored.set_aside_by if stored else None,
                         stored.set_aside_at if stored else None)


def accounting_of(pages: Sequence[BatchPageRecord], documents: Sequence[BatchDocument]) -> Accounting:
    seqs = sorted(p.seq for p in pages)
    gaps = tuple(sorted(set(range(len(seqs))) - set(seqs)))
    stored = sum(1 for p in pages if p.kind == KIND_PAGE and p.state == STATE_PROCESSED)
    separators = sum(1 for p in pages if p.kind == KIND_SEPARATOR)
    failed = sum(1 for p in pages if p.state == STATE_FAILED)
    in_docs = sum(len(d.seqs) for d in documents)
    return Accounting(len(pages), stored, separators, failed, in_docs, gaps)
