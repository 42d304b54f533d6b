"""Setting a batch document aside (with the reason) instead of recording it, and putting it back."""

from __future__ import annotations

import logging

from app.core.errors import ValidationError
from app.services.admin.auth import Officer, Permission, require
from app.services.batch.lifecycle import batch_outcome
from app.services.batch.outcome import BatchDocument
from app.services.batch.reading import _document_of
from app.services.context import AppContext
from app.store.repositories import (
    AuditRepository,
    BatchRepository,
)

logger = logging.getLogger(__name__)


AUDIT_BATCH_SET_ASIDE = "batch_set_aside"
AUDIT_BATCH_RESTORE = "batch_restore"
#: The usual reasons to set a document aside (the screen offers them, plus the clerk's own words).
SET_ASIDE_REASONS = ("Trang không đọc được — cần quét lại", "Không phải kết quả giải quyết TTHC",
                     "Giấy tờ hết hiệu lực, không cần số hoá")
MAX_REASON = 500
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
