"""Batch archive digitising: a stack of pages split into documents at separator sheets.

A batch is a unit of work that survives a crash, a kill or a closed laptop:

* :func:`start_batch` records the batch (source URI, scan profile, officer) and its spool folder
  ``<data_dir>/batch-spool/<name>/``.
* :func:`run_batch` takes the source's pages in order. Each page goes through the page pipeline plus
  the batch checks (:mod:`app.scanning.separators`: separator QR / Patch T, quality, perceptual
  hash). A separator page is recorded but not stored; any other page's image is written durably to
  the spool folder (``<seq>.page.jpg|tif``) and recorded in ``batch_pages`` with its SHA-256, flags
  and duplicate links. Rows are committed in groups (every 0.5 s or 32 pages). When a separator
  arrives, or the source ends, the document before it is closed: its PDF (PDF/A-2b) goes into the
  blob store and a ``batch_documents`` row is added, in the same transaction as its last pages.
* After a crash, :func:`run_batch` on the same batch (or :func:`resume_batches`) goes on where the
  last commit left it: a ``folder:``/``file:`` source skips the input pages already recorded
  (``(origin, page)`` is unique per batch), so no page is taken twice and none is lost; a scanner's
  spool files that were written but not yet recorded are recorded first, in their order, and the
  scanner is not restarted (the rest of the stack is scanned as a new batch).
* :func:`cancel_batch` abandons a batch (a running :func:`run_batch` stops at its next commit);
  a :class:`CancelToken` only pauses a run, which can be resumed.

Splitting rules: pages before the first separator form the first document (separator ``None``);
separator pages are not stored; consecutive separators do not make empty documents (the last one
before the pages gives the document its payload); a separator at the very end starts nothing.
Blank pages are kept and flagged, never dropped. Every delivered page is accounted for as stored,
separator or failed (:class:`Accounting`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.clock import vn_now
from app.core.errors import MotCuaError, ValidationError
from app.core.progress import CancelledError, CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.core.sealing import Sealer, spool_name
from app.core.separator import PATCH_T, parse_separator
from app.scanning.encode import EncodedPage, encode_page
from app.scanning.errors import ScanError
from app.scanning.loading import count_pages, load_page
from app.scanning.pdf import PdfMetadata, build_pdf
from app.scanning.pipeline import PageFailure, PageResult, process_page
from app.scanning.profile import ColorMode, ScanProfile, get_profile
from app.scanning.separators import (
    BATCH_STEPS,
    NEAR_DUPLICATE_BITS,
    HashIndex,
    checks_of,
    separator_payload,
)
from app.scanning.source_uri import SourceSpec, folder_files, open_source, parse_source_uri
from app.scanning.sources import SourcePage
from app.scanning.spool import SpoolBatch
from app.services.auth import SYSTEM_OFFICER, Officer, Permission, require
from app.services.context import AppContext
from app.store.paths import BATCH_SPOOL_DIR_NAME
from app.store.repositories import (
    BatchDocumentRecord,
    BatchPageRecord,
    BatchRecord,
    BatchRepository,
    BlobRepository,
)
from app.store.repositories.batches import BATCH_CANCELLED, BATCH_DONE, BATCH_OPEN

logger = logging.getLogger(__name__)

SPOOL_FOLDER = BATCH_SPOOL_DIR_NAME  # "batch-spool"
DEFAULT_PROFILE_SMALL = ScanProfile(name="thumbnail", dpi=50)
PDF_MEDIA_TYPE = "application/pdf"
COMMIT_SECONDS = 0.5
COMMIT_PAGES = 32
_FILE_SCHEMES = ("folder", "file")
_LOCK = ".lock"

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


# --------------------------------------------------------------------------- batches


def _spool_root(ctx: AppContext) -> Path:
    return ctx.data_dir / SPOOL_FOLDER


def _spool(ctx: AppContext, batch: BatchRecord) -> SpoolBatch:
    """The batch's spool folder, its files sealed with the data folder's key."""
    return SpoolBatch(_spool_root(ctx) / batch.name, ctx.db.spool_sealer())


def _read_sealed(path: Path, sealer: Sealer) -> bytes:
    """A file of a batch's spool folder, decrypted in memory."""
    return sealer.open(path.read_bytes(), spool_name(path))


