"""The e-data warehouse (kho dữ liệu điện tử): add digitised results, find them, reuse them.

* :func:`add_result` stores one digitised document: the PDF (given as a file, as bytes, or as page
  images that become one PDF) goes to the content-addressed blob store, and one transaction writes
  the record, the blob bookkeeping and an audit row. A second record with the same PDF (same
  SHA-256), or with the same owner + type + number, is a duplicate: :class:`DuplicateRecordError`
  names the record already there.
* :func:`search` finds records by owner identifier (CCCD, old CMND, tax code) and/or text (owner
  name, number, type; accents and case ignored).
* :func:`reuse_candidates` lists, for each component of a procedure, the still-valid records of the
  applicant that can stand in for it (matched by owner identifier and document type; the mapping
  component -> result codes is ``app.core.result_types``).
* :func:`apply_reuse_flags` is what reception calls when a component is taken from the warehouse:
  the component gets the flags the national indicators count (digitised, reused, taken from the
  warehouse, the replaced result code), which the sync payload carries (``TaiLieuNop``).
* :func:`index_dossier_component` indexes a PDF scanned into a dossier under the applicant's
  identifiers (called by the scanning service inside its own transaction);
  :func:`add_dossier_result` stores the result PDF of a dossier for its applicant (the use case
  with idempotence and the return in one transaction is :mod:`app.services.results`).
"""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.clock import vn_today
from app.core.dossier import Attachment, Dossier, ReceivedComponent
from app.core.errors import NotFoundError, ValidationError
from app.core.result_types import ResultType, ResultTypeIndex, distinct_result_types
from app.core.warehouse import (
    DuplicateInfo,
    ResultMetadata,
    ResultRecord,
    SourceKind,
    Validity,
    validate_metadata,
)
from app.services.auth import Officer, Permission, PermissionDeniedError, require
from app.services.context import AppContext
from app.store.repositories import (
    AuditRepository,
    BlobRepository,
    ProcedureRepository,
    WarehouseRepository,
)

PDF_MEDIA_TYPE = "application/pdf"
AUDIT_ADD = "warehouse_add"
MAX_PDF_BYTES = 200 * 1024 * 1024


class DuplicateRecordError(ValidationError):
    """The document is already in the warehouse; ``duplicates`` says which record and why."""

    def __init__(self, duplicates: list[DuplicateInfo]) -> None:
        first = duplicates[0]
        label = first.record.label_vi()
        owner = first.record.metadata.owner_name
        if first.reason == "file":
            en = f"the same PDF is already stored as record {first.record.record_id}"
            vi = (f"Tệp này đã có trong kho: {label} của {owner} (mã {first.record.record_id}). "
                  "Không lưu lần thứ hai.")
        else:
            en = (f"record {first.record.record_id} already has the same owner, type and number")
            vi = (f"Giấy tờ đã có trong kho: {label} của {owner} (mã {first.record.record_id}) "
                  "cùng chủ sở hữu, loại và số.")
        super().__init__(en, vi, field="number" if first.reason == "number" else "pdf")
        self.duplicates = duplicates


@dataclass(frozen=True)
class ComponentOffer:
    """Still-valid records of the applicant that can replace component ``index`` of a procedure."""

    index: int
    component_name: str
    result_codes: tuple[str, ...]
    records: tuple[ResultRecord, ...]

    @property
    def best(self) -> ResultRecord:
        return self.records[0]


# --------------------------------------------------------------------------- result types

_INDEX_LOCK = threading.Lock()
_INDEX_CACHE: dict[int, ResultTypeIndex] = {}


def _index(session: Session) -> ResultTypeIndex:
    pairs = WarehouseRepository(session).catalogue_result_types()
    key = hash(tuple(pairs))
    with _INDEX_LOCK:
        index = _INDEX_CACHE.get(key)
        if index is None:
            index = ResultTypeIndex(distinct_result_types(pairs))
            _INDEX_CACHE.clear()  # one catalogue at a time
            _INDEX_CACHE[key] = index
    return index


