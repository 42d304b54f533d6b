"""Digitising the result of a dossier (kết quả giải quyết TTHC) into the e-data warehouse.

When a result is handed back (a birth certificate extract, a marriage certificate...), its scan is
stored in the applicant's e-data warehouse so that the citizen never hands the same paper in again:

* :func:`digitise_dossier_result` stores the result PDF (a file, bytes, or page images) as a
  warehouse record owned by the dossier's applicant (name, CCCD, old CMND, tax code), typed by one
  of the procedure's results (default: the first that is a document the owner keeps, see
  :func:`app.core.result_types.is_document_type`), with ``source_kind`` ``result`` and
  ``source_ref`` ``<code>#KQ`` (:func:`result_ref`). A second call for the same dossier with the same
  file returns the record already stored; a different file with the same owner + type + number is
  refused (:class:`~app.services.warehouse.DuplicateRecordError`). An audit row
  ``digitise_result`` names the dossier. ``within`` lets :func:`app.services.reception.return_result`
  hand the result over in the same transaction.
* :func:`dossier_results` lists the records digitised from a dossier's result, :func:`result_status`
  adds whether one is expected ("Kết quả chưa số hoá" in the detail pane); :func:`result_choices`
  the types the officer can pick.
* :func:`scanned_result_pdf` makes one PDF of pages acquired from a scanner
  (:func:`app.services.scan_station.acquire`).

Sync: the outbox has no kind for warehouse records or results (``dossier.upsert``,
``status.update``, and ``file.upload``, which files the bytes under the dossier's *submitted*
components, ``TaiLieuNop``); results belong to the province (``DanhSachGiayToKetQua``). A digitised
result is therefore not queued: adding it to the protocol is a separate change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.clock import vn_now_aware, vn_today
from app.core.dossier import Dossier, DossierStatus
from app.core.errors import NotFoundError, ValidationError
from app.core.procedure import Procedure
from app.core.result_types import ResultType, is_document_type
from app.core.warehouse import ResultMetadata, ResultRecord, SourceKind, Validity
from app.services import warehouse
from app.services.auth import Officer, Permission, PermissionDeniedError
from app.services.context import AppContext
from app.services.scan_deck import StationPage
from app.store.repositories import (
    AuditRepository,
    DossierRepository,
    ProcedureRepository,
    WarehouseRepository,
)

RESULT_SUFFIX = "#KQ"
AUDIT_DIGITISE = "digitise_result"
#: Statuses in which a dossier has (or is about to hand over) a result that can be digitised.
DIGITISABLE = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.DONE,
                         DossierStatus.RETURNED})
NOT_DIGITISED_VI = "Kết quả chưa số hoá"

Within = Callable[[Session, ResultRecord], None]


@dataclass(frozen=True)
class DossierResult:
    """The result document of a dossier as the officer gives it: exactly one of ``pdf_path``,
    ``pdf_bytes`` or ``page_images``, and what is printed on it. ``type_code`` None: the procedure's
    main result."""

    pdf_path: Path | str | None = None
    pdf_bytes: bytes | None = None
    page_images: Sequence[Path | str] | None = None
    type_code: str | None = None
    number: str = ""
    symbol: str = ""
    issued_on: date | None = None
    issuer: str = ""
    signer: str = ""
    validity: Validity = Validity.VALID
    valid_until: date | None = None

    def document(self) -> tuple[bytes, int]:
        """The PDF bytes and page count (:class:`ValidationError` for a bad file)."""
        return warehouse.load_document(
            pdf_path=self.pdf_path, pdf_bytes=self.pdf_bytes,
            page_images=[Path(p) for p in self.page_images] if self.page_images is not None else None)


def result_ref(code: str) -> str:
    """``source_ref`` of the record digitised from the result of dossier ``code``: ``<code>#KQ``."""
    return f"{code.strip()}{RESULT_SUFFIX}"


def may_digitise(officer: Officer) -> bool:
    """Officers who hand results back, and the clerks who digitise."""
    return officer.can(Permission.RETURN_RESULT) or officer.can(Permission.DIGITISE)