def _arrived(folder: Path, sealer: Sealer, page: BatchPageRecord) -> tuple[Path | bytes, str]:
    """The page as it arrived, to load it again: a file of the batch's spool ``folder`` (a
    scanner's page, decrypted in memory; found by name, so a moved data folder does not matter),
    or the input file where it is."""
    where = Path(page.spool_file or page.origin)
    if page.spool_file and where.parent.name == folder.name and where.parent.parent.name == SPOOL_FOLDER:
        return _read_sealed(folder / where.name, sealer), where.name
    return where, where.name


def start_batch(ctx: AppContext, source: str, profile: str = "default", *,
                officer: Officer = SYSTEM_OFFICER) -> BatchRecord:
    """Record a new batch of ``source`` (a URI, see :mod:`app.scanning.source_uri`)."""
    require(officer, Permission.DIGITISE)
    spec = parse_source_uri(source)
    get_profile(profile)
    if spec.scheme == "folder":
        folder_files(Path(spec.target))  # a missing or empty folder is an error now, not later
    elif spec.scheme == "file" and not Path(spec.target).is_file():
        raise BatchError(f"file not found: {spec.target}", f"Không tìm thấy tệp {spec.target}.")
    name = f"{vn_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    with ctx.session(write=True) as session:
        record = BatchRepository(session).create(name, spec.uri, profile, officer.username)
    _spool(ctx, record)
    return record


def get_batch(ctx: AppContext, batch_id: int) -> BatchRecord:
    with ctx.session() as session:
        return BatchRepository(session).get(batch_id)


def unfinished_batches(ctx: AppContext, source: str | None = None) -> list[BatchRecord]:
    with ctx.session() as session:
        return BatchRepository(session).list(state=BATCH_OPEN, source=source)


def cancel_batch(ctx: AppContext, batch_id: int, *, officer: Officer = SYSTEM_OFFICER) -> BatchRecord:
    """Abandon a batch: it will not be resumed; a run in progress stops at its next commit."""
    require(officer, Permission.DIGITISE)
    with ctx.session(write=True) as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        if batch.state == BATCH_DONE:
            raise BatchError(f"batch {batch_id} is already finished",
                             f"Lô số hóa {batch_id} đã hoàn tất, không thể hủy.")
        return repo.update(batch_id, state=BATCH_CANCELLED, finished_at=vn_now())


def batch_progress(ctx: AppContext, batch_id: int) -> BatchProgress:
    with ctx.session() as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        return BatchProgress(batch.id, batch.state, repo.page_count(batch_id), len(repo.documents(batch_id)),
                             batch.active_seconds)


def batch_pages(ctx: AppContext, batch_id: int) -> list[BatchPageRecord]:
    """Every recorded page of the batch, in arrival order."""
    with ctx.session() as session:
        return BatchRepository(session).pages(batch_id)


def batch_outcome(ctx: AppContext, batch_id: int) -> BatchOutcome:
    """The batch as recorded: its documents (closed ones and the open one), accounting, progress."""
    with ctx.session() as session:
        repo = BatchRepository(session)
        batch = repo.get(batch_id)
        pages = repo.pages(batch_id)
        stored = repo.documents(batch_id)
    return _outcome(batch, pages, stored)


def _outcome(batch: BatchRecord, pages: list[BatchPageRecord],
             stored: list[BatchDocumentRecord]) -> BatchOutcome:
    docs = split_pages(pages, source_done=batch.source_done)
    closed = _closed_count(pages, docs, batch.source_done)
    by_seq = {p.seq: p for p in pages}
    by_number = {d.number: d for d in stored}
    documents = tuple(_document(i, d, by_seq, by_number.get(i), i < closed) for i, d in enumerate(docs))
    progress = BatchProgress(batch.id, batch.state, len(pages), len(stored), batch.active_seconds)
    failures = tuple(p for p in pages if p.state == STATE_FAILED)
    return BatchOutcome(batch, documents, accounting_of(pages, documents), progress, failures)


