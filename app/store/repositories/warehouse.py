"""The e-data warehouse: digitised results by owner, type and number, searchable without accents.

Owner lookups use the indexed identifier columns (CCCD, old CMND, tax code). Text search works on
``search_text`` exactly like the dossier search (``app.store.search``): every query word is the
beginning of a word of the record; SQLite asks the FTS5 table ``warehouse_fts``, PostgreSQL the GIN
index over ``to_tsvector('simple', search_text)``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Boolean, Integer, bindparam, column, func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.core.clock import vn_now
from app.core.errors import NotFoundError, ValidationError
from app.core.warehouse import ResultMetadata, ResultRecord, SourceKind, Validity
from app.store.models import ProcedureRow
from app.store.models_warehouse import WAREHOUSE_FTS_TABLE, WarehouseRecordRow
from app.store.search import fts5_query, pg_tsquery, query_words, search_text_of

_R = WarehouseRecordRow


def new_record_id() -> str:
    """A public record id that stations working offline cannot both issue: ``KHO-`` + 12 hex."""
    return "KHO-" + secrets.token_hex(6).upper()


def record_search_text(m: ResultMetadata) -> str:
    """The folded words a record is found by."""
    return search_text_of(m.owner_name, m.number, m.symbol, m.type_name, m.type_code, m.owner_id_number,
                          m.owner_old_id_number, m.owner_tax_code, m.issuer)


def _metadata(row: WarehouseRecordRow) -> ResultMetadata:
    return ResultMetadata(
        type_code=row.type_code, type_name=row.type_name, number=row.number, symbol=row.symbol,
        issued_on=row.issued_on, issuer=row.issuer, signer=row.signer, owner_name=row.owner_name,
        owner_id_number=row.owner_id_number, owner_old_id_number=row.owner_old_id_number,
        owner_tax_code=row.owner_tax_code, validity=Validity(row.validity), valid_until=row.valid_until)


def _record(row: WarehouseRecordRow) -> ResultRecord:
    return ResultRecord(id=row.id, record_id=row.record_id, metadata=_metadata(row), sha256=row.sha256,
                        size=row.size, pages=row.pages, media_type=row.media_type,
                        source_kind=SourceKind(row.source_kind), source_ref=row.source_ref,
                        created_by=row.created_by, created_at=row.created_at)


def _owner_clause(owner_ids: Iterable[str]) -> ColumnElement[bool] | None:
    ids = sorted({i.strip() for i in owner_ids if i and i.strip()})
    if not ids:
        return None
    return or_(_R.owner_id_number.in_(ids), _R.owner_old_id_number.in_(ids), _R.owner_tax_code.in_(ids))


def _still_valid(day: date) -> ColumnElement[bool]:
    return or_(_R.validity == Validity.VALID.value,
               (_R.validity == Validity.UNTIL.value) & (_R.valid_until >= day))


class WarehouseRepository:
    """Stores and finds :class:`ResultRecord`\\ s."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    def add(self, metadata: ResultMetadata, *, sha256: str, size: int, pages: int, media_type: str,
            source_kind: SourceKind, source_ref: str, created_by: str,
            created_at: datetime | None = None) -> ResultRecord:
        row = WarehouseRecordRow(
            record_id=new_record_id(), type_code=metadata.type_code, type_name=metadata.type_name,
            number=metadata.number, symbol=metadata.symbol, issued_on=metadata.issued_on,
            issuer=metadata.issuer, signer=metadata.signer, owner_name=metadata.owner_name,
            owner_id_number=metadata.owner_id_number, owner_old_id_number=metadata.owner_old_id_number,
            owner_tax_code=metadata.owner_tax_code, validity=Validity(metadata.validity).value,
            valid_until=metadata.valid_until, sha256=sha256, size=size, pages=pages, media_type=media_type,
            dup_key=metadata.duplicate_key(), source_kind=SourceKind(source_kind).value,
            source_ref=source_ref[:128], search_text=record_search_text(metadata), created_by=created_by[:64],
            created_at=(created_at or vn_now()).replace(microsecond=0))
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def get(self, record_id: str) -> ResultRecord:
        row = self.session.scalars(select(_R).where(_R.record_id == record_id)).one_or_none()
        if row is None:
            raise NotFoundError(f"warehouse record {record_id} not found",
                                f"Không tìm thấy giấy tờ {record_id} trong kho dữ liệu.")
        return _record(row)

    def find(self, record_id: str) -> ResultRecord | None:
        row = self.session.scalars(select(_R).where(_R.record_id == record_id)).one_or_none()
        return None if row is None else _record(row)

    def by_sha256(self, sha256: str) -> list[ResultRecord]:
        stmt = select(_R).where(_R.sha256 == sha256).order_by(_R.id)
        return [_record(r) for r in self.session.scalars(stmt)]

    def by_duplicate_key(self, key: str) -> list[ResultRecord]:
        return [_record(r) for r in self.session.scalars(select(_R).where(_R.dup_key == key).order_by(_R.id))]

    def by_source(self, source_ref: str) -> list[ResultRecord]:
        stmt = select(_R).where(_R.source_ref == source_ref).order_by(_R.id)
        return [_record(r) for r in self.session.scalars(stmt)]

    def search(self, *, owner_ids: Iterable[str] = (), text: str | None = None,
               type_codes: Iterable[str] | None = None, valid_on: date | None = None,
               limit: int = 200, before_id: int | None = None) -> list[ResultRecord]:
        """Records of any of ``owner_ids`` (CCCD, CMND or tax code), matching every word of ``text``
        as a word prefix (accents and case ignored), of ``type_codes``, still valid on ``valid_on``;
        newest first. ``before_id``: only records older than that one (the next page)."""
        stmt = select(_R)
        if before_id is not None:
            stmt = stmt.where(_R.id < before_id)
        owner = _owner_clause(owner_ids)
        if owner is not None:
            stmt = stmt.where(owner)
        if type_codes is not None:
            stmt = stmt.where(_R.type_code.in_(sorted(set(type_codes))))
        if valid_on is not None:
            stmt = stmt.where(_still_valid(valid_on))
        words = query_words(text)
        if words:
            stmt = stmt.where(_sqlite_match(words) if self._dialect == "sqlite" else _pg_match(words))
        stmt = stmt.order_by(_R.id.desc()).limit(limit)
        return [_record(r) for r in self.session.scalars(stmt)]

    def replace_pdf(self, record_id: str, *, expected_sha256: str, sha256: str, size: int) -> ResultRecord:
        """Point the record at another PDF (its signed version: same pages, same metadata). Refused
        with :class:`ValidationError` when the record no longer holds ``expected_sha256`` (changed by
        someone else meanwhile)."""
        row = self.session.scalars(select(_R).where(_R.record_id == record_id)).one_or_none()
        if row is None:
            raise NotFoundError(f"warehouse record {record_id} not found",
                                f"Không tìm thấy giấy tờ {record_id} trong kho dữ liệu.")
        if row.sha256 != expected_sha256:
            raise ValidationError(f"record {record_id} holds {row.sha256[:12]}, not {expected_sha256[:12]}",
                                  f"Tệp của giấy tờ {record_id} vừa được thay đổi (có thể đã được ký ở máy "
                                  "khác); hãy tải lại danh sách.", field="pdf")
        row.sha256, row.size = sha256, size
        self.session.flush()
        return _record(row)

    def repoint(self, old_sha256: str, sha256: str, size: int) -> list[str]:
        """Every record holding the PDF ``old_sha256`` now holds ``sha256`` (its signed version);
        returns their record ids."""
        rows = list(self.session.scalars(select(_R).where(_R.sha256 == old_sha256).order_by(_R.id)))
        for row in rows:
            row.sha256, row.size = sha256, size
        self.session.flush()
        return [r.record_id for r in rows]

    def catalogue_result_types(self) -> list[tuple[str, str]]:
        """``(code, name)`` of every result of every procedure of the catalogue (may repeat)."""
        out: list[tuple[str, str]] = []
        for results in self.session.scalars(select(ProcedureRow.results)):
            out.extend((str(r["code"]), str(r.get("name", ""))) for r in results or () if r.get("code"))
        return out

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(_R)) or 0)


def _sqlite_match(words: list[str]) -> ColumnElement[bool]:
    matches = sql_text(f"SELECT rowid FROM {WAREHOUSE_FTS_TABLE} WHERE {WAREHOUSE_FTS_TABLE} MATCH :match")
    return _R.id.in_(matches.bindparams(match=fts5_query(words)).columns(column("rowid", Integer)))


def _pg_match(words: list[str]) -> ColumnElement[bool]:
    # The literal 'simple' keeps the expression identical to the index's (see dossier_queries.pg_match).
    simple = literal_column("'simple'")
    vector = func.to_tsvector(simple, _R.search_text)
    query = func.to_tsquery(simple, bindparam("tsquery", pg_tsquery(words)))
    return vector.op("@@", return_type=Boolean)(query)
