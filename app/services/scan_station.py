"""The scan station (Trạm quét): pages streamed from a source into a :class:`PageDeck`, then one PDF
per dossier component stored in the blob store and attached to the dossier.

* :func:`acquire` reads a source (image/PDF files, a folder, a scanner or camera URI of
  :mod:`app.scanning.source_uri`), runs every page through the pipeline and hands each one to
  ``on_page`` as soon as it is ready, with a small thumbnail; it stops between pages when the
  :class:`CancelToken` is set and never raises for one bad page (``on_failure``).
* :func:`build_pdfs` (CPU work, no database) turns the deck's save groups into PDFs, rotating the
  pages the officer turned; :func:`store_pdfs` (database work) attaches them; :func:`save_deck`
  does both.

Nothing here knows about Qt: the station window calls these on the UI's background runner.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from app.core.clock import vn_now, vn_now_aware
from app.core.dossier import Attachment, Dossier
from app.core.errors import MotCuaError, NotFoundError, ValidationError
from app.core.progress import CancelledError, CancelToken, ProgressCallback, no_progress
from app.scanning.encode import EncodedPage, encode_page, jpeg_quality
from app.scanning.pdf import PdfMetadata, build_pdf
from app.scanning.pipeline import PageFailure, PageResult, process_page
from app.scanning.profile import ColorMode, ScanProfile, get_profile
from app.scanning.source_uri import SpooledFileSource, open_source, parse_source_uri
from app.scanning.sources import PageSource
from app.scanning.spool import SpoolBatch
from app.services import scanning
from app.services.auth import Officer, Permission, require
from app.services.context import AppContext
from app.services.scan_deck import Document, PageDeck, SaveGroup, StationPage, new_page_id
from app.services.sync_outbox import enqueue_attachment
from app.store.repositories import AuditRepository, BlobRepository, DossierRepository

__all__ = [
    "AcquireSummary", "Document", "PageDeck", "PreparedPdf", "SaveGroup", "StationPage", "UnfinishedBatch",
    "acquire", "adopt_spool", "attach_pdf", "build_pdfs", "dossier_components", "finish_spool",
    "list_scanners", "mark_saved", "needs_spool", "new_spool_batch", "page_reader", "pdf_page_count",
    "save_deck", "store_pdfs", "unfinished_batches",
]

log = logging.getLogger(__name__)

THUMBNAIL_BOX = (200, 200)  # the thumbnail fits in this box (pixels), keeping the page's shape
SPOOL_KIND = "scan_station"  # what a station's spool batch is for (app.services.scanning has its own)

PageCallback = Callable[[StationPage], None]
FailureCallback = Callable[[PageFailure], None]


@dataclass(frozen=True)
class AcquireSummary:
    pages: int
    failures: tuple[PageFailure, ...] = ()
    cancelled: bool = False


# --------------------------------------------------------------------------- acquiring


def thumbnail(encoded: EncodedPage, box: tuple[int, int] = THUMBNAIL_BOX) -> np.ndarray:
    """A small RGB copy of a stored page (JPEG decoded at a reduced scale: fast)."""
    from PIL import Image

    with Image.open(io.BytesIO(encoded.data)) as im:
        if im.format == "JPEG":
            im.draft("RGB", (box[0] * 2, box[1] * 2))
        small = im.convert("RGB")
        small.thumbnail(box)
        return np.asarray(small).copy()


def station_page(result: PageResult, spooled: Path | None = None) -> StationPage:
    return StationPage(new_page_id(), result, thumbnail(result.encoded),
                       spooled=None if spooled is None else str(spooled))


def _source(where: str | Sequence[str | Path], profile: ScanProfile, spool: SpoolBatch | None,
            reader: Callable[[Path], bytes] | None = None) -> tuple[PageSource, ScanProfile]:
    if isinstance(where, str):
        spec = parse_source_uri(where)
        profile = spec.profile(profile)
        return open_source(spec, profile=profile, spool=spool), profile
    return SpooledFileSource([Path(p) for p in where], profile, spool, reader), profile


def page_reader(ctx: AppContext) -> Callable[[Path], bytes]:
    """How :func:`acquire` reads the files it is given: pages in the data folder's spool (resumed
    after a crash) are decrypted in memory with the folder's key, other files read as they are."""
    return scanning.spool_of(ctx).read


