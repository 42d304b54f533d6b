"""Digital signatures of the e-data warehouse's records (issue 5): sign a record's PDF with the
officer's token, sign a whole box at once with one PIN, find the records not yet signed, and browse
the warehouse with each record's signature state.

In provincial practice a digitised result counts as digitised only when its PDF carries a valid
digital signature. Decisions:

* **The state is read from the PDF, never stored.** :func:`record_signature` verifies the record's
  PDF (``app.services.signing.signature_status``: PAdES, against the configured trust roots, cached by
  SHA-256 and roots), so what is shown can never disagree with the file. "Chưa ký số" means "no valid
  signature": unsigned, or signed and changed since, or the file cannot be read.
* **Signing replaces the record's PDF.** The signed PDF (one incremental update: it begins with the
  original's exact bytes) is a new content-addressed blob; one transaction points the record at it
  (``sha256``, ``size``; metadata and pages unchanged), records the blob and appends an audit entry
  ``warehouse_sign`` naming both SHA-256s, the signer and the time. The original blob stays in the store.
  A record made from a dossier (source ``dossier`` or ``result``) whose dossier holds the same PDF has
  that attachment replaced too (``signed=True``, upload queued), as ``sign_attachment`` does for the
  dossier pane, so the dossier and the warehouse keep pointing at the same file.
* **Idempotent.** A record whose PDF is already validly signed is left alone (no token needed) unless
  ``countersign=True`` adds a second signature. A record whose signature is broken is refused: a new
  signature cannot make a changed document valid.
* **One PIN for a box.** :func:`sign_records` logs in to the token once (lazily: not at all when every
  record is already signed), reports progress and stops between two records when cancelled. A wrong
  PIN fails before anything changes; a record that cannot be signed (unreadable PDF, changed meanwhile)
  is reported and the others go on; a token failure mid-way (token pulled out) stops the run.
* Only officers, supervisors and administrators sign (``require_signer``); reading needs the counter's
  or the clerk's permission, as ``warehouse.search``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.core.clock import vn_today
from app.core.errors import MotCuaError, NotFoundError, ValidationError
from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.core.warehouse import ResultRecord, SourceKind, classify_owner_id
from app.documents.signing import (
    DEFAULT_REASON,
    SignatureStatus,
    SignerKey,
    SigningSession,
    TokenError,
)
from app.services import signing
from app.services.auth import Officer, Permission, PermissionDeniedError
from app.services.context import AppContext
from app.services.sync_outbox import enqueue_attachment
from app.store.repositories import AuditRepository, BlobRepository, DossierRepository, WarehouseRepository

log = logging.getLogger(__name__)

AUDIT_ACTION = "warehouse_sign"
PDF_MEDIA_TYPE = "application/pdf"
PAGE = 200
MSG_BROKEN = ("Tệp của giấy tờ {record} đã có chữ ký số nhưng chữ ký không hợp lệ (tài liệu đã bị sửa sau "
              "khi ký): không ký thêm được; hãy kiểm tra lại bản gốc.")


# --------------------------------------------------------------------------- reading


def signature_json(status: SignatureStatus | None, error: str = "") -> dict[str, Any]:
    """The ``signature`` key of a record's JSON: ``{"signed", "valid", "trusted", "signer",
    "signed_at", "level", "message"}`` (``valid``: signed, intact and covering the whole file)."""
    if status is None:
        return {"signed": False, "valid": False, "trusted": None, "signer": None, "signed_at": None,
                "level": "unknown", "message": error or "không kiểm tra được chữ ký"}
    return {"signed": status.signed, "valid": status.ok, "trusted": status.trusted,
            "signer": status.signer or None,
            "signed_at": status.signed_at.isoformat(timespec="seconds") if status.signed_at else None,
            "level": status.level.value, "message": status.message}


@dataclass(frozen=True)
class RecordView:
    """A record with its signature state (``status`` None: the PDF could not be checked, ``error``
    says why in Vietnamese)."""

    record: ResultRecord
    status: SignatureStatus | None
    error: str = ""

    @property
    def validly_signed(self) -> bool:
        return self.status is not None and self.status.ok

    def signature_json(self) -> dict[str, Any]:
        return signature_json(self.status, self.error)


def _may_read(officer: Officer) -> None:
    """The rule of ``warehouse.search``: the counter (RECEIVE) or the clerks (DIGITISE)."""
    if not (officer.can(Permission.RECEIVE) or officer.can(Permission.DIGITISE)):
        raise PermissionDeniedError(f"user {officer.username} may not read the warehouse",
                                    f"Tài khoản {officer.full_name} không có quyền tra cứu kho dữ liệu.")


def record_signature(ctx: AppContext, record: ResultRecord) -> RecordView:
    """Verify the record's PDF now (cached by SHA-256): what the screen shows on open."""
    try:
        return RecordView(record, signing.signature_status(ctx, record.sha256))
    except MotCuaError as exc:  # the blob is missing or damaged: shown, never a crash
        log.warning("cannot check the signature of %s: %s", record.record_id, exc)
        return RecordView(record, None, exc.message_vi)