# --------------------------------------------------------------------------- the lock


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time works on a batch; a lock left by a dead process is taken over."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / _LOCK
    for _attempt in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="ascii").strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and pid != os.getpid() and _alive(pid):
                raise BatchError(f"batch {folder.name} is being processed by process {pid}",
                                 f"Lô số hóa {folder.name} đang được xử lý ở tiến trình khác ({pid}).",
                                 ) from None
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
        break
    else:  # pragma: no cover - lost the race three times
        raise BatchError(f"cannot lock batch {folder.name}", f"Không khóa được lô số hóa {folder.name}.")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- running


_ENC = re.compile(r"^\d{6}\.page\.(jpg|tif)$")


@dataclass
class _Item:
    """A page as the batch takes it: pixels (or a failure), where it came from, how to name it."""

    origin: str
    index: int
    name: str
    spool_file: str
    page: SourcePage | None
    failure: PageFailure | None = None


def _file_items(paths: Sequence[Path], profile: ScanProfile, recorded: set[tuple[str, int]],
                cancel: CancelToken) -> Iterator[_Item]:
    """Pages of files (already on disk, read in place) that are not recorded yet."""
    for path in paths:
        cancel.raise_if_cancelled()
        origin = str(path)
        if (origin, 0) in recorded and path.suffix.lower() not in (".pdf", ".tif", ".tiff"):
            continue  # a single-page image already taken: not even opened again
        try:
            count = count_pages(path, profile)
        except MotCuaError as exc:
            if (origin, 0) not in recorded:
                yield _Item(origin, 0, path.name, origin, None,
                            PageFailure(origin, 0, exc.message_en, exc.message_vi, "open"))
            continue
        if count == 0 and (origin, 0) not in recorded:
            yield _Item(origin, 0, path.name, origin, None,
                        PageFailure(origin, 0, "file has no pages", "tệp không có trang nào", "open"))
        for index in range(count):
            if (origin, index) in recorded:
                continue
            name = path.name if count == 1 else f"{path.name}#{index + 1}"
            try:
                loaded = load_page(path, index, profile)
            except MotCuaError as exc:
                yield _Item(origin, index, name, origin, None,
                            PageFailure(origin, index, exc.message_en, exc.message_vi, "load"))
                continue
            yield _Item(origin, index, name, origin, SourcePage(loaded.image, loaded.dpi, origin, index, path,
                                                                loaded.jpeg))


def _spooled_items(spool: SpoolBatch, profile: ScanProfile, recorded_files: set[str]) -> Iterator[_Item]:
    """Scanner pages in the spool folder that were written but not recorded (a crash between)."""
    for path in spool.pages():
        if _ENC.match(path.name) or str(path) in recorded_files:
            continue
        try:
            loaded = load_page(spool.read(path), 0, profile, name=path.name)
        except OSError as exc:
            yield _Item(str(path), 0, path.name, str(path), None,
                        PageFailure(str(path), 0, str(exc), f"không đọc được tệp {path.name}", "load"))
            continue
        except MotCuaError as exc:
            yield _Item(str(path), 0, path.name, str(path), None,
                        PageFailure(str(path), 0, exc.message_en, exc.message_vi, "load"))
            continue
        yield _Item(str(path), 0, path.name, str(path),
                    SourcePage(loaded.image, loaded.dpi, str(path), 0, path, loaded.jpeg))


def _device_items(spec: SourceSpec, profile: ScanProfile, spool: SpoolBatch, cancel: CancelToken,
                  progress: ProgressCallback) -> Iterator[_Item]:
    source = open_source(spec, profile=profile, spool=spool)
    for item in source.pages(cancel, progress):
        if isinstance(item, PageFailure):
            yield _Item(item.source, item.index, Path(item.source).name, "", None, item)
            continue
        where = str(item.spool_path) if item.spool_path is not None else f"{item.origin}#{item.index}"
        yield _Item(where, 0, Path(where).name, where, item)


