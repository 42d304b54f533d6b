"""Scanning paper into a dossier: from any source to one PDF per component, in the store.

:func:`scan_into_dossier` opens the source a URI names (``sane:``, ``escl:``, ``wia:``, ``twain:``,
``camera:``, ``folder:``, ``file:``; see :mod:`app.scanning.source_uri`). Every page is written to
a spool batch under ``<data_dir>/spool/<batch>/`` as it arrives, before anything else (sealed with
the data folder's key, :mod:`app.store.sealer`); the batch also records what it is for (dossier,
component, officer, profile). The pages then go through the
page pipeline and become ONE PDF (PDF/A-2b when possible) with the document's metadata; the PDF
is stored in the blob store under its SHA-256, and one transaction adds the attachment to the
dossier, marks the component digitised, records the blob, queues its upload for the sync and
writes the audit row. Only after
that commit is the batch marked done. After a crash, :func:`resume_pending_scans` finishes every
unfinished batch from its spooled pages; the audit row names the batch, so a batch whose commit
went through but whose ``.done`` mark did not is never attached twice.

Pages the pipeline flags as blank are kept in the PDF (never dropped silently) and reported; a
page the pipeline fails on is stored as it arrived. A scanner error after some pages leaves the
batch pending (the pages are kept for :func:`resume_pending_scans`); cancelling closes the batch
without attaching it (its pages stay in the spool until the spool is cleaned).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.clock import vn_aware, vn_now
from app.core.dossier import Attachment, Dossier
from app.core.errors import MotCuaError, NotFoundError, ValidationError
from app.core.progress import CancelledError, CancelToken, ProgressCallback, no_progress
from app.scanning.encode import encode_page
from app.scanning.errors import ScanError
from app.scanning.pdf import PdfMetadata, build_pdf, page_problem
from app.scanning.pipeline import PageFailure, PageResult, process_page
from app.scanning.profile import ColorMode, ScanProfile, get_profile
from app.scanning.quarantine import QuarantinedBatch, quarantine, take_unseen
from app.scanning.quarantine import notice as quarantine_notice
from app.scanning.source_uri import SourceSpec, SpooledFileSource, open_source, parse_source_uri
from app.scanning.sources import SourceItem, SourcePage
from app.scanning.spool import Spool, SpoolBatch
from app.services.admin.auth import Officer, Permission, Role, require
from app.services.context import AppContext
from app.services.sync.outbox import enqueue_attachment
from app.services.warehouse.records import index_dossier_component
from app.store.paths import SPOOL_DIR_NAME
from app.store.repositories import AuditRepository, BlobRepository, DossierRepository

logger = logging.getLogger(__name__)

SPOOL_FOLDER = SPOOL_DIR_NAME  # "spool"
JOB_KIND = "scan_into_dossier"
AUDIT_ACTION = "scan"
PDF_MEDIA_TYPE = "application/pdf"
HOST = socket.gethostname()


@dataclass(frozen=True)
class PageBarcode:
    page: int  # 0-based, in the PDF
    format: str
    text: str


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan added: the attachment, its pages, which of them look blank (kept in the PDF,
    to be checked), the codes read on them and the pages that could not be read at all."""

    code: str
    component_index: int | None
    attachment: Attachment
    pages: int
    blank_pages: tuple[int, ...]
    barcodes: tuple[PageBarcode, ...]
    failures: tuple[PageFailure, ...]
    batch: str
    component_name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "component_index": self.component_index,
                "sha256": self.attachment.sha256, "pages": self.pages,
                "blank_pages": list(self.blank_pages), "bytes": self.attachment.size,
                "file_name": self.attachment.file_name, "failures": [f.to_json() for f in self.failures]}


def spool_of(ctx: AppContext) -> Spool:
    """The scan spool of the data folder, its files sealed with the folder's key."""
    return Spool(ctx.data_dir / SPOOL_FOLDER, ctx.db.spool_sealer())