def split_query(query: str) -> tuple[list[str], str]:
    """``(owner identifiers, remaining text)`` of what was typed in the search box: a word that is a
    CCCD (12 digits), an old CMND (9) or a tax code (10, or 10-3) looks up the owner's records by the
    indexed identifier; the other words are searched in the text (names, numbers, types, without
    accents)."""
    ids, words = [], []
    for word in (query or "").split():
        (ids if classify_owner_id(word) is not None else words).append(word)
    return ids, " ".join(words)


def browse(ctx: AppContext, officer: Officer, query: str = "", *, valid_only: bool = False,
           unsigned_only: bool = False, limit: int = PAGE, today: date | None = None) -> list[RecordView]:
    """The warehouse browser's list: records matching ``query`` (see :func:`split_query`; empty: the
    newest records), still valid today with ``valid_only``, without a valid signature with
    ``unsigned_only``; newest first, each with its verified signature state."""
    _may_read(officer)
    ids, text = split_query(query)
    return _views(ctx, ids, text, valid_on=(today or vn_today()) if valid_only else None,
                  unsigned_only=unsigned_only, limit=limit)


def _views(ctx: AppContext, owner_ids: list[str], text: str, *, valid_on: date | None, unsigned_only: bool,
           limit: int | None) -> list[RecordView]:
    found: list[RecordView] = []
    before: int | None = None
    while limit is None or len(found) < limit:
        with ctx.session() as session:
            page = WarehouseRepository(session).search(owner_ids=owner_ids, text=text or None,
                                                       valid_on=valid_on, limit=PAGE, before_id=before)
        for record in page:
            view = record_signature(ctx, record)
            if unsigned_only and view.validly_signed:
                continue
            found.append(view)
            if limit is not None and len(found) >= limit:
                break
        if len(page) < PAGE or (limit is not None and len(found) >= limit):
            break
        before = page[-1].id
    return found


def unsigned_records(ctx: AppContext, officer: Officer, *, owner_id: str | None = None,
                     limit: int | None = None) -> list[ResultRecord]:
    """Every record (of ``owner_id``: CCCD, CMND or tax code) whose PDF has no valid signature,
    newest first. Each PDF is verified (cached by SHA-256): a few milliseconds a record."""
    _may_read(officer)
    owner = "".join((owner_id or "").split())
    return [v.record for v in _views(ctx, [owner] if owner else [], "", valid_on=None, unsigned_only=True,
                                     limit=limit)]


# --------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class RecordSigned:
    """One record after :func:`sign_record`: ``already_signed`` when nothing had to be done."""

    record: ResultRecord
    original_sha256: str
    already_signed: bool
    status: SignatureStatus
    dossier_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"record_id": self.record.record_id, "sha256": self.record.sha256,
                "original_sha256": self.original_sha256, "already_signed": self.already_signed,
                "dossier_code": self.dossier_code, "signature": signature_json(self.status)}


@dataclass(frozen=True)
class SignFailure:
    record_id: str
    error: MotCuaError

    def to_json(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "error": str(self.error), "message": self.error.message_vi}


