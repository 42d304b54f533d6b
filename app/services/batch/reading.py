"""Reading a batch's documents for the clerk: their pages and page images, which are done, which batches
still have work."""

from __future__ import annotations

import functools
import io
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.errors import NotFoundError, ValidationError
from app.services.batch.lifecycle import batch_outcome
from app.services.batch.outcome import BatchDocument, BatchOutcome
from app.services.batch.page_images import SPOOL_FOLDER, page_image, page_image_path
from app.services.context import AppContext
from app.store.repositories import (
    BatchPageRecord,
    BatchRecord,
    BatchRepository,
)
from app.store.repositories.batches import BATCH_CANCELLED, BATCH_OPEN

logger = logging.getLogger(__name__)


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


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} trang khác" if len(names) > limit else "")
