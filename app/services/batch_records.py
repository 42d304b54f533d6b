"""Batch documents into warehouse records: the clerk types each document's metadata.

A batch (:mod:`app.services.batch`) cuts a stack into documents, each a PDF in the blob store. The
clerk then goes through them in the batch screen and types what each one is (type, số, ký hiệu,
dates, owner, ...); :func:`record_document` makes it a record of the e-data warehouse
(:func:`app.services.warehouse.add_result`) **with the document's own PDF** and links the record to
the batch document (``batch_documents.warehouse_record``) in the same transaction.

Quality gates, checked before anything is written (Vietnamese :class:`ValidationError`\\ s):

* the batch's page count is reconciled (delivered = stored + separators + failed) and the PDF has
  exactly the document's stored pages;
* no page of the document is unreadable (such a page is not in the PDF: scan it again);
* blank pages have been looked at (``blank_pages_reviewed``);
* pages flagged too dark, too light, cut off, not processed, or duplicating another page of the
  batch have been looked at and accepted (``flags_accepted``);
* the document is not in the warehouse already (same owner + type + number, or the same PDF):
  :class:`~app.services.warehouse.DuplicateRecordError`.

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
to :func:`app.services.warehouse_signing.sign_records` (one PIN for the whole box).
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.errors import NotFoundError, ValidationError
from app.core.warehouse import ResultMetadata, ResultRecord, SourceKind
from app.services import warehouse, warehouse_signing
from app.services.auth import Officer, Permission, require
from app.services.batch import (
    SPOOL_FOLDER,
    BatchDocument,
    BatchOutcome,
    batch_outcome,
    page_image,
    page_image_path,
)
from app.services.context import AppContext
from app.store.repositories import (
    AuditRepository,
    BatchPageRecord,
    BatchRecord,
    BatchRepository,
    WarehouseRepository,
)
from app.store.repositories.batches import BATCH_CANCELLED, BATCH_OPEN

logger = logging.getLogger(__name__)

AUDIT_BATCH_RECORD = "batch_record"
AUDIT_BATCH_SET_ASIDE = "batch_set_aside"
AUDIT_BATCH_RESTORE = "batch_restore"
#: The usual reasons to set a document aside (the screen offers them, plus the clerk's own words).
SET_ASIDE_REASONS = ("Trang không đọc được — cần quét lại", "Không phải kết quả giải quyết TTHC",
                     "Giấy tờ hết hiệu lực, không cần số hoá")
MAX_REASON = 500
#: Flags that a look by the clerk can accept (the page is in the PDF and may well be legible).
ACCEPTABLE_FLAGS = ("pipeline_failed", "too_dark", "too_light", "cut_off", "duplicate", "near_duplicate")
FLAG_NAMES_VI = {"blank": "trang trắng", "unreadable": "không đọc được", "pipeline_failed": "lỗi xử lý ảnh",
                 "too_dark": "quá tối", "too_light": "quá nhạt", "cut_off": "mất mép",
                 "duplicate": "trùng trang", "near_duplicate": "gần trùng trang khác"}
_FROM_PDF = "from-pdf-"  # page images taken out of a PDF were once cached on disk under this name


@dataclass(frozen=True, eq=False)
class PageImage:
    """A page image to preview: its name, and its bytes (JPEG, TIFF, PNG) when asked for, decrypted
    in memory (the spool's files are sealed; nothing is written out in clear)."""

    name: str
    load: Callable[[], bytes] = field(repr=False)

    def read(self) -> bytes:
        return self.load()


@dataclass(frozen=True)
class DocumentPage:
    """One stored page of a batch document, as the clerk previews it."""

    seq: int
    name: str  # the input page's name (``p005.png``, ``scan.pdf#2``)
    image: PageImage  # its image (the spool's, or taken out of the document's PDF)
    flags: tuple[str, ...]
    blank: bool


@dataclass(frozen=True)
class OpenDocument:
    """A closed batch document as the clerk records it: its stored pages with their images, what its
    separator said, and whether it is recorded already."""

    batch_id: int
    number: int  # 0-based
    result_code: str | None  # the separator's type
    preassigned_record: str | None  # the separator's ``rec=``
    warehouse_record: str | None
    pages: tuple[DocumentPage, ...]
    unreadable: tuple[str, ...] = ()  # names of pages that could not be read (not in the PDF)
    set_aside_reason: str | None = None  # why the clerk set it aside (None: it waits to be recorded)

    @property
    def images(self) -> list[PageImage]:
        return [p.image for p in self.pages]

    @property
    def blank_pages(self) -> list[str]:
        return [p.name for p in self.pages if p.blank]

    @property
    def flagged(self) -> dict[str, list[str]]:
        """Pages per flag that the clerk must accept (blank pages are not in it)."""
        out: dict[str, list[str]] = {}
        for page in self.pages:
            for flag in page.flags:
                if flag in ACCEPTABLE_FLAGS:
                    out.setdefault(flag, []).append(page.name)
        return out

    @property
    def needs_review(self) -> bool:
        return bool(self.blank_pages or self.flagged)

    def review_vi(self) -> str:
        """What to look at before saving (empty when nothing): ``trang trắng: p006.png; quá tối: …``."""
        parts = [f"trang trắng: {_names(self.blank_pages)}"] if self.blank_pages else []
        parts += [f"{FLAG_NAMES_VI[f]}: {_names(names)}" for f, names in self.flagged.items()]
        if self.unreadable:
            parts.append(f"không đọc được: {_names(list(self.unreadable))}")
        return "; ".join(parts)


@dataclass(frozen=True)
class DocumentsDone:
    """How many of a batch's closed documents are warehouse records, and how many are set aside."""

    recorded: int
    total: int
    set_aside: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.recorded - self.set_aside

    @classmethod
    def of(cls, outcome: BatchOutcome) -> DocumentsDone:
        closed = [d for d in outcome.documents if d.closed and d.sha256 is not None]
        return cls(sum(1 for d in closed if d.recorded), len(closed),
                   sum(1 for d in closed if d.set_aside and not d.recorded))

    def label_vi(self) -> str:
        """"3/5 giấy tờ đã nhập", with ", 1 để riêng" when documents are set aside."""
        text = f"{self.recorded}/{self.total} giấy tờ đã nhập"
        return text + (f", {self.set_aside} để riêng" if self.set_aside else "")


@dataclass(frozen=True)
class BatchToFinish:
    """A batch with work left: pages still to scan (``open``) or documents still to record."""

    batch: BatchRecord
    done: DocumentsDone

    def label_vi(self) -> str:
        b = self.batch
        what = "chưa quét xong" if b.state == BATCH_OPEN else self.done.label_vi()
        return f"Lô {b.id} — {b.source} — bắt đầu {b.created_at:%d/%m/%Y %H:%M} — {what}"


class _AlreadyRecorded(Exception):  # noqa: N818 - internal signal, not an error
    def __init__(self, record_id: str) -> None:
        super().__init__(record_id)
        self.record_id = record_id


# --------------------------------------------------------------------------- reading


def source_ref(batch: BatchRecord, number: int) -> str:
    """The warehouse ``source_ref`` of document ``number`` (0-based): ``<batch name>#<n + 1>``."""
    return f"{batch.name}#{number + 1}"


def _document_of(outcome: BatchOutcome, number: int) -> BatchDocument:
    doc = next((d for d in outcome.documents if d.number == number), None)
    if doc is None:
        raise NotFoundError(f"batch {outcome.batch.id} has no document {number}",
                            f"Lô số hóa {outcome.batch.id} không có tài liệu số {number + 1}.")
    return doc


def _closed(outcome: BatchOutcome, doc: BatchDocument) -> None:
    if not doc.closed or doc.sha256 is None:
        raise ValidationError(f"document {doc.number} of batch {outcome.batch.id} is not closed yet",
                              f"Tài liệu {doc.number + 1} chưa quét xong (chưa gặp tờ tách sau nó): "
                              "hãy chờ lô quét tiếp.", field="document")


def open_document(ctx: AppContext, batch_id: int, number: int) -> OpenDocument:
    """Closed document ``number`` (0-based) of the batch with its pages' images (see
    :func:`document_pages`)."""
    with ctx.session() as session:
        repo = BatchRepository(session)
        stored = repo.document(batch_id, number)
        by_seq = {p.seq: p for p in repo.pages(batch_id)}
    unreadable = tuple(by_seq[s].name for s in stored.pages if s in by_seq and by_seq[s].sha256 is None)
    return OpenDocument(batch_id, number, stored.result_code, stored.record, stored.warehouse_record,
                        tuple(document_pages(ctx, batch_id, number)), unreadable, stored.set_aside_reason)


def document_pages(ctx: AppContext, batch_id: int, number: int) -> list[DocumentPage]:
    """The stored pages of closed document ``number`` (0-based) of the batch, in order, each with an
    image: the spool's page image (sealed: decrypted in memory when read), or, when it is gone or no
    longer matches its SHA-256 (the spool was cleaned, the machine lost it), the page taken out of
    the document's PDF in the blob store (kept in memory). Unreadable pages are not stored and not
    listed."""
    with ctx.session() as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        pages = {p.seq: p for p in repo.pages(batch_id)}
        stored = repo.document(batch_id, number)
    if stored.sha256 is None:
        raise ValidationError(f"document {number} of batch {batch_id} has no PDF",
                              f"Tài liệu {number + 1} không có trang nào đọc được.", field="document")
    kept = [pages[s] for s in stored.pages if s in pages and pages[s].sha256 is not None]
    _forget_extracted(ctx, batch)
    extracted: list[PageImage] | None = None
    out: list[DocumentPage] = []
    for index, page in enumerate(kept):
        name = page_image_path(ctx, batch, page).name
        image = PageImage(name, functools.partial(_stored, ctx, batch, page))
        if page_image(ctx, batch, page) is None:
            if extracted is None:
                logger.warning("batch %s document %d: page images missing from the spool, using its PDF",
                               batch.name, number)
                extracted = _pdf_images(ctx, batch, stored.sha256)
            if index >= len(extracted):
                raise ValidationError(f"the PDF of document {number} has {len(extracted)} pages, "
                                      f"{len(kept)} expected",
                                      f"Tệp PDF của tài liệu {number + 1} thiếu trang: "
                                      "hãy quét lại tài liệu.", field="document")
            image = extracted[index]
        out.append(DocumentPage(page.seq, page.name, image, tuple(page.flags), page.blank))
    return out


def document_page_images(ctx: AppContext, batch_id: int, number: int) -> list[PageImage]:
    """The page images of :func:`document_pages` (what the metadata form previews)."""
    return [p.image for p in document_pages(ctx, batch_id, number)]


def _stored(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord) -> bytes:
    data = page_image(ctx, batch, page)
    if data is None:
        raise NotFoundError(f"the stored image of page {page.name} of batch {batch.name} is gone",
                            f"Không còn ảnh của trang {page.name}: hãy mở lại tài liệu.")
    return data


def _forget_extracted(ctx: AppContext, batch: BatchRecord) -> None:
    """Remove the page images an older version took out of the PDFs into plain files."""
    folder = ctx.data_dir / SPOOL_FOLDER / batch.name
    if folder.is_dir():
        for old in folder.glob(f"{_FROM_PDF}*"):
            shutil.rmtree(old, ignore_errors=True)


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _pdf_images(ctx: AppContext, batch: BatchRecord, pdf_sha256: str) -> list[PageImage]:
    """The page images of a document's PDF (as embedded: JPEG, or CCITT as TIFF), taken out in
    memory (never written to disk: they are personal)."""
    import pikepdf
    from pikepdf import PdfImage

    data = ctx.db.blobs.read_bytes(pdf_sha256)  # verified (and decrypted when sealed)
    out: list[PageImage] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for index, page in enumerate(pdf.pages):
            found = page.get_images() if hasattr(page, "get_images") else page.images  # pikepdf >= 10.1
            images = list(found.values())
            if not images:
                break
            buffer = io.BytesIO()
            suffix = PdfImage(images[0]).extract_to(stream=buffer)
            out.append(PageImage(f"{index:04d}{suffix}", _constant(buffer.getvalue())))
    return out


def batch_documents_done(ctx: AppContext, batch_id: int) -> DocumentsDone:
    """Recorded (and set aside) vs closed documents of the batch (the progress line's "x/y giấy tờ đã
    nhập, z để riêng")."""
    return DocumentsDone.of(batch_outcome(ctx, batch_id))


def first_unrecorded(outcome: BatchOutcome, after: int | None = None) -> int | None:
    """The number of the first closed document neither recorded nor set aside after ``after``
    (wrapping round to the start; from the start when ``after`` is None); None when every closed
    document is handled."""
    todo = [d.number for d in outcome.documents if d.closed and d.sha256 is not None and not d.handled]
    if not todo:
        return None
    if after is not None:
        later = [n for n in todo if n > after]
        if later:
            return later[0]
    return todo[0]


def batches_to_finish(ctx: AppContext) -> list[BatchToFinish]:
    """Open batches, and finished ones with documents neither recorded nor set aside (oldest first)."""
    with ctx.session() as session:
        repo = BatchRepository(session)
        ids = set(repo.with_unrecorded_documents())
        batches = [b for b in repo.list()
                   if b.state != BATCH_CANCELLED and (b.state == BATCH_OPEN or b.id in ids)]
        out = []
        for b in batches:
            docs = [d for d in repo.documents(b.id) if d.sha256 is not None]
            recorded = sum(1 for d in docs if d.warehouse_record)
            aside = sum(1 for d in docs if d.set_aside_reason is not None and not d.warehouse_record)
            out.append(BatchToFinish(b, DocumentsDone(recorded, len(docs), aside)))
    return out


# --------------------------------------------------------------------------- the gates


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} trang khác" if len(names) > limit else "")


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