@dataclass(frozen=True)
class SignReport:
    """What :func:`sign_records` did. ``stopped``: the token failure that ended the run early."""

    signed: tuple[RecordSigned, ...] = ()
    already_signed: tuple[RecordSigned, ...] = ()
    failed: tuple[SignFailure, ...] = ()
    cancelled: bool = False
    stopped: MotCuaError | None = None
    not_done: tuple[str, ...] = field(default=())  # record ids left when cancelled or stopped

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled and self.stopped is None

    def summary_vi(self) -> str:
        parts = [f"Đã ký số {len(self.signed)} giấy tờ"]
        if self.already_signed:
            parts.append(f"{len(self.already_signed)} giấy tờ đã có chữ ký từ trước")
        if self.failed:
            parts.append(f"{len(self.failed)} giấy tờ không ký được")
        if self.cancelled:
            parts.append(f"đã dừng theo yêu cầu, còn {len(self.not_done)} giấy tờ chưa ký")
        elif self.stopped is not None:
            parts.append(f"đã dừng: {self.stopped.message_vi}")
        return "; ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        return {"signed": [s.to_json() for s in self.signed],
                "already_signed": [s.to_json() for s in self.already_signed],
                "failed": [f.to_json() for f in self.failed], "cancelled": self.cancelled,
                "stopped": str(self.stopped) if self.stopped is not None else None,
                "not_done": list(self.not_done), "ok": self.ok}


def _dossier_code(record: ResultRecord) -> str | None:
    """The dossier a record was made from (``source_ref`` ``<code>#TP01`` or ``<code>``)."""
    if record.source_kind in (SourceKind.DOSSIER, SourceKind.RESULT) and record.source_ref:
        return record.source_ref.split("#", 1)[0]
    return None


def _replace_in_dossier(session: Session, code: str, old_sha: str, new_sha: str, size: int) -> bool:
    """Inside the signing transaction: the dossier's attachments holding ``old_sha`` now hold the
    signed PDF (upload queued). False when the dossier does not hold that PDF (any more)."""
    dossiers = DossierRepository(session)
    try:
        dossier = dossiers.get(code)
    except NotFoundError:
        return False
    positions = [i for i, a in enumerate(dossier.attachments) if a.sha256 == old_sha]
    if not positions:
        return False
    for i in positions:
        dossier.attachments[i] = signing.signed_attachment(dossier.attachments[i], new_sha, size)
    dossiers.update(dossier)
    for i in positions:
        enqueue_attachment(session, dossier, dossier.attachments[i])
    return True


def _prepare(ctx: AppContext, record_id: str,
             countersign: bool) -> tuple[ResultRecord, SignatureStatus, bool]:
    """``(record, status, needs signing)``; refuses a non-PDF and a broken signature."""
    with ctx.session() as session:
        record = WarehouseRepository(session).get(record_id.strip())
    if record.media_type != PDF_MEDIA_TYPE:
        raise ValidationError(f"record {record.record_id} is not a PDF", "Chỉ ký số được tệp PDF.",
                              field="pdf")
    status = signing.signature_status(ctx, record.sha256)
    if status.signed and not status.ok:
        raise ValidationError(f"record {record.record_id} has a broken signature; not signing it again",
                              MSG_BROKEN.format(record=record.record_id), field="pdf")
    return record, status, not status.signed or countersign