def _load_dossier(ctx: AppContext, code: str) -> Dossier:
    with ctx.session() as session:
        try:
            return DossierRepository(session).get(code)
        except NotFoundError:
            raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from None


def _component_name(dossier: Dossier, index: int | None) -> str:
    if index is None:
        return ""
    for component in dossier.components:
        if component.index == index:
            return component.name
    numbers = ", ".join(str(c.index + 1) for c in dossier.components)
    raise ValidationError(
        f"dossier {dossier.code} has no component {index + 1} (numbered from 1: {numbers})",
        f"Hồ sơ {dossier.code} không có thành phần số {index + 1} (các thành phần: {numbers}).",
        field="component_index")


def file_name_for(code: str, index: int | None) -> str:
    return f"{code}_TP{index + 1}.pdf" if index is not None else f"{code}.pdf"


# --------------------------------------------------------------------------- pages


@dataclass
class _Collected:
    results: list[PageResult]
    failures: list[PageFailure]


def _collect(items: Iterable[SourceItem], profile: ScanProfile) -> _Collected:
    """Every arriving page through the pipeline, in order. A page the pipeline cannot process is
    kept as it arrived; one that cannot be read, or that no PDF page can hold, is reported (and its
    batch set aside in the quarantine once the others are attached)."""
    out = _Collected([], [])
    for item in items:
        if isinstance(item, PageFailure):
            out.failures.append(item)
            continue
        try:
            result = _process(item, profile)
        except Exception as exc:  # a page must never fail the others: set aside with its reason
            logger.warning("page %d of %s cannot be processed: %r", item.index, item.origin, exc)
            out.failures.append(PageFailure(item.origin, item.index, f"cannot process the page: {exc}",
                                            "không xử lý được trang này", "quarantine"))
            continue
        problem = page_problem(result.encoded)
        if problem is not None:
            out.failures.append(PageFailure(item.origin, item.index, problem[0], problem[1], "quarantine"))
            continue
        out.results.append(result)
    return out


def _process(item: SourcePage, profile: ScanProfile) -> PageResult:
    result = process_page(item.image, profile, dpi=item.dpi, source=item.origin, index=item.index,
                          jpeg=item.jpeg)
    if isinstance(result, PageFailure):
        logger.warning("pipeline failed on %s page %d (%s): storing it as it arrived",
                       item.origin, item.index, result.error)
        color = ColorMode.COLOR if item.image.ndim == 3 else ColorMode.GRAY
        encoded = encode_page(item.image, color, float(item.dpi or profile.dpi), profile.jpeg_quality)
        result = PageResult(item.origin, item.index, 0.0, False, (), None, color, encoded,
                            (f"pipeline: {result.error}",))
    return result


def _failed_pages(failures: list[PageFailure]) -> list[dict[str, Any]]:
    return [{"page": f.index + 1, "error": f.error} for f in failures]


def _set_aside(batch: SpoolBatch, exc: BaseException,
               failures: list[PageFailure]) -> tuple[MotCuaError, QuarantinedBatch]:
    """Quarantine a batch whose pages could not be attached; the error to report (nothing of it
    will ever be attached later: the officer was told it was not saved)."""
    if isinstance(exc, MotCuaError):
        error = exc
    else:
        error = ScanError(f"the pages could not be attached: {type(exc).__name__}: {exc}",
                          "Không đưa được các trang quét vào hồ sơ (trang hoặc tệp không hợp lệ).")
    return error, quarantine(batch, error.message_en, error.message_vi, _failed_pages(failures))


# --------------------------------------------------------------------------- attaching


def _already_attached(audit: AuditRepository, code: str, batch: str) -> dict[str, Any] | None:
    for entry in audit.entries(dossier_code=code, action=AUDIT_ACTION, limit=10_000):
        if entry.details.get("batch") == batch:
            return entry.details
    return None