class _Run:
    """One run of a batch: takes pages, records them in groups, closes documents."""

    def __init__(self, ctx: AppContext, batch: BatchRecord, officer: Officer, profile: ScanProfile,
                 spool: SpoolBatch, cancel: CancelToken, progress: ProgressCallback,
                 on_page: Callable[[BatchPageRecord], None] | None) -> None:
        self.ctx, self.batch, self.officer, self.profile = ctx, batch, officer, profile
        self.spool, self.cancel, self.progress, self.on_page = spool, cancel, progress, on_page
        with ctx.session() as session:
            repo = BatchRepository(session)
            self.pages = repo.pages(batch.id)
            self.stored_docs = repo.documents(batch.id)
        self.pending_pages: list[BatchPageRecord] = []
        self.hashes = HashIndex()
        self.exact: dict[str, int] = {}
        for page in self.pages:
            self._remember(page)
        self.last_commit = time.perf_counter()
        self.stopped_by_cancel = False

    # -- pages
    def _remember(self, page: BatchPageRecord) -> None:
        if page.kind != KIND_PAGE or page.sha256 is None or page.blank:
            return
        self.exact.setdefault(page.sha256, page.seq)
        if page.phash:
            self.hashes.add(page.seq, page.phash)

    @property
    def next_seq(self) -> int:
        return len(self.pages) + len(self.pending_pages)

    def take(self, item: _Item) -> BatchPageRecord:
        seq = self.next_seq
        if item.page is None:
            failure = item.failure
            record = BatchPageRecord(seq, item.origin, item.index, item.name, item.spool_file, STATE_FAILED,
                                     KIND_PAGE, flags=("unreadable",),
                                     error=failure.error if failure else "unreadable")
        else:
            record = self._process(seq, item)
        self.pending_pages.append(record)
        self._remember(record)
        if self.on_page is not None:
            self.on_page(record)
        return record

    def _process(self, seq: int, item: _Item) -> BatchPageRecord:
        page = item.page
        assert page is not None
        result = process_page(page.image, self.profile, dpi=page.dpi, source=item.origin, index=item.index,
                              jpeg=page.jpeg, steps=BATCH_STEPS)
        flags: list[str] = []
        if isinstance(result, PageFailure):
            logger.warning("pipeline failed on %s page %d (%s): storing it as it arrived",
                           item.origin, item.index, result.error)
            color = ColorMode.COLOR if page.image.ndim == 3 else ColorMode.GRAY
            dpi = float(page.dpi or self.profile.dpi)
            encoded = encode_page(page.image, color, dpi, self.profile.jpeg_quality)
            result = PageResult(item.origin, item.index, 0.0, False, (), None, color, encoded)
            flags.append("pipeline_failed")
        checks = checks_of(result)
        separator = separator_payload(result.barcodes, checks.patch_t)
        base = BatchPageRecord(seq, item.origin, item.index, item.name, item.spool_file, STATE_PROCESSED,
                               KIND_PAGE, phash=checks.phash, dpi=result.encoded.dpi)
        if separator is not None:
            return replace(base, kind=KIND_SEPARATOR, separator=separator, phash=None)
        data = result.encoded.data
        sha = hashlib.sha256(data).hexdigest()
        self.spool.write(_enc_name(seq, result.encoded), data)  # sealed, atomic, fsynced
        if result.blank:
            flags.append("blank")
        flags.extend(checks.flags)
        duplicate_of = None
        if not result.blank:
            if sha in self.exact:
                duplicate_of = self.exact[sha]
                flags.append("duplicate")
            elif checks.phash:
                near = self.hashes.nearest(checks.phash)
                if near is not None and near[1] <= NEAR_DUPLICATE_BITS:
                    duplicate_of = near[0]
                    flags.append("near_duplicate")
        return replace(base, sha256=sha, media_type=result.encoded.media_type, bytes=len(data),
                       blank=result.blank, flags=tuple(flags), duplicate_of=duplicate_of)

    # -- commits
    def due(self) -> bool:
        return (len(self.pending_pages) >= COMMIT_PAGES
                or time.perf_counter() - self.last_commit >= COMMIT_SECONDS)

    def commit(self, *, source_done: bool = False, final_state: str | None = None) -> None:
        """Record the pending pages, close the documents they finish, add the time spent; all in
        one transaction (the documents' PDFs are in the blob store before it)."""
        pages = self.pages + self.pending_pages
        docs = split_pages(pages, source_done=source_done)
        closed = _closed_count(pages, docs, source_done)
        by_seq = {p.seq: p for p in pages}
        new_docs: list[BatchDocumentRecord] = []
        for number in range(len(self.stored_docs), closed):
            new_docs.append(self._close(number, docs[number], by_seq))
        now = time.perf_counter()
        with self.ctx.session(write=True) as session:
            repo = BatchRepository(session)
            state = repo.get(self.batch.id).state
            if state == BATCH_CANCELLED:
                raise BatchCancelledError(f"batch {self.batch.id} was cancelled",
                                          f"Lô số hóa {self.batch.id} đã bị hủy.")
            repo.add_pages(self.batch.id, self.pending_pages)
            blobs = BlobRepository(session)
            for doc in new_docs:
                if doc.sha256:
                    blobs.record(doc.sha256, doc.size, PDF_MEDIA_TYPE)
                repo.add_document(self.batch.id, doc)
            repo.add_seconds(self.batch.id, now - self.last_commit)
            values: dict[str, Any] = {}
            if source_done:
                values["source_done"] = True
            if final_state is not None:
                values["state"] = final_state
                values["finished_at"] = vn_now()
            if values:
                repo.update(self.batch.id, **values)
            self.batch = repo.get(self.batch.id)
        self.pages = pages
        self.pending_pages = []
        self.stored_docs = self.stored_docs + new_docs
        self.last_commit = now

    def _close(self, number: int, doc: _Doc, by_seq: dict[int, BatchPageRecord]) -> BatchDocumentRecord:
        encoded = [self._encoded(by_seq[s]) for s in doc.seqs if by_seq[s].sha256 is not None]
        payload = parse_separator(doc.separator) if doc.separator else None
        flags: dict[str, list[int]] = {}
        for seq in doc.seqs:
            for flag in by_seq[seq].flags:
                flags.setdefault(flag, []).append(seq)
        sha, size = None, 0
        if encoded:
            kind = payload.result_code if payload and payload.result_code else None
            title = f"Tài liệu {number + 1} — {kind}" if kind else f"Tài liệu {number + 1}"
            meta = PdfMetadata(title, component=kind or "", officer=self.officer.full_name)
            data, _pdfa = build_pdf(encoded, meta)
            sha, size = self.ctx.db.blobs.put_bytes(data), len(data)
        return BatchDocumentRecord(number, doc.separator, payload.result_code if payload else None,
                                   payload.record if payload else None, tuple(doc.seqs), flags, sha, size)

    def _encoded(self, page: BatchPageRecord) -> EncodedPage:
        try:
            data = self.spool.read(_enc_name(page.seq, page.media_type))
        except (OSError, MotCuaError):  # lost, or cannot be opened: made again below
            data = b""
        if hashlib.sha256(data).hexdigest() != page.sha256:
            data = self._redo(page)
        color = ColorMode.BW if page.media_type == "image/tiff" else ColorMode.COLOR
        return EncodedPage(data, page.media_type, color, 0, 0, page.dpi or float(self.profile.dpi))

    def _redo(self, page: BatchPageRecord) -> bytes:
        """A stored page image lost with the machine (not just the process): made again from the
        page as it arrived (the pipeline is deterministic)."""
        logger.warning("batch %s: page %d image missing, processing it again", self.batch.name, page.seq)
        source, name = _arrived(self.spool.path, self.spool.sealer, page)
        loaded = load_page(source, page.origin_index, self.profile, name=name)
        item = _Item(page.origin, page.origin_index, page.name, page.spool_file,
                     SourcePage(loaded.image, loaded.dpi, page.origin, page.origin_index, None, loaded.jpeg))
        redone = self._process(page.seq, item)
        if redone.sha256 != page.sha256:
            raise BatchError(f"page {page.name} changed since it was recorded",
                             f"Trang {page.name} đã thay đổi so với lúc quét; hãy quét lại lô.")
        return self.spool.read(_enc_name(page.seq, page.media_type))