def acquire(where: str | Sequence[str | Path], profile: ScanProfile | str | None, cancel: CancelToken,
            on_page: PageCallback, *, spool: SpoolBatch | None = None,
            on_failure: FailureCallback | None = None,
            progress: ProgressCallback = no_progress,
            reader: Callable[[Path], bytes] | None = None) -> AcquireSummary:
    """Stream pages from ``where`` (a source URI, or a list of image/PDF files) through the
    pipeline, calling ``on_page`` for each as it is ready (on the calling thread).

    Scanners and cameras need ``spool`` (every captured page is written there before anything
    else). Files given as a list are read with ``reader`` when given (:func:`page_reader`: needed
    for the sealed spool files of an unfinished batch). Cancelling stops between pages and returns
    ``cancelled=True``; a source that cannot be opened or a scanner fault raises its
    :class:`MotCuaError` after the pages already delivered.
    """
    if not isinstance(profile, ScanProfile):
        profile = get_profile(profile)
    source, profile = _source(where, profile, spool, reader)
    delivered, failures = 0, []
    stream = source.pages(cancel, progress)
    try:
        for item in stream:
            if cancel.cancelled:
                break
            spooled = None
            if isinstance(item, PageFailure):
                outcome: PageResult | PageFailure = item
            else:
                spooled = item.spool_path
                outcome = process_page(item.image, profile, dpi=item.dpi, source=item.origin,
                                       index=item.index, jpeg=item.jpeg)
            if isinstance(outcome, PageFailure):
                failures.append(outcome)
                if on_failure is not None:
                    on_failure(outcome)
                continue
            on_page(station_page(outcome, spooled))
            delivered += 1
    except CancelledError:
        pass
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # a generator source releases its scanner even when we stop early
    return AcquireSummary(delivered, tuple(failures), cancel.cancelled)


def needs_spool(where: str | Sequence[str | Path]) -> bool:
    """Whether the source captures pages (scanner, camera) that must be spooled as they arrive."""
    return isinstance(where, str) and parse_source_uri(where).scheme not in ("file", "folder")


def list_scanners() -> list[tuple[str, str]]:
    """``(source URI, label)`` of the scanners SANE sees; empty when SANE is missing or sees none.
    Slow (seconds: SANE asks the network backends): call it in the background."""
    from app.scanning.sane_source import list_devices

    try:
        devices = list_devices()
    except (MotCuaError, RuntimeError, OSError) as exc:
        log.info("no SANE scanners: %s", exc)
        return []
    return [(f"sane:{name}", " ".join(x for x in (vendor, model) if x).strip() or name)
            for name, vendor, model, _kind in devices]


def new_spool_batch(ctx: AppContext, code: str, officer: Officer) -> SpoolBatch:
    """A fresh spool batch (``<data_dir>/spool/<batch>``, beside those of
    :func:`app.services.scanning.scan_into_dossier`) for the pages a scanner or camera captures at
    the station; its metadata says which dossier and officer it is for."""
    batch = scanning.spool_of(ctx).new_batch()
    batch.write_meta({"kind": SPOOL_KIND, "code": code.strip(), "officer": officer.username,
                      "pid": os.getpid(), "host": scanning.HOST,
                      "started_at": vn_now().isoformat(timespec="seconds")})
    return batch


@dataclass(frozen=True)
class UnfinishedBatch:
    """A station spool batch a crash left behind: its pages not yet saved into the dossier."""

    batch: SpoolBatch
    pages: tuple[Path, ...]
    started_at: str = ""