def _outcome(job: dict[str, Any], attachment: Attachment, pages: list[PageResult],
             failures: list[PageFailure], batch: SpoolBatch) -> ScanOutcome:
    blank = tuple(i for i, page in enumerate(pages) if page.blank)
    codes = tuple(PageBarcode(i, b.format, b.text) for i, page in enumerate(pages) for b in page.barcodes)
    return ScanOutcome(job["code"], job["component_index"], attachment, len(pages), blank, codes,
                       tuple(failures), batch.name, job.get("component_name") or "")


def _was_attached(ctx: AppContext, code: str, batch: SpoolBatch) -> bool:
    with ctx.session() as session:
        return _already_attached(AuditRepository(session), code, batch.name) is not None


def _attach(ctx: AppContext, batch: SpoolBatch, job: dict[str, Any],
            collected: _Collected) -> ScanOutcome | None:
    """Store the PDF and attach it; ``None`` when this batch had already been attached."""
    code, index = job["code"], job["component_index"]
    officer = job["officer"]
    pages = collected.results
    if not pages:
        raise ScanError(f"no readable page to attach to {code}",
                        "Không có trang nào đọc được để đưa vào hồ sơ.")
    now = vn_now().replace(microsecond=0)
    title = job["component_name"] or f"Hồ sơ {code}"
    meta = PdfMetadata(title, code, job["component_name"], officer["full_name"], vn_aware(now))
    data, _pdfa = build_pdf([p.encoded for p in pages], meta)
    sha256 = ctx.db.blobs.put_bytes(data)  # content-addressed: an orphan after a failure is harmless
    attachment = Attachment(sha256, file_name_for(code, index), PDF_MEDIA_TYPE, len(data), index,
                            pages=len(pages), created_at=now)
    outcome = _outcome(job, attachment, pages, collected.failures, batch)
    with ctx.session(write=True) as session:
        audit = AuditRepository(session)
        attached = _already_attached(audit, code, batch.name) is not None  # checked under the write lock
        if not attached:
            dossiers = DossierRepository(session)
            dossier = dossiers.get(code)
            dossier.attachments.append(attachment)
            for component in dossier.components:
                if component.index == index:
                    component.digitised = True
            dossiers.update(dossier)
            BlobRepository(session).record(sha256, len(data), PDF_MEDIA_TYPE)
            enqueue_attachment(session, dossier, attachment)  # uploaded by the sync
            index_dossier_component(session, dossier, attachment, officer["username"])  # e-data warehouse
            audit.append(officer["username"], AUDIT_ACTION, dossier_code=code, details={
                "batch": batch.name, "sha256": sha256, "file_name": attachment.file_name,
                "component_index": index, "pages": len(pages), "blank_pages": list(outcome.blank_pages),
                "unreadable_pages": len(collected.failures), "source": job["source"]})
    batch.mark_done()  # only now: a crash before this line is finished by resume_pending_scans
    if collected.failures and not attached:  # the pages that failed are kept aside, the officer told
        count = len(collected.failures)
        quarantine(batch, f"{count} page(s) could not be attached", f"{count} trang không đưa được vào hồ sơ",
                   _failed_pages(collected.failures))
    return None if attached else outcome


# --------------------------------------------------------------------------- batches in use

_ACTIVE: set[str] = set()  # batches this process is scanning into right now
_ACTIVE_LOCK = threading.Lock()


def _claim(batch: SpoolBatch) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.add(str(batch.path))


def _release(batch: SpoolBatch) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.discard(str(batch.path))


def batch_in_use(batch: SpoolBatch, job: dict[str, Any]) -> bool:
    """True while a scan is still writing into ``batch``: in this process, or in another live
    process of this computer (checked on POSIX; on Windows only this process is known)."""
    with _ACTIVE_LOCK:
        if str(batch.path) in _ACTIVE:
            return True
    pid = job.get("pid")
    if os.name != "posix" or not isinstance(pid, int) or pid == os.getpid() or job.get("host") != HOST:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- use cases