def _enc_name(seq: int, what: EncodedPage | str) -> str:
    media = what.media_type if isinstance(what, EncodedPage) else what
    return f"{seq:06d}.page.{'tif' if media == 'image/tiff' else 'jpg'}"


def run_batch(ctx: AppContext, batch_id: int, *, officer: Officer = SYSTEM_OFFICER,
              cancel: CancelToken | None = None, progress: ProgressCallback = no_progress,
              on_page: Callable[[BatchPageRecord], None] | None = None) -> BatchOutcome:
    """Take the batch's pages (or the rest of them, after a crash) and split them into documents.
    Returns the outcome; a :class:`CancelToken` pauses (the batch stays open for a later run)."""
    require(officer, Permission.DIGITISE)
    cancel = cancel or CancelToken()
    batch = get_batch(ctx, batch_id)
    if batch.state == BATCH_CANCELLED:
        raise BatchError(f"batch {batch_id} was cancelled", f"Lô số hóa {batch_id} đã bị hủy.")
    if batch.state == BATCH_DONE:
        return batch_outcome(ctx, batch_id)
    spool = _spool(ctx, batch)
    profile = get_profile(batch.profile)
    spec = parse_source_uri(batch.source)
    profile = spec.profile(profile)
    with _locked(spool.path):
        run = _Run(ctx, batch, officer, profile, spool, cancel, progress, on_page)
        try:
            _drive(run, spec, profile, spool, cancel, progress)
        except CancelledError:
            run.commit()  # paused: keep what was done (raises if the batch was cancelled meanwhile)
    return batch_outcome(ctx, batch_id)