def unfinished_batches(ctx: AppContext, code: str) -> list[UnfinishedBatch]:
    """The station batches of dossier ``code`` that were neither saved nor given up (the window or
    the application ended abruptly), oldest first, without the pages already saved from them and
    without batches another live station is still writing. A batch left with nothing to show is
    marked done."""
    out = []
    for batch in scanning.spool_of(ctx).pending():
        job = batch.read_meta()
        if not job or job.get("kind") != SPOOL_KIND or job.get("code") != code.strip():
            continue
        if scanning.batch_in_use(batch, job):
            continue
        saved = set(job.get("saved") or ())
        pages = tuple(p for p in batch.pages() if p.name not in saved)
        if not pages:
            finish_spool(batch)
            continue
        out.append(UnfinishedBatch(batch, pages, str(job.get("started_at") or "")))
    return out


def adopt_spool(batch: SpoolBatch) -> None:
    """This process now owns the batch (its pages are shown again at the station)."""
    job = batch.read_meta() or {}
    batch.write_meta({**job, "pid": os.getpid(), "host": scanning.HOST})


def mark_saved(batch: SpoolBatch, pages: Sequence[StationPage]) -> None:
    """Remember which of the batch's spool files are now stored in the dossier, so that resuming
    the batch after a crash does not show (and save) them a second time."""
    names = {Path(p.spooled).name for p in pages if p.spooled and Path(p.spooled).parent == batch.path}
    if not names:
        return
    job = batch.read_meta() or {}
    batch.write_meta({**job, "saved": sorted(set(job.get("saved") or ()) | names)})


def finish_spool(batch: SpoolBatch) -> None:
    """The station no longer needs the batch (saved, or the officer closed the station)."""
    with contextlib.suppress(OSError):
        batch.mark_done()


# --------------------------------------------------------------------------- saving


@dataclass(frozen=True)
class PreparedPdf:
    component: int
    document: int
    file_name: str
    data: bytes
    pages: int
    pdfa: bool