def _require(officer: Officer) -> None:
    if not may_digitise(officer):
        raise PermissionDeniedError(f"user {officer.username} may not digitise results",
                                    f"Tài khoản {officer.full_name} không có quyền số hoá kết quả.")


def _load(session: Session, code: str) -> tuple[Dossier, Procedure | None]:
    code = code.strip()
    try:
        dossier = DossierRepository(session).get(code)
    except NotFoundError as exc:
        raise NotFoundError(f"unknown dossier {code}", f"Không tìm thấy hồ sơ có mã “{code}”.") from exc
    try:
        procedure: Procedure | None = ProcedureRepository(session).get(dossier.procedure_code)
    except NotFoundError:
        procedure = None
    return dossier, procedure


def _ordered(procedure: Procedure | None) -> list[ResultType]:
    """The procedure's results, documents an owner keeps first (catalogue order otherwise)."""
    results = [ResultType(r.code, r.name) for r in (procedure.results if procedure else ())]
    return sorted(results, key=lambda t: not is_document_type(t.name))


def result_choices(ctx: AppContext, code: str) -> list[ResultType]:
    """The types the result of dossier ``code`` can have: the procedure's results (the default
    first), or every result type of the catalogue when the procedure lists none."""
    with ctx.session() as session:
        _dossier, procedure = _load(session, code)
    return _ordered(procedure) or warehouse.result_types(ctx)


def dossier_results(ctx: AppContext, code: str) -> list[ResultRecord]:
    """The warehouse records digitised from the result of dossier ``code`` (oldest first)."""
    code = code.strip()
    with ctx.session() as session:
        repo = WarehouseRepository(session)
        found = repo.by_source(result_ref(code))
        # add_dossier_result of the first warehouse version referred to the bare code
        found += [r for r in repo.by_source(code) if r.source_kind is SourceKind.RESULT]
    return sorted(found, key=lambda r: r.id)


@dataclass(frozen=True)
class ResultStatus:
    """What the detail pane says about a dossier's result: the records digitised from it, and
    whether one is expected (the dossier has a result and its procedure issues a document the owner
    keeps: not for a refusal slip or an update of a database)."""

    records: tuple[ResultRecord, ...]
    expected: bool

    @property
    def missing(self) -> bool:
        """"Kết quả chưa số hoá": a document is expected and none was digitised."""
        return self.expected and not self.records


def result_status(ctx: AppContext, code: str) -> ResultStatus:
    records = dossier_results(ctx, code)
    with ctx.session() as session:
        dossier, procedure = _load(session, code)
    documents = any(is_document_type(r.name) for r in (procedure.results if procedure else ()))
    return ResultStatus(tuple(records), dossier.status in DIGITISABLE and documents)


def _type_code(dossier: Dossier, procedure: Procedure | None, wanted: str | None) -> str:
    if wanted and wanted.strip():
        return wanted.strip()  # checked against the catalogue by warehouse.add_result
    choices = _ordered(procedure)
    if not choices:
        raise ValidationError(
            f"procedure {dossier.procedure_code} has no result type: give one",
            f"Thủ tục {dossier.procedure_code} không có loại kết quả nào trong danh mục: hãy chọn loại "
            "giấy tờ.", field="type_code")
    return choices[0].code


def _check(dossier: Dossier) -> None:
    if dossier.status not in DIGITISABLE:
        raise ValidationError(
            f"dossier {dossier.code} is in status {int(dossier.status)}: no result to digitise",
            f"Hồ sơ {dossier.code} đang ở trạng thái “{dossier.status.label_vi}”, không có kết quả "
            "để số hoá.",
            field="code")
    a = dossier.applicant
    if not (a.id_number or a.old_id_number or a.tax_code):
        raise ValidationError(
            f"the applicant of {dossier.code} has no identifier (CCCD, CMND or tax code)",
            f"Chủ hồ sơ {a.full_name} không có số định danh (CCCD, CMND hoặc mã số thuế): không lưu được "
            "kết quả vào kho dữ liệu.", field="owner_id_number")