def result_types(ctx: AppContext) -> list[ResultType]:
    """The catalogue's result types (code and name), sorted by name: the type picker's list."""
    with ctx.session() as session:
        return list(_index(session).types)


def component_result_codes(ctx: AppContext, procedure_code: str) -> list[tuple[str, ...]]:
    """For each component of the procedure, the result codes that can replace it."""
    with ctx.session() as session:
        procedure = ProcedureRepository(session).get(procedure_code)
        index = _index(session)
        return [index.codes_for(c) for c in procedure.components]


# --------------------------------------------------------------------------- adding


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _clean_id(text: str) -> str:
    return "".join((text or "").split())


def normalise_metadata(m: ResultMetadata) -> ResultMetadata:
    """Text in NFC with single spaces, identifiers without spaces."""
    return replace(
        m, type_code=_clean(m.type_code), type_name=_clean(m.type_name), number=_clean(m.number),
        symbol=_clean(m.symbol), issuer=_clean(m.issuer), signer=_clean(m.signer),
        owner_name=_clean(m.owner_name), owner_id_number=_clean_id(m.owner_id_number),
        owner_old_id_number=_clean_id(m.owner_old_id_number), owner_tax_code=_clean_id(m.owner_tax_code),
        validity=Validity(m.validity),
        valid_until=m.valid_until if Validity(m.validity) is Validity.UNTIL else None)


def _with_type_name(session: Session, m: ResultMetadata) -> tuple[ResultMetadata, list[ValidationError]]:
    if not m.type_code:
        return m, []
    names = _index(session).names
    if m.type_code not in names:
        return m, [ValidationError(f"unknown result code {m.type_code!r}",
                                   f"Mã kết quả “{m.type_code}” không có trong danh mục thủ tục.",
                                   field="type_code")]
    return (m if m.type_name else replace(m, type_name=names[m.type_code])), []


def _raise_first(errors: list[ValidationError]) -> None:
    if errors:
        first = errors[0]
        first.errors = list(errors)  # type: ignore[attr-defined]
        raise first


def _pdf_pages(data: bytes) -> int:
    import pikepdf

    if not data.startswith(b"%PDF"):
        raise ValidationError("the file is not a PDF", "Tệp không phải là tệp PDF.", field="pdf")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError) as exc:
        raise ValidationError(f"the PDF cannot be read: {exc}",
                              "Không đọc được tệp PDF (tệp hỏng hoặc có mật khẩu).", field="pdf") from exc


def _pdf_from_images(paths: list[Path]) -> bytes:
    import img2pdf

    if not paths:
        raise ValidationError("no page image given", "Không có trang nào để lưu.", field="pages")
    try:
        data = img2pdf.convert([Path(p).read_bytes() for p in paths], rotation=img2pdf.Rotation.ifvalid)
    except OSError as exc:
        raise ValidationError(f"cannot read a page image: {exc}", "Không đọc được ảnh trang tài liệu.",
                              field="pages") from exc
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError) as exc:
        raise ValidationError(f"cannot make a PDF of the page images: {exc}",
                              "Không tạo được tệp PDF từ ảnh các trang (định dạng ảnh không hỗ trợ).",
                              field="pages") from exc
    return bytes(data)


def _read_pdf(pdf_path: Path | None, pdf_bytes: bytes | None, page_images: list[Path] | None) -> bytes:
    given = sum(x is not None for x in (pdf_path, pdf_bytes, page_images))
    if given != 1:
        raise ValidationError("give exactly one of a PDF file, PDF bytes or page images",
                              "Cần đúng một nguồn tài liệu: tệp PDF hoặc ảnh các trang.", field="pdf")
    if pdf_bytes is not None:
        return pdf_bytes
    if page_images is not None:
        return _pdf_from_images([Path(p) for p in page_images])
    path = Path(pdf_path)  # type: ignore[arg-type]
    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            raise ValidationError(f"{path} is larger than {MAX_PDF_BYTES // 2**20} MiB",
                                  f"Tệp {path.name} lớn quá {MAX_PDF_BYTES // 2**20} MB.", field="pdf")
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"file not found: {path}", f"Không tìm thấy tệp {path}.", field="pdf") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc}", f"Không đọc được tệp {path}.",
                              field="pdf") from exc