# --------------------------------------------------------------------------- setting aside


def set_aside_document(ctx: AppContext, batch_id: int, number: int, officer: Officer,
                       reason: str) -> BatchDocument:
    """Set closed document ``number`` (0-based) of the batch aside with ``reason`` (required): it will
    not be recorded and no longer keeps the batch in "Lô chưa xong". Refused on a recorded document.
    Setting it aside again changes the reason. Returns the document as it now is."""
    require(officer, Permission.DIGITISE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("a reason is required to set a document aside",
                              "Hãy ghi lý do để riêng tài liệu.", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"the reason is longer than {MAX_REASON} characters",
                              f"Lý do để riêng quá dài (tối đa {MAX_REASON} ký tự).", field="reason")
    with ctx.session(write=True) as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        current = repo.document(batch_id, number, for_update=True)
        if current.warehouse_record is not None:
            raise ValidationError(
                f"document {number} of batch {batch_id} is recorded as {current.warehouse_record}",
                f"Tài liệu {number + 1} đã được nhập vào kho ({current.warehouse_record}): không thể để "
                "riêng.", field="document")
        repo.set_aside(batch_id, number, reason, by=officer.username)
        AuditRepository(session).append(officer.username, AUDIT_BATCH_SET_ASIDE, details={
            "batch": batch.name, "document": number + 1, "reason": reason,
            "previous_reason": current.set_aside_reason})
    logger.info("batch %s document %d set aside: %s", batch.name, number, reason)
    return _document_of(batch_outcome(ctx, batch_id), number)


def restore_document(ctx: AppContext, batch_id: int, number: int, officer: Officer) -> BatchDocument:
    """Undo :func:`set_aside_document`: document ``number`` waits to be recorded again (nothing is
    done for a document not set aside). Returns the document as it now is."""
    require(officer, Permission.DIGITISE)
    with ctx.session(write=True) as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        current = repo.document(batch_id, number, for_update=True)
        if current.set_aside_reason is not None:
            repo.set_aside(batch_id, number, None)
            AuditRepository(session).append(officer.username, AUDIT_BATCH_RESTORE, details={
                "batch": batch.name, "document": number + 1, "reason": current.set_aside_reason})
            logger.info("batch %s document %d restored", batch.name, number)
    return _document_of(batch_outcome(ctx, batch_id), number)


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


__all__ = [
    "ACCEPTABLE_FLAGS",
    "FLAG_NAMES_VI",
    "SET_ASIDE_REASONS",
    "BatchToFinish",
    "DocumentPage",
    "DocumentsDone",
    "OpenDocument",
    "PageImage",
    "RecordedDocument",
    "batch_documents_done",
    "batch_record_ids",
    "batch_signatures",
    "batches_to_finish",
    "check_gates",
    "document_page_images",
    "document_pages",
    "first_unrecorded",
    "needs_review",
    "open_document",
    "record_document",
    "restore_document",
    "set_aside_document",
    "source_ref",
]