def _apply(ctx: AppContext, record: ResultRecord, officer: Officer, session: SigningSession, *, location: str,
           reason: str) -> RecordSigned:
    data = ctx.db.blobs.read_bytes(record.sha256)
    signed = session.sign(data, location=location, reason=reason)
    new_sha = ctx.db.blobs.put_bytes(signed.data)  # content-addressed: an orphan after a failure is harmless
    code = _dossier_code(record)
    with ctx.session(write=True) as db:
        updated = WarehouseRepository(db).replace_pdf(record.record_id, expected_sha256=record.sha256,
                                                      sha256=new_sha, size=len(signed.data))
        BlobRepository(db).record(new_sha, len(signed.data), PDF_MEDIA_TYPE)
        in_dossier = code is not None and _replace_in_dossier(db, code, record.sha256, new_sha,
                                                              len(signed.data))
        AuditRepository(db).append(officer.username, AUDIT_ACTION, dossier_code=code if in_dossier else None,
                                   details={"record_id": record.record_id, "sha256": new_sha,
                                            "original_sha256": record.sha256, "signer": signed.signer_name,
                                            "field": signed.field_name, "dossier_attachment": in_dossier,
                                            "signed_at": signed.signed_at.isoformat(timespec="seconds")})
    log.info("signed warehouse record %s (%s -> %s)%s", record.record_id, record.sha256[:12], new_sha[:12],
             f", attachment of {code} replaced" if in_dossier else "")
    return RecordSigned(updated, record.sha256, False, signing.signature_status(ctx, new_sha),
                        code if in_dossier else None)


def sign_record(ctx: AppContext, record_id: str, officer: Officer, key: SignerKey, *,
                reason: str = DEFAULT_REASON, location: str | None = None,
                countersign: bool = False) -> RecordSigned:
    """Sign the PDF of record ``record_id`` (PAdES, with ``key``) and point the record at the signed
    PDF. Already validly signed: nothing is done (``already_signed``) unless ``countersign``.
    ``location`` defaults to the agency's name."""
    signing.require_signer(officer)
    record, status, needed = _prepare(ctx, record_id, countersign)
    if not needed:
        return RecordSigned(record, record.sha256, True, status, None)
    with SigningSession(key) as session:
        return _apply(ctx, record, officer, session, reason=reason,
                      location=location if location is not None else ctx.settings().agency_name)


def sign_records(ctx: AppContext, record_ids: Iterable[str], officer: Officer, key: SignerKey, *,
                 reason: str = DEFAULT_REASON, location: str | None = None, countersign: bool = False,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> SignReport:
    """Sign many records with one token login (see the module docstring). Raises the token's error
    (wrong PIN, no token...) before anything is signed; otherwise returns a :class:`SignReport`."""
    signing.require_signer(officer)
    ids = list(dict.fromkeys(i.strip() for i in record_ids if i and i.strip()))
    place = location if location is not None else ctx.settings().agency_name
    signed: list[RecordSigned] = []
    already: list[RecordSigned] = []
    failed: list[SignFailure] = []
    stopped: MotCuaError | None = None
    cancelled = False
    position = 0
    with SigningSession(key) as session:
        for position, record_id in enumerate(ids):
            if cancel is not None and cancel.cancelled:
                cancelled = True
                break
            progress(ProgressUpdate(position, len(ids),
                                    f"Đang ký số {record_id} ({position + 1}/{len(ids)})"))
            try:
                record, status, needed = _prepare(ctx, record_id, countersign)
            except MotCuaError as exc:
                failed.append(SignFailure(record_id, exc))
                continue
            if not needed:
                already.append(RecordSigned(record, record.sha256, True, status, None))
                continue
            session.open()  # the first record that needs the token: a wrong PIN stops everything here
            try:
                signed.append(_apply(ctx, record, officer, session, location=place, reason=reason))
            except TokenError as exc:  # the token went away: the next records would fail the same way
                failed.append(SignFailure(record_id, exc))
                stopped = exc
                break
            except MotCuaError as exc:
                log.warning("record %s not signed: %s", record_id, exc)
                failed.append(SignFailure(record_id, exc))
        else:
            position = len(ids)
    not_done = tuple(ids[position + (1 if stopped is not None else 0):]) if (cancelled or stopped) else ()
    progress(ProgressUpdate(len(ids) - len(not_done), len(ids), "Xong"))
    return SignReport(tuple(signed), tuple(already), tuple(failed), cancelled, stopped, not_done)


__all__ = [
    "AUDIT_ACTION",
    "RecordSigned",
    "RecordView",
    "SignFailure",
    "SignReport",
    "browse",
    "record_signature",
    "sign_record",
    "sign_records",
    "signature_json",
    "split_query",
    "unsigned_records",
]