def load_document(*, pdf_path: Path | str | None = None, pdf_bytes: bytes | None = None,
                  page_images: list[Path] | list[str] | None = None) -> tuple[bytes, int]:
    """The PDF of a document given as a file, as bytes or as page images (exactly one), and its page
    count: what :func:`add_result` stores. Raises :class:`ValidationError` (Vietnamese) for a missing,
    unreadable or non-PDF file."""
    data = _read_pdf(Path(pdf_path) if pdf_path is not None else None, pdf_bytes,
                     [Path(p) for p in page_images] if page_images is not None else None)
    return data, _pdf_pages(data)


def _duplicates(repo: WarehouseRepository, m: ResultMetadata, sha256: str | None) -> list[DuplicateInfo]:
    found: list[DuplicateInfo] = []
    seen: set[str] = set()
    if sha256:
        for r in repo.by_sha256(sha256):
            found.append(DuplicateInfo("file", r))
            seen.add(r.record_id)
    key = m.duplicate_key()
    if key:
        found += [DuplicateInfo("number", r) for r in repo.by_duplicate_key(key) if r.record_id not in seen]
    return found


def find_duplicates(ctx: AppContext, metadata: ResultMetadata,
                    sha256: str | None = None) -> list[DuplicateInfo]:
    """Records that the document would duplicate (same PDF, or same owner + type + number)."""
    with ctx.session() as session:
        return _duplicates(WarehouseRepository(session), normalise_metadata(metadata), sha256)


def add_result(ctx: AppContext, metadata: ResultMetadata, officer: Officer, *,
               pdf_path: Path | str | None = None, pdf_bytes: bytes | None = None,
               page_images: list[Path] | list[str] | None = None,
               source_kind: SourceKind = SourceKind.MANUAL, source_ref: str = "",
               today: date | None = None,
               within: Callable[[Session, ResultRecord], None] | None = None) -> ResultRecord:
    """Store one digitised document (needs :attr:`Permission.DIGITISE`). Raises the first
    :class:`ValidationError` (all of them in ``.errors``) for bad metadata or an unreadable file,
    :class:`DuplicateRecordError` for a document already in the warehouse. ``within`` is called
    with the session and the new record inside the transaction that writes it (e.g. to link the
    record to what it was made from): if it raises, nothing is written."""
    require(officer, Permission.DIGITISE)
    today = today or vn_today()
    metadata = normalise_metadata(metadata)
    with ctx.session() as session:
        metadata, errors = _with_type_name(session, metadata)
    _raise_first(errors + validate_metadata(metadata, today=today))
    data = _read_pdf(Path(pdf_path) if pdf_path is not None else None, pdf_bytes,
                     [Path(p) for p in page_images] if page_images is not None else None)
    pages = _pdf_pages(data)
    sha256 = hashlib.sha256(data).hexdigest()
    with ctx.session() as session:  # refused before anything is written (checked again below)
        duplicates = _duplicates(WarehouseRepository(session), metadata, sha256)
    if duplicates:
        raise DuplicateRecordError(duplicates)
    ctx.db.blobs.put_bytes(data)  # content-addressed: stored once, an orphan is harmless
    with ctx.session(write=True) as session:
        repo = WarehouseRepository(session)
        duplicates = _duplicates(repo, metadata, sha256)  # under the write lock
        if duplicates:
            raise DuplicateRecordError(duplicates)
        BlobRepository(session).record(sha256, len(data), PDF_MEDIA_TYPE)
        record = repo.add(metadata, sha256=sha256, size=len(data), pages=pages, media_type=PDF_MEDIA_TYPE,
                          source_kind=source_kind, source_ref=source_ref, created_by=officer.username)
        AuditRepository(session).append(officer.username, AUDIT_ADD, details={
            "record_id": record.record_id, "type_code": metadata.type_code, "owner": metadata.owner_identity,
            "sha256": sha256, "source": f"{SourceKind(source_kind).value}:{source_ref}"})
        if within is not None:
            within(session, record)
    return record


