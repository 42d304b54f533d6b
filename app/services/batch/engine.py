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

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.core.clock import vn_now
from app.core.errors import MotCuaError
from app.core.progress import CancelledError, CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.core.separator import parse_separator
from app.scanning.encode import EncodedPage, encode_page
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
from app.services.admin.auth import SYSTEM_OFFICER, Officer, Permission, require
from app.services.batch.lifecycle import _locked, batch_outcome, get_batch, start_batch, unfinished_batches
from app.services.batch.outcome import (
    KIND_PAGE,
    KIND_SEPARATOR,
    STATE_FAILED,
    STATE_PROCESSED,
    BatchCancelledError,
    BatchError,
    BatchOutcome,
    _closed_count,
    _Doc,
    split_pages,
)
from app.services.batch.page_images import arrived_page, batch_spool, spool_file_name
from app.services.context import AppContext
from app.store.repositories import (
    BatchDocumentRecord,
    BatchPageRecord,
    BatchRecord,
    BatchRepository,
    BlobRepository,
)
from app.store.repositories.batches import BATCH_CANCELLED, BATCH_DONE

logger = logging.getLogger(__name__)

PDF_MEDIA_TYPE = "application/pdf"
COMMIT_SECONDS = 0.5
COMMIT_PAGES = 32
_FILE_SCHEMES = ("folder", "file")


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
        self.spool.write(spool_file_name(seq, result.encoded), data)  # sealed, atomic, fsynced
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
            data = self.spool.read(spool_file_name(page.seq, page.media_type))
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
        source, name = arrived_page(self.spool.path, self.spool.sealer, page)
        loaded = load_page(source, page.origin_index, self.profile, name=name)
        item = _Item(page.origin, page.origin_index, page.name, page.spool_file,
                     SourcePage(loaded.image, loaded.dpi, page.origin, page.origin_index, None, loaded.jpeg))
        redone = self._process(page.seq, item)
        if redone.sha256 != page.sha256:
            raise BatchError(f"page {page.name} changed since it was recorded",
                             f"Trang {page.name} đã thay đổi so với lúc quét; hãy quét lại lô.")
        return self.spool.read(spool_file_name(page.seq, page.media_type))


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
    spool = batch_spool(ctx, batch)
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