def saved_page(page: StationPage) -> EncodedPage:
    """The page's stored image, turned as the officer asked (re-encoded only when turned)."""
    turns = (page.rotation // 90) % 4
    encoded = page.encoded
    if not turns:
        return encoded
    from PIL import Image

    with Image.open(io.BytesIO(encoded.data)) as im:
        pixels = np.asarray(im.convert("L" if encoded.color is not ColorMode.COLOR else "RGB"))
    turned = np.ascontiguousarray(np.rot90(pixels, k=-turns))
    quality = (jpeg_quality(encoded.data) or 75) if encoded.media_type == "image/jpeg" else 75
    return encode_page(turned, encoded.color, encoded.dpi, quality)


def _file_name(code: str, group: SaveGroup, several: bool) -> str:
    """``<code>_TP<n>.pdf`` as :mod:`app.services.scanning` names it; ``_TL<d>`` added when the
    component has several documents."""
    name = scanning.file_name_for(code, group.component)
    return name.removesuffix(".pdf") + f"_TL{group.document}.pdf" if several else name


def build_pdfs(code: str, groups: Sequence[SaveGroup], component_names: dict[int, str], officer: str,
               *, cancel: CancelToken | None = None, at: datetime | None = None) -> list[PreparedPdf]:
    """One PDF per save group (CPU work, no database): metadata names the dossier and component."""
    at = at or vn_now_aware()
    split = {g.component for g in groups if sum(1 for h in groups if h.component == g.component) > 1}
    out = []
    for group in groups:
        if cancel is not None:
            cancel.raise_if_cancelled()
        name = component_names.get(group.component, f"Thành phần {group.component + 1}")
        meta = PdfMetadata(title=f"{name} — hồ sơ {code}", dossier_code=code, component=name,
                           officer=officer, created_at=at)
        data, pdfa = build_pdf([saved_page(p) for p in group.pages], meta)
        out.append(PreparedPdf(group.component, group.document,
                               _file_name(code, group, group.component in split), data,
                               len(group.pages), pdfa))
    return out


def attach_pdf(ctx: AppContext, code: str, component_index: int | None, pdf_bytes: bytes, pages: int,
               officer: Officer, *, file_name: str | None = None) -> Attachment:
    """Store an assembled PDF in the blob store and attach it to dossier ``code`` (the component is
    marked as digitised), with an audit entry and an outbox item for the upload, in one transaction."""
    require(officer, Permission.SCAN)
    if not pdf_bytes.startswith(b"%PDF"):
        raise ValidationError("not a PDF file", "Tệp đính kèm không phải là tệp PDF.")
    sha256 = ctx.db.blobs.put_bytes(pdf_bytes)  # first: a failed transaction leaves only an unused blob
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        dossier = _get(repo, code)
        if component_index is not None and not any(c.index == component_index for c in dossier.components):
            raise ValidationError(f"dossier {code} has no component {component_index}",
                                  f"Hồ sơ {code} không có thành phần số {component_index + 1}.")
        BlobRepository(session).record(sha256, len(pdf_bytes), scanning.PDF_MEDIA_TYPE)
        attachment = Attachment(sha256, file_name or f"{code}-{sha256[:8]}.pdf", scanning.PDF_MEDIA_TYPE,
                                len(pdf_bytes), component_index, pages, created_at=vn_now())
        dossier.attachments.append(attachment)
        for component in dossier.components:
            if component.index == component_index:
                component.digitised = True
        repo.update(dossier)
        enqueue_attachment(session, dossier, attachment)  # uploaded by the sync, in this transaction
        AuditRepository(session).append(officer.username, scanning.AUDIT_ACTION, dossier_code=dossier.code,
                                         details={"sha256": sha256, "file_name": attachment.file_name,
                                                  "component_index": component_index, "pages": pages,
                                                  "source": SPOOL_KIND})
    return attachment


def store_pdfs(ctx: AppContext, code: str, pdfs: Sequence[PreparedPdf], officer: Officer) -> list[Attachment]:
    """Attach prepared PDFs to the dossier (database work)."""
    require(officer, Permission.SCAN)
    return [attach_pdf(ctx, code, pdf.component, pdf.data, pdf.pages, officer, file_name=pdf.file_name)
            for pdf in pdfs]


def save_deck(ctx: AppContext, code: str, deck: PageDeck | Sequence[SaveGroup], officer: Officer,
              *, component_names: dict[int, str] | None = None) -> list[Attachment]:
    """One PDF per assigned component (and document) of the deck, attached to dossier ``code``."""
    require(officer, Permission.SCAN)
    groups = deck.save_groups() if isinstance(deck, PageDeck) else list(deck)
    if not groups:
        raise ValidationError("no page is assigned to a component",
                              "Chưa có trang nào được gán vào thành phần hồ sơ.")
    if component_names is None:
        component_names = {i: name for i, name in dossier_components(ctx, code)}
    pdfs = build_pdfs(code, groups, component_names, officer.full_name)
    return store_pdfs(ctx, code, pdfs, officer)


def dossier_components(ctx: AppContext, code: str) -> list[tuple[int, str]]:
    """``(component index, name)`` of the components received with the dossier, in order."""
    with ctx.session() as session:
        dossier = _get(DossierRepository(session), code)
    return [(c.index, c.name) for c in dossier.components if c.received]


def _get(repo: DossierRepository, code: str) -> Dossier:
    code = code.strip()
    try:
        return repo.get(code)
    except NotFoundError as exc:
        raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from exc


def pdf_page_count(ctx: AppContext, sha256: str) -> int:
    """Pages of a stored PDF, read back from the blob store (hash verified)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(scanning.open_attachment(ctx, sha256))) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise MotCuaError(f"stored PDF {sha256} cannot be read: {exc}",
                          "Không đọc được tệp PDF đã lưu.") from exc