# --------------------------------------------------------------------------- finding


def _may_read(officer: Officer) -> None:
    """Reading the warehouse needs RECEIVE (the counter) or DIGITISE (the clerks)."""
    if not (officer.can(Permission.RECEIVE) or officer.can(Permission.DIGITISE)):
        raise PermissionDeniedError(f"user {officer.username} may not read the warehouse",
                                    f"Tài khoản {officer.full_name} không có quyền tra cứu kho dữ liệu.")


def search(ctx: AppContext, officer: Officer, *, owner_id: str | None = None, text: str | None = None,
           valid_only: bool = False, today: date | None = None, limit: int = 200) -> list[ResultRecord]:
    """Records of the owner ``owner_id`` (CCCD, CMND or tax code) and/or matching ``text``
    (owner name, number, type, as word prefixes without accents), newest first."""
    _may_read(officer)
    owner = _clean_id(owner_id or "")
    if not owner and not (text or "").strip():
        raise ValidationError("give an owner identifier or a text to search for",
                              "Nhập số định danh của chủ sở hữu hoặc từ khóa cần tìm.", field="owner_id")
    with ctx.session() as session:
        return WarehouseRepository(session).search(
            owner_ids=[owner] if owner else (), text=text,
            valid_on=(today or vn_today()) if valid_only else None, limit=limit)


def get_record(ctx: AppContext, record_id: str) -> ResultRecord:
    with ctx.session() as session:
        return WarehouseRepository(session).get(record_id.strip())


def open_record_pdf(ctx: AppContext, record: ResultRecord) -> bytes:
    """The record's PDF, verified against its SHA-256."""
    return ctx.db.blobs.read_bytes(record.sha256)


def reuse_candidates(ctx: AppContext, procedure_code: str, owner_ids: list[str] | tuple[str, ...], *,
                     today: date | None = None) -> list[ComponentOffer]:
    """For each component of the procedure that a still-valid record of the owner (any of
    ``owner_ids``) can satisfy, the matching records (newest first). Components with no match are
    left out. One query for the whole procedure."""
    ids = [i for i in (_clean_id(x) for x in owner_ids) if i]
    if not ids:
        return []
    with ctx.session() as session:
        try:
            procedure = ProcedureRepository(session).get(procedure_code)
        except NotFoundError:
            return []
        index = _index(session)
        codes = [index.codes_for(c) for c in procedure.components]
        wanted = {code for cs in codes for code in cs}
        if not wanted:
            return []
        # An owner has few records: fetch them by the identifier indexes and filter the types here
        # (a type_code IN (...) lets SQLite pick the type index and scan every record of those types).
        owned = WarehouseRepository(session).search(owner_ids=ids, valid_on=today or vn_today(), limit=2000)
        records = [r for r in owned if r.metadata.type_code in wanted]
    offers = []
    for i, (spec, cs) in enumerate(zip(procedure.components, codes, strict=True)):
        rank = {code: n for n, code in enumerate(cs)}
        matching = sorted((r for r in records if r.metadata.type_code in rank),
                          key=lambda r: (rank[r.metadata.type_code], -r.id))
        if matching:
            offers.append(ComponentOffer(i, spec.name, cs, tuple(matching)))
    return offers


# --------------------------------------------------------------------------- reception and scanning


def apply_reuse_flags(session: Session, components: list[ReceivedComponent]) -> None:
    """Inside the reception transaction: every received component whose ``reused_record_id`` names
    a warehouse record is marked digitised, reused, taken from the warehouse, with the record's
    result code as the replaced result code. An id the warehouse does not know (a record of another
    system) keeps only digitised + reused."""
    repo = WarehouseRepository(session)
    for c in components:
        if not c.received or not c.reused_record_id:
            continue
        record = repo.find(c.reused_record_id)
        c.digitised = True
        if record is not None:
            c.from_warehouse = True
            c.replaced_result_code = record.metadata.type_code or None