def _drive(run: _Run, spec: SourceSpec, profile: ScanProfile, spool: SpoolBatch, cancel: CancelToken,
           progress: ProgressCallback) -> None:
    recorded = {(p.origin, p.origin_index) for p in run.pages}
    if spec.scheme in _FILE_SCHEMES:
        paths = folder_files(Path(spec.target)) if spec.scheme == "folder" else [Path(spec.target)]
        items: Iterator[_Item] = _file_items(paths, profile, recorded, cancel)
        total: int | None = len(paths)
    else:
        spool.settle_adoptions()  # a hot-folder page half taken when the process died
        recorded_files = {p.spool_file for p in run.pages}
        leftovers = list(_spooled_items(spool, profile, recorded_files))
        if run.batch.source_done or run.pages or leftovers:  # interrupted: keep what was scanned
            items = iter(leftovers)
        else:
            items = _device_items(spec, profile, spool, cancel, progress)
        total = None
    done = len(run.pages)
    for item in items:
        cancel.raise_if_cancelled()
        run.take(item)
        done += 1
        progress(ProgressUpdate(done, total, f"Đã xử lý {done} trang"))
        if run.due():
            run.commit()
    cancel.raise_if_cancelled()
    run.commit(source_done=True, final_state=BATCH_DONE)


def scan_batch(ctx: AppContext, source: str, profile: str = "default", *, officer: Officer = SYSTEM_OFFICER,
               cancel: CancelToken | None = None, progress: ProgressCallback = no_progress,
               resume: bool = True) -> BatchOutcome:
    """``motcua batch``: resume the unfinished batch of the same source and profile if there is one
    (``resume``), else start a new one; run it to the end."""
    spec = parse_source_uri(source)
    batch = None
    if resume:
        batch = next((b for b in unfinished_batches(ctx, spec.uri) if b.profile == profile), None)
    if batch is None:
        batch = start_batch(ctx, source, profile, officer=officer)
    return run_batch(ctx, batch.id, officer=officer, cancel=cancel, progress=progress)


