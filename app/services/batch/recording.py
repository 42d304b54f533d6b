"""Batch documents into warehouse records: the clerk types each document's metadata.

A batch (:mod:`app.services.batch.engine`) cuts a stack into documents, each a PDF in the blob store. The
clerk then goes through them in the batch screen and types what each one is (type, số, ký hiệu,
dates, owner, ...); :func:`record_document` makes it a record of the e-data warehouse
(:func:`app.services.warehouse.records.add_result`) **with the document's own PDF** and links the record to
the batch document (``batch_documents.warehouse_record``) in the same transaction.

Quality gates, checked before anything is written (Vietnamese :class:`ValidationError`\\ s):

* the batch's page count is reconciled (delivered = stored + separators + failed) and the PDF has
  exactly the document's stored pages;
* no page of the document is unreadable (such a page is not in the PDF: scan it again);
* blank pages have been looked at (``blank_pages_reviewed``);
* pages flagged too dark, too light, cut off, not processed, or duplicating another page of the
  batch have been looked at and accepted (``flags_accepted``);
* the document is not in the warehouse already (same owner + type + number, or the same PDF):
  :class:`~app.services.warehouse.records.DuplicateRecordError`.

Idempotent: recording a document already recorded returns its record. The record's PDF is the batch
document's PDF (same SHA-256: the warehouse refuses a second record of it) and its ``source_ref`` is
``<batch name>#<document number>``, so a record left unlinked (a link lost some other way) is found
again and linked rather than stored twice, and two clerks saving the same document at once get one
record.

A separator's pre-assigned record id (``rec=``) stays on the batch document (``record``), which now
points at the warehouse record, and is written in the audit entry of the recording.

**Setting a document aside.** A document that cannot or should not be recorded (an unreadable page
to scan again, a sheet that is not a result at all, an expired document not worth digitising) is
set aside with a reason (:func:`set_aside_document`; audit ``batch_set_aside``) and counts as
handled: :func:`first_unrecorded` skips it, and a batch whose documents are all recorded or set
aside leaves :func:`batches_to_finish`. A recorded document cannot be set aside, and a set-aside one
is not recorded until :func:`restore_document` puts it back (audit ``batch_restore``).

**Signing the box.** :func:`batch_signatures` gives each recorded document's record with whether its
PDF carries a valid signature (verified, cached by SHA-256); :func:`batch_record_ids` the ids to hand
to :func:`app.services.warehouse.record_signing.sign_records` (one PIN for the whole box).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.errors import ValidationError
from app.core.warehouse import ResultMetadata, ResultRecord, SourceKind
from app.services.admin.auth import Officer, Permission, require
from app.services.batch.lifecycle import batch_outcome
from app.services.batch.outcome import BatchDocument, BatchOutcome
from app.services.batch.reading import (
    ACCEPTABLE_FLAGS,
    FLAG_NAMES_VI,
    _closed,
    _document_of,
    _names,
    source_ref,
)
from app.services.context import AppContext
from app.services.warehouse import record_signing as warehouse_signing
from app.services.warehouse import records as warehouse
from app.store.repositories import (
    AuditRepository,
    BatchRecord,
    BatchRepository,
    WarehouseRepository,
)

logger = logging.getLogger(__name__)

AUDIT_BATCH_RECORD = "batch_record"
#: Flags that a look by the clerk can accept (the page is in the PDF and may well be legible).

class _AlreadyRecorded(Exception):  # noqa: N818 - internal signal, not an error
    def __init__(self, record_id: str) -> None:
        super().__init__(record_id)
        self.record_id = record_id


# --------------------------------------------------------------------------- the gates



def check_gates(outcome: BatchOutcome, doc: BatchDocument, *, blank_pages_reviewed: bool,
                flags_accepted: bool) -> None:
    """Raise the first gate the document fails (see the module docstring)."""
    n = doc.number + 1
    acc = outcome.accounting
    if not acc.ok:
        raise ValidationError(
            f"batch {outcome.batch.id}: page accounting does not balance ({acc.to_json()})",
            f"Số trang của lô không khớp: nhận {acc.delivered} trang nhưng lưu {acc.stored}, tờ tách "
            f"{acc.separators}, lỗi {acc.failed}. Hãy kiểm tra lại lô trước khi nhập.", field="pages")
    unreadable = doc.flags.get("unreadable") or []
    if unreadable:
        raise ValidationError(f"document {doc.number}: unreadable pages {unreadable}",
                              f"Tài liệu {n} có trang không đọc được ({_names(unreadable)}): trang này không "
                              "có trong tệp PDF, hãy quét lại tài liệu.", field="pages")
    if doc.blank_pages and not blank_pages_reviewed:
        blank = list(doc.blank_pages)
        raise ValidationError(f"document {doc.number}: blank pages {blank} not reviewed",
                              f"Tài liệu {n} có {len(blank)} trang trắng ({_names(blank)}) chưa được xem: "
                              "xem lại các trang rồi đánh dấu “Đã xem trang trắng”.",
                              field="blank_pages_reviewed")
    flagged = [(f, names) for f in ACCEPTABLE_FLAGS if (names := doc.flags.get(f))]
    if flagged and not flags_accepted:
        what = "; ".join(f"{FLAG_NAMES_VI[f]}: {_names(list(names))}" for f, names in flagged)
        raise ValidationError(f"document {doc.number}: flagged pages not accepted ({dict(flagged)})",
                              f"Tài liệu {n} có trang cần kiểm tra ({what}): xem lại ảnh rồi đánh dấu "
                              "“Đã xem trang trắng / trang cần kiểm tra”.", field="blank_pages_reviewed")


def needs_review(doc: BatchDocument) -> bool:
    """Blank or flagged pages that the clerk must look at before the document is recorded."""
    return bool(doc.blank_pages) or any(doc.flags.get(f) for f in ACCEPTABLE_FLAGS)


# --------------------------------------------------------------------------- recording


def record_document(ctx: AppContext, batch_id: int, number: int, metadata: ResultMetadata, officer: Officer,
                    *, blank_pages_reviewed: bool = False, flags_accepted: bool = False,
                    today: date | None = None) -> ResultRecord:
    """Make closed document ``number`` (0-based) of the batch a warehouse record with ``metadata``
    (an empty type is taken from the separator), after the quality gates; link the record to the
    document in the same transaction. A document already recorded gives its record back."""
    require(officer, Permission.DIGITISE)
    outcome = batch_outcome(ctx, batch_id)
    doc = _document_of(outcome, number)
    if doc.warehouse_record is not None:
        return warehouse.get_record(ctx, doc.warehouse_record)
    _closed(outcome, doc)
    if doc.set_aside_reason is not None:
        raise _set_aside_error(batch_id, number, doc.set_aside_reason)
    assert doc.sha256 is not None
    batch, ref = outcome.batch, source_ref(outcome.batch, number)
    existing = _own_record(ctx, ref)
    if existing is not None:  # stored before, its link lost: link it, never store it twice
        logger.warning("batch %s document %d: record %s was not linked, linking it", batch.name, number,
                       existing.record_id)
        return _link_existing(ctx, batch_id, number, existing, officer, reviewed=needs_review(doc))
    check_gates(outcome, doc, blank_pages_reviewed=blank_pages_reviewed, flags_accepted=flags_accepted)
    if not metadata.type_code.strip() and doc.result_code:
        metadata = replace(metadata, type_code=doc.result_code)
    pdf = ctx.db.blobs.read_bytes(doc.sha256)
    stored_pages = len(doc.seqs) - len(doc.flags.get("unreadable") or [])
    pdf_pages = _page_count(pdf)
    if pdf_pages != stored_pages:
        raise ValidationError(f"document {number}: the PDF has {pdf_pages} pages, {stored_pages} stored",
                              f"Tệp PDF của tài liệu {number + 1} có {pdf_pages} trang nhưng lô đã lưu "
                              f"{stored_pages} trang: hãy quét lại tài liệu.", field="pages")
    reviewed = needs_review(doc)

    def link(session: Session, record: ResultRecord) -> None:
        _link(session, batch, doc, record, officer, reviewed=reviewed)

    try:
        return warehouse.add_result(ctx, metadata, officer, pdf_bytes=pdf, source_kind=SourceKind.BATCH,
                                    source_ref=ref, today=today, within=link)
    except _AlreadyRecorded as already:  # another clerk recorded it meanwhile
        return warehouse.get_record(ctx, already.record_id)
    except warehouse.DuplicateRecordError as error:
        mine = next((d.record for d in error.duplicates
                     if d.record.source_kind is SourceKind.BATCH and d.record.source_ref == ref), None)
        if mine is None:
            raise
        return _link_existing(ctx, batch_id, number, mine, officer, reviewed=reviewed)


def _own_record(ctx: AppContext, ref: str) -> ResultRecord | None:
    """The record already made of the document, found by its ``source_ref`` (unique: the batch's
    name and the document's number), not by its PDF, which signing may have replaced since."""
    with ctx.session() as session:
        return next((r for r in WarehouseRepository(session).by_source(ref)
                     if r.source_kind is SourceKind.BATCH), None)


def _link(session: Session, batch: BatchRecord, doc: BatchDocument, record: ResultRecord, officer: Officer, *,
          reviewed: bool) -> None:
    repo = BatchRepository(session)
    current = repo.document(batch.id, doc.number, for_update=True)
    if current.warehouse_record == record.record_id:
        return  # linked already
    if current.warehouse_record is not None:
        raise _AlreadyRecorded(current.warehouse_record)  # rolls the new record back
    if current.set_aside_reason is not None:  # set aside meanwhile by another clerk: rolled back too
        raise _set_aside_error(batch.id, doc.number, current.set_aside_reason)
    repo.link_record(batch.id, doc.number, record.record_id,
                     reviewed_by=officer.username if reviewed else None, reviewed_at=vn_now())
    AuditRepository(session).append(officer.username, AUDIT_BATCH_RECORD, details={
        "batch": batch.name, "document": doc.number + 1, "record_id": record.record_id,
        "preassigned_record": doc.record, "blank_pages": list(doc.blank_pages),
        "accepted_flags": sorted(f for f in ACCEPTABLE_FLAGS if doc.flags.get(f)), "reviewed": reviewed})


def _link_existing(ctx: AppContext, batch_id: int, number: int, record: ResultRecord, officer: Officer, *,
                   reviewed: bool) -> ResultRecord:
    outcome = batch_outcome(ctx, batch_id)
    doc = _document_of(outcome, number)
    try:
        with ctx.session(write=True) as session:
            _link(session, outcome.batch, doc, record, officer, reviewed=reviewed)
    except _AlreadyRecorded as already:
        return warehouse.get_record(ctx, already.record_id)
    return record


def _set_aside_error(batch_id: int, number: int, reason: str) -> ValidationError:
    return ValidationError(f"document {number} of batch {batch_id} is set aside ({reason})",
                           f"Tài liệu {number + 1} đang để riêng ({reason}): hãy đưa trở lại "
                           "trước khi nhập vào kho.", field="document")


# --------------------------------------------------------------------------- signing the box


@dataclass(frozen=True)
class RecordedDocument:
    """A recorded document of a batch, with whether its record's PDF carries a valid signature."""

    number: int  # 0-based
    record_id: str
    signed: bool
    error: str = ""  # why the signature could not be checked (Vietnamese)


def batch_signatures(ctx: AppContext, batch_id: int) -> list[RecordedDocument]:
    """The batch's recorded documents in order, each record's PDF verified now (cached by SHA-256)."""
    with ctx.session() as session:
        docs = [d for d in BatchRepository(session).documents(batch_id) if d.warehouse_record]
        records = {d.number: WarehouseRepository(session).find(d.warehouse_record or "") for d in docs}
    out: list[RecordedDocument] = []
    for doc in docs:
        record = records[doc.number]
        if record is None:
            out.append(RecordedDocument(doc.number, doc.warehouse_record or "", False,
                                        "Không tìm thấy giấy tờ trong kho dữ liệu."))
            continue
        view = warehouse_signing.record_signature(ctx, record)
        out.append(RecordedDocument(doc.number, record.record_id, view.validly_signed, view.error))
    return out


def batch_record_ids(ctx: AppContext, batch_id: int, *, unsigned_only: bool = False) -> list[str]:
    """The record ids of the batch's recorded documents, in order; ``unsigned_only``: those whose PDF
    has no valid signature yet (what "Ký số cả lô" signs)."""
    if unsigned_only:
        return [d.record_id for d in batch_signatures(ctx, batch_id) if not d.signed]
    with ctx.session() as session:
        docs = BatchRepository(session).documents(batch_id)
    return [d.warehouse_record for d in docs if d.warehouse_record]


def _page_count(pdf: bytes) -> int:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(pdf)) as opened:
            return len(opened.pages)
    except (pikepdf.PdfError, ValueError) as exc:
        raise ValidationError(f"the document's PDF cannot be read: {exc}",
                              "Không đọc được tệp PDF của tài liệu: hãy quét lại tài liệu.",
                              field="pages") from exc