def index_dossier_component(session: Session, dossier: Dossier, attachment: Attachment,
                            officer_username: str) -> ResultRecord | None:
    """Inside the caller's transaction: index a PDF scanned into a dossier under the applicant's
    identifiers, typed by the component's first matching result code (or by its name alone when
    the catalogue maps it to none). Nothing is done when the applicant has no identifier or the
    same PDF is already in the warehouse. Returns the new record, if any."""
    a = dossier.applicant
    if not (a.id_number or a.old_id_number or a.tax_code):
        return None
    repo = WarehouseRepository(session)
    if repo.by_sha256(attachment.sha256):
        return None
    index = attachment.component_index
    name, codes = f"Hồ sơ {dossier.code}", ()
    if index is not None:
        component = next((c for c in dossier.components if c.index == index), None)
        name = component.name if component is not None else name
        try:
            spec = ProcedureRepository(session).get(dossier.procedure_code).components[index]
            codes = _index(session).codes_for(spec)
        except (NotFoundError, IndexError):
            codes = ()
    type_code = codes[0] if codes else ""
    type_name = _index(session).names.get(type_code, name) if type_code else name
    metadata = ResultMetadata(type_code=type_code, type_name=type_name[:500], owner_name=a.full_name,
                              owner_id_number=a.id_number, owner_old_id_number=a.old_id_number,
                              owner_tax_code=a.tax_code)
    ref = f"{dossier.code}#TP{index + 1:02d}" if index is not None else dossier.code
    return repo.add(metadata, sha256=attachment.sha256, size=attachment.size, pages=attachment.pages,
                    media_type=attachment.media_type, source_kind=SourceKind.DOSSIER, source_ref=ref,
                    created_by=officer_username)


def add_dossier_result(ctx: AppContext, code: str, officer: Officer, *, pdf_path: Path | str,
                       result_code: str | None = None, number: str = "", symbol: str = "",
                       issued_on: date | None = None, issuer: str = "", signer: str = "",
                       validity: Validity = Validity.VALID, valid_until: date | None = None) -> ResultRecord:
    """Store the result PDF of dossier ``code`` for its applicant (type: ``result_code``, default
    the procedure's main result): :func:`app.services.results.digitise_dossier_result`."""
    from app.services import results  # results builds on this module

    return results.digitise_dossier_result(ctx, code, officer, results.DossierResult(
        pdf_path=pdf_path, type_code=result_code, number=number, symbol=symbol, issued_on=issued_on,
        issuer=issuer, signer=signer, validity=validity, valid_until=valid_until))


def record_to_json(record: ResultRecord, *, today: date | None = None) -> dict[str, object]:
    """The CLI's JSON shape of a record (see docs/contracts-wave2.md, "Warehouse")."""
    m = record.metadata
    return {
        "record_id": record.record_id,
        "type_code": m.type_code,
        "type_name": m.type_name,
        "number": m.number,
        "symbol": m.symbol,
        "issued_on": m.issued_on.isoformat() if m.issued_on else None,
        "issuer": m.issuer,
        "signer": m.signer,
        "owner": {"name": m.owner_name, "id_number": m.owner_id_number,
                  "old_id_number": m.owner_old_id_number, "tax_code": m.owner_tax_code},
        "validity": m.validity.value,
        "valid_until": m.valid_until.isoformat() if m.valid_until else None,
        "valid_now": m.is_valid_on(today or vn_today()),
        "sha256": record.sha256,
        "pages": record.pages,
        "size": record.size,
        "source": {"kind": record.source_kind.value, "ref": record.source_ref},
        "created_by": record.created_by,
        "created_at": record.created_at.isoformat(sep=" ", timespec="minutes"),
    }


__all__ = [
    "ComponentOffer",
    "DuplicateRecordError",
    "add_dossier_result",
    "add_result",
    "apply_reuse_flags",
    "component_result_codes",
    "find_duplicates",
    "get_record",
    "index_dossier_component",
    "load_document",
    "normalise_metadata",
    "open_record_pdf",
    "record_to_json",
    "result_types",
    "reuse_candidates",
    "search",
]