def scan_into_dossier(ctx: AppContext, uri: str, code: str, component_index: int | None, officer: Officer, *,
                      profile: str | ScanProfile = "default", cancel: CancelToken | None = None,
                      progress: ProgressCallback = no_progress) -> ScanOutcome:
    """Scan from the source ``uri`` into dossier ``code`` (component ``component_index``, or the
    dossier as a whole with ``None``) as one PDF. Needs :attr:`Permission.SCAN`."""
    require(officer, Permission.SCAN)
    base = get_profile(profile) if isinstance(profile, str) else profile
    spec = parse_source_uri(uri)
    scan_profile = spec.profile(base)
    code = code.strip()
    dossier = _load_dossier(ctx, code)
    job = {"kind": JOB_KIND, "code": code, "component_index": component_index,
           "component_name": _component_name(dossier, component_index),
           "officer": {"username": officer.username, "full_name": officer.full_name,
                       "role": str(officer.role)},
           "profile": scan_profile.to_dict(), "source": spec.uri, "pid": os.getpid(), "host": HOST,
           "started_at": vn_now().isoformat(timespec="seconds")}
    batch = spool_of(ctx).new_batch()
    _claim(batch)
    try:
        batch.write_meta(job)
        collected = _scan_pages(spec, scan_profile, batch, job, cancel, progress)
        try:
            outcome = _attach(ctx, batch, job, collected)
        except Exception as exc:  # reported as not saved: never attached later
            raise _set_aside(batch, exc, collected.failures)[0] from exc
    finally:
        _release(batch)
    if outcome is None:  # pragma: no cover - only if another process resumed this very batch
        raise ScanError(f"spool batch {batch.name} was attached by another process",
                        "Lượt quét này đã được một chương trình khác đưa vào hồ sơ.")
    return outcome


def _scan_pages(spec: SourceSpec, profile: ScanProfile, batch: SpoolBatch, job: dict[str, Any],
                cancel: CancelToken | None, progress: ProgressCallback) -> _Collected:
    """Pages from the source through the pipeline; what becomes of the batch when that fails."""
    try:
        source = open_source(spec, profile=profile, spool=batch)
        collected = _collect(source.pages(cancel, progress), profile)
    except CancelledError:
        batch.write_meta({**job, "cancelled": vn_now().isoformat(timespec="seconds")})
        batch.mark_done()
        raise
    except MotCuaError as exc:
        kept = len(batch.pages())
        if not kept:
            batch.discard()
            raise
        logger.warning("scan into %s stopped after %d spooled page(s): %s", job["code"], kept, exc.message_en)
        # the officer was told and chooses: ``--resume`` or scan again; start-up recovery leaves it
        batch.write_meta({**job, "stopped": exc.message_en})
        raise ScanError(f"{exc.message_en} ({kept} page(s) kept in spool batch {batch.name})",
                        f"{exc.message_vi} Các trang đã quét được giữ lại; chạy “motcua scan --resume” "
                        "để đưa chúng vào hồ sơ, hoặc quét lại.") from exc
    if not collected.results:  # nothing readable: keep any files aside for inspection, never retry
        first = collected.failures[0] if collected.failures else None
        error = ScanError(f"no page could be read from {spec.uri}" + (f": {first.error}" if first else ""),
                          "Không đọc được trang nào từ nguồn quét"
                          + (f": {first.error_vi or first.error}" if first else "") + ".")
        if batch.pages():
            quarantine(batch, error.message_en, error.message_vi, _failed_pages(collected.failures))
        else:
            batch.discard()
        raise error
    return collected


def resume_pending_scans(ctx: AppContext, *, progress: ProgressCallback = no_progress,
                         include_stopped: bool = True) -> list[ScanOutcome]:
    """:func:`resume_report`'s outcomes."""
    return resume_report(ctx, progress=progress, include_stopped=include_stopped).outcomes