def _existing(ctx: AppContext, code: str, sha256: str) -> ResultRecord | None:
    refs = (result_ref(code), code)
    with ctx.session() as session:
        return next((r for r in WarehouseRepository(session).by_sha256(sha256)
                     if r.source_kind is SourceKind.RESULT and r.source_ref in refs), None)


def digitise_dossier_result(ctx: AppContext, code: str, officer: Officer, result: DossierResult, *,
                            today: date | None = None, within: Within | None = None) -> ResultRecord:
    """Store the result of dossier ``code`` in its applicant's e-data warehouse (see the module
    docstring). Needs RETURN_RESULT or DIGITISE. Raises :class:`ValidationError` (Vietnamese) for a
    bad file, a bad type or date, a dossier without result, an applicant without identifier;
    :class:`~app.services.warehouse.DuplicateRecordError` for a different file with the same owner,
    type and number, or the same file stored from something else. ``within(session, record)`` runs
    in the transaction that writes the record (or, when the record was already there, in a write
    transaction of its own): if it raises, nothing is written."""
    _require(officer)
    today = today or vn_today()
    with ctx.session() as session:
        dossier, procedure = _load(session, code)
    _check(dossier)
    type_code = _type_code(dossier, procedure, result.type_code)
    data, _pages = result.document()
    sha256 = hashlib.sha256(data).hexdigest()
    existing = _existing(ctx, dossier.code, sha256)
    if existing is not None:  # the same result again: idempotent
        if within is not None:
            with ctx.session(write=True) as session:
                within(session, existing)
        return existing
    a = dossier.applicant
    metadata = ResultMetadata(
        type_code=type_code, number=result.number, symbol=result.symbol, issued_on=result.issued_on,
        # The result of a dossier received here is issued by this office's agency unless told otherwise.
        issuer=result.issuer.strip() or ctx.settings().agency_name, signer=result.signer,
        owner_name=a.full_name, owner_id_number=a.id_number,
        owner_old_id_number=a.old_id_number, owner_tax_code=a.tax_code, validity=result.validity,
        valid_until=result.valid_until)

    def link(session: Session, record: ResultRecord) -> None:
        AuditRepository(session).append(officer.username, AUDIT_DIGITISE, dossier_code=dossier.code, details={
            "record_id": record.record_id, "type_code": record.metadata.type_code, "sha256": record.sha256,
            "pages": record.pages})
        if within is not None:
            within(session, record)

    try:
        return warehouse.add_result(ctx, metadata, officer, pdf_bytes=data, source_kind=SourceKind.RESULT,
                                    source_ref=result_ref(dossier.code), today=today, within=link)
    except warehouse.DuplicateRecordError:
        existing = _existing(ctx, dossier.code, sha256)  # stored meanwhile by another station
        if existing is None:
            raise
        if within is not None:
            with ctx.session(write=True) as session:
                within(session, existing)
        return existing


def scanned_result_pdf(code: str, pages: Sequence[StationPage], officer: Officer,
                       at: datetime | None = None) -> bytes:
    """One PDF of the result's pages acquired from a scanner (CPU work, no database)."""
    from app.scanning.pdf import PdfMetadata, build_pdf
    from app.services.scan_station import saved_page

    if not pages:
        raise ValidationError("no scanned page", "Chưa quét trang nào của kết quả.", field="pages")
    meta = PdfMetadata(title=f"Kết quả giải quyết — hồ sơ {code}", dossier_code=code, component="Kết quả",
                       officer=officer.full_name, created_at=at or vn_now_aware())
    data, _pdfa = build_pdf([saved_page(p) for p in pages], meta)
    return data


__all__ = [
    "AUDIT_DIGITISE",
    "DIGITISABLE",
    "NOT_DIGITISED_VI",
    "DossierResult",
    "ResultStatus",
    "digitise_dossier_result",
    "dossier_results",
    "may_digitise",
    "result_choices",
    "result_ref",
    "result_status",
    "scanned_result_pdf",
]