def resume_batches(ctx: AppContext, *, officer: Officer = SYSTEM_OFFICER,
                   progress: ProgressCallback = no_progress) -> list[BatchOutcome]:
    """Finish every batch a crash left open (oldest first)."""
    return [run_batch(ctx, b.id, officer=officer, progress=progress) for b in unfinished_batches(ctx)]


def page_image_path(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord) -> Path:
    """Where the stored image of ``page`` is kept in the spool, sealed (it may be gone: check it);
    read it with :func:`page_image`."""
    return _spool_root(ctx) / batch.name / _enc_name(page.seq, page.media_type)


def page_image(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord) -> bytes | None:
    """The stored image of ``page`` (JPEG or TIFF bytes), decrypted in memory and checked against
    its SHA-256; ``None`` when it is gone, cannot be opened or does not match."""
    if page.sha256 is None:
        return None
    try:
        data = _read_sealed(page_image_path(ctx, batch, page), ctx.db.spool_sealer())
    except (OSError, MotCuaError):
        return None
    return data if hashlib.sha256(data).hexdigest() == page.sha256 else None


def page_thumbnail(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord, width: int = 96) -> bytes:
    """A small PNG of a page for the batch screen: the stored image, or the page as it arrived
    (separators, unreadable pages give an empty result)."""
    import io

    from PIL import Image

    try:
        stored = page_image(ctx, batch, page)
        if stored is not None:
            with Image.open(io.BytesIO(stored)) as im:
                im.draft("L" if im.mode == "L" else "RGB", (width * 2, width * 3))
                picture = im.convert("RGB")
        elif page.state != STATE_FAILED:
            source, name = _arrived(_spool_root(ctx) / batch.name, ctx.db.spool_sealer(), page)
            loaded = load_page(source, page.origin_index, DEFAULT_PROFILE_SMALL, name=name)
            picture = Image.fromarray(loaded.image).convert("RGB")
        else:
            return b""
    except (OSError, MotCuaError, ValueError):
        return b""
    picture.thumbnail((width, round(width * 1.5)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def result_type_name(code: str) -> str | None:
    """The name of the result type ``code`` in the bundled catalogue (``None`` when unknown)."""
    from app.core.catalogue import load_catalogue

    for procedure in load_catalogue():
        for result in procedure.results:
            if result.code == code:
                return result.name
    return None


@dataclass(frozen=True)
class SeparatorSheets:
    pdf: bytes
    payload: str
    result_code: str | None
    type_name: str | None
    count: int


def separator_sheets(result_code: str | None = None, count: int = 1,
                     record: str | None = None) -> SeparatorSheets:
    """``count`` A4 separator sheets (optionally for one result type or record), as a PDF."""
    from app.core.separator import SeparatorPayload, format_separator
    from app.documents.separator import render_separator_pdf

    if not 1 <= count <= 1000:
        raise ValidationError(f"count must be 1-1000, got {count}", "Số tờ phải từ 1 đến 1000.",
                              field="count")
    code = validate_result_code(result_code) if result_code else None
    name = result_type_name(code) if code else None
    payload = format_separator(SeparatorPayload(code, record or None))
    pdf = render_separator_pdf(code, name or "", count, record or None)
    return SeparatorSheets(pdf, payload, code, name, count)


def validate_result_code(code: str) -> str:
    """A result code (MaKetQua) as printed on separators: letters, digits, ``.``, ``-``, ``_``."""
    text = (code or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}", text):
        raise ValidationError(f"invalid result code {code!r}", f"Mã kết quả “{code}” không hợp lệ.",
                              field="type")
    return text


__all__ = [
    "PATCH_T",
    "Accounting",
    "BatchCancelledError",
    "BatchDocument",
    "BatchError",
    "BatchOutcome",
    "BatchProgress",
    "accounting_of",
    "batch_outcome",
    "batch_pages",
    "batch_progress",
    "cancel_batch",
    "get_batch",
    "page_image",
    "page_image_path",
    "page_thumbnail",
    "resume_batches",
    "run_batch",
    "scan_batch",
    "separator_sheets",
    "split_pages",
    "start_batch",
    "unfinished_batches",
    "validate_result_code",
]