@dataclass
class ResumeReport:
    outcomes: list[ScanOutcome]
    set_aside: list[QuarantinedBatch]  # batches that could not be finished: quarantined, not retried
    left: list[str]  # batches left in the spool (in use, or stopped when not included)


def resume_report(ctx: AppContext, *, progress: ProgressCallback = no_progress,
                  include_stopped: bool = True) -> ResumeReport:
    """Finish the scans a crash interrupted: every spool batch of :func:`scan_into_dossier` not
    marked done is processed from its spooled pages and attached, exactly once. Batches that
    cannot be finished (the dossier was deleted...) are logged and left for the next start.
    Batches already done (attached or cancelled) are deleted first.

    ``include_stopped=False`` (the automatic recovery at start-up) leaves the batches a scanner
    error stopped: the officer was told to resume them or scan again, and scanning again must not
    find the first pages attached as well."""
    report = ResumeReport([], [], [])
    spool = spool_of(ctx)
    spool.clean_done()
    for batch in spool.pending():
        job = batch.read_meta()
        if job is None and batch.pages():  # no readable record of what it was for
            report.set_aside.append(quarantine(batch, "the batch has no readable record of its dossier",
                                               "không rõ lượt quét này thuộc hồ sơ nào"))
            continue
        if not job or job.get("kind") != JOB_KIND or job.get("cancelled"):
            continue
        if batch_in_use(batch, job) or (job.get("stopped") and not include_stopped):
            report.left.append(batch.name)
            continue
        pages = batch.pages()
        if not pages:
            batch.discard()  # the crash came before the first page
            continue
        try:
            if _was_attached(ctx, job["code"], batch):  # the crash came between commit and .done
                batch.mark_done()
                continue
            profile = ScanProfile.from_dict(job["profile"])
            require(Officer(job["officer"]["username"], job["officer"]["full_name"],
                            Role(job["officer"]["role"])), Permission.SCAN)
            source = SpooledFileSource(pages, profile, None, reader=batch.read)
            collected = _collect(source.pages(None, progress), profile)
            if not collected.results:
                raise ScanError("no page of the batch can be read", "Không đọc được trang nào của lượt quét.")
            outcome = _attach(ctx, batch, job, collected)
            if outcome is not None:
                report.outcomes.append(outcome)
        except Exception as exc:  # set aside with its reason, never retried silently
            logger.error("cannot finish spool batch %s: %s", batch.path, exc)
            report.set_aside.append(_set_aside(batch, exc, [])[1])
    return report


def recover_at_startup(ctx: AppContext) -> tuple[list[ScanOutcome], str]:
    """What the application does once an officer has signed in (or ``motcua scan`` starts): attach
    the pages a crash left in the spool (:func:`resume_pending_scans`, crashes only), with the
    Vietnamese notice to show (empty when nothing was recovered)."""
    outcomes = resume_pending_scans(ctx, include_stopped=False)
    told = take_unseen(spool_of(ctx).root)
    return outcomes, "\n".join(t for t in (recovery_notice(outcomes), quarantine_notice(told)) if t)


def recovery_notice(outcomes: list[ScanOutcome]) -> str:
    if not outcomes:
        return ""
    pages = sum(o.pages for o in outcomes)
    codes = ", ".join(dict.fromkeys(o.code for o in outcomes))
    return (f"Đã khôi phục {pages} trang quét bị gián đoạn (lần trước chương trình dừng đột ngột) "
            f"và đưa vào hồ sơ {codes}.")


def attachments_of(ctx: AppContext, code: str) -> list[Attachment]:
    return list(_load_dossier(ctx, code.strip()).attachments)


def open_attachment(ctx: AppContext, sha256: str) -> bytes:
    """The stored file, verified against its SHA-256 (:class:`BlobCorruptedError` otherwise)."""
    try:
        return ctx.db.blobs.read_bytes(sha256)
    except ValueError:
        raise NotFoundError(f"not a SHA-256: {sha256!r}", f"Mã tệp “{sha256}” không hợp lệ.") from None
