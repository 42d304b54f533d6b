"""A batch's life: start, find, cancel, its progress, pages and outcome, and the folder lock that keeps one
run per batch."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from app.core.clock import vn_now
from app.scanning.profile import get_profile
from app.scanning.source_uri import folder_files, parse_source_uri
from app.services.admin.auth import SYSTEM_OFFICER, Officer, Permission, require
from app.services.batch.outcome import (
    STATE_FAILED,
    BatchError,
    BatchOutcome,
    BatchProgress,
    _closed_count,
    _document,
    accounting_of,
    split_pages,
)
from app.services.batch.page_images import batch_spool
from app.services.context import AppContext
from app.store.repositories import (
    BatchDocumentRecord,
    BatchPageRecord,
    BatchRecord,
    BatchRepository,
)
from app.store.repositories.batches import BATCH_CANCELLED, BATCH_DONE, BATCH_OPEN

logger = logging.getLogger(__name__)


_LOCK = ".lock"

# --------------------------------------------------------------------------- batches


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
    batch_spool(ctx, record)
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
