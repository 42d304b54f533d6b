"""Dossiers: storage, bulk loading and the searchable list (newest first)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.dossier import Channel, Dossier, DossierStatus
from app.core.errors import NotFoundError, ValidationError
from app.core.progress import ProgressCallback, ProgressUpdate
from app.store.codec import dossier_values, history_rows, row_to_dossier
from app.store.models import SQLITE_FTS_PAUSE_TABLE, SQLITE_FTS_TABLE, DossierRow, StatusHistoryRow
from app.store.repositories.dossier_queries import SUMMARY_COLUMNS, Filters, SqliteSearch, pg_match
from app.store.repositories.page_texts import page_words_for
from app.store.search import query_words

_T = DossierRow.__table__
_H = StatusHistoryRow.__table__
BULK_CHUNK = 2000


@dataclass(frozen=True)
class DossierSummary:
    """One line of the dossier list."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    id_number: str
    phone: str
    received_at: datetime
    due_at: datetime
    status: DossierStatus
    channel: Channel


def _summary(row: Any) -> DossierSummary:
    return DossierSummary(row.code, row.procedure_code, row.procedure_name, row.applicant_name,
                          row.id_number, row.phone, row.received_at, row.due_at,
                          DossierStatus(row.status), Channel(row.channel))


def _chunks(items: Iterable[Dossier], size: int) -> Iterator[list[Dossier]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class DossierRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    # -- writing ---------------------------------------------------------------------------------
    def add(self, d: Dossier) -> Dossier:
        """Store a new dossier; sets and returns it with ``id``. A duplicate code is a ValidationError."""
        if self.session.scalar(select(exists().where(_T.c.code == d.code))):
            raise _duplicate(d.code)
        now = vn_now()
        new_id = self.session.execute(
            insert(_T).values(**dossier_values(d, now), created_at=now).returning(_T.c.id)
        ).scalar_one()
        if d.history:
            self.session.execute(insert(_H), history_rows(new_id, d))
        d.id = new_id
        return d

    def add_many(self, dossiers: Iterable[Dossier], *, progress: ProgressCallback | None = None,
                 chunk_size: int = BULK_CHUNK) -> int:
        """Bulk insert (demo data, benchmarks, imports) by chunks; sets ``id`` on each dossier and
        returns how many were stored. All or nothing: on an error (a duplicate code is a
        ValidationError) nothing of this call stays in the session, which remains usable.

        SQLite: about 15 s per 100 000 dossiers on a small 2-core machine, search index included.
        """
        with self.session.begin_nested():  # a savepoint: a failure undoes this call only
            if self._dialect != "sqlite":
                return self._add_chunks(dossiers, progress, chunk_size)
            self.session.execute(sql_text(f"INSERT OR IGNORE INTO {SQLITE_FTS_PAUSE_TABLE} (id) VALUES (1)"))
            try:
                return self._add_chunks(dossiers, progress, chunk_size)
            finally:
                self.session.execute(sql_text(f"DELETE FROM {SQLITE_FTS_PAUSE_TABLE}"))

    def _add_chunks(self, dossiers: Iterable[Dossier], progress: ProgressCallback | None,
                    chunk_size: int) -> int:
        total = 0
        expected = len(dossiers) if isinstance(dossiers, Sized) else None
        now = vn_now()
        for chunk in _chunks(dossiers, chunk_size):
            rows = [dossier_values(d, now) for d in chunk]
            for row in rows:
                row["created_at"] = now
            try:
                ids = self._insert_rows(rows)
            except IntegrityError as exc:
                raise ValidationError(f"duplicate dossier code in bulk insert: {exc.orig}",
                                      "Có mã hồ sơ bị trùng trong dữ liệu nhập.", field="code") from exc
            history: list[dict[str, Any]] = []
            for d, new_id in zip(chunk, ids, strict=True):
                d.id = new_id
                if d.history:
                    history.extend(history_rows(new_id, d))
            if history and self._dialect == "postgresql":
                _pg_copy(self.session, _H.name, history)
            elif history:
                self.session.execute(insert(_H), history)
            total += len(chunk)
            if progress is not None:
                progress(ProgressUpdate(done=total, total=expected))
        return total

    def _insert_rows(self, rows: list[dict[str, Any]]) -> list[int]:
        if self._dialect == "postgresql":
            # COPY with ids drawn from the sequence beforehand: a multi-row INSERT ... RETURNING
            # spends most of its time parsing the huge statement in the driver.
            next_ids = "SELECT nextval(pg_get_serial_sequence('dossiers', 'id')) FROM generate_series(1, :n)"
            ids = list(self.session.execute(sql_text(next_ids), {"n": len(rows)}).scalars())
            for row, new_id in zip(rows, ids, strict=True):
                row["id"] = new_id
            _pg_copy(self.session, _T.name, rows)
            return ids
        # SQLite runs INSERT ... RETURNING one row at a time; a plain executemany is several times
        # faster. The transaction holds the write lock from the first insert on, and SQLite gives
        # new rows max(rowid) + 1, so the chunk's ids are the consecutive run ending at max(id).
        conn = self.session.connection()
        dialect = conn.dialect
        columns = list(rows[0])
        processors = [_T.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        sql = f"INSERT INTO dossiers ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        pick = itemgetter(*columns)
        conn.exec_driver_sql(sql, [
            tuple(v if p is None or v is None else p(v) for p, v in zip(processors, pick(r), strict=True))
            for r in rows
        ])
        last = int(self.session.execute(select(func.max(_T.c.id))).scalar_one())
        first = last - len(rows) + 1
        self.session.execute(
            sql_text(f"INSERT INTO {SQLITE_FTS_TABLE} (rowid, search_text) "
                     "SELECT id, search_text FROM dossiers WHERE id BETWEEN :first AND :last"),
            {"first": first, "last": last},
        )
        return list(range(first, last + 1))

    def update(self, d: Dossier) -> None:
        """Rewrite the stored dossier with the same code (search words and history included)."""
        values = dossier_values(d, vn_now())
        page_words = page_words_for(self.session, d.attachments)  # the text read on its scanned pages
        if page_words:
            values["search_text"] = f"{values['search_text']} {page_words}"
        row_id = self.session.execute(
            sql_update(_T).where(_T.c.code == d.code).values(**values).returning(_T.c.id)
        ).scalar_one_or_none()
        if row_id is None:
            raise _not_found(d.code)
        self.session.execute(delete(_H).where(_H.c.dossier_id == row_id))
        if d.history:
            self.session.execute(insert(_H), history_rows(row_id, d))
        d.id = row_id

    def delete(self, code: str) -> None:
        if not self.session.execute(delete(_T).where(_T.c.code == code)).rowcount:
            raise _not_found(code)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, code: str) -> Dossier:
        row = self.session.execute(select(_T).where(_T.c.code == code)).one_or_none()
        if row is None:
            raise _not_found(code)
        return row_to_dossier(row)

    def search(self, text: str | None = None, *, status: int | None = None, procedure_code: str | None = None,
               channel: int | None = None, received_from: date | None = None,
               received_to: date | None = None, limit: int = 50, offset: int = 0) -> list[DossierSummary]:
        """Dossiers matching every word of ``text`` as a word prefix (accents and case ignored) and
        the filters (``received_to`` inclusive), newest first.

        Newest first is ``received_at`` descending, except for a text search on SQLite, which is in
        insertion order (``id`` descending) so that the FTS index streams rows instead of sorting
        every match; dossiers are inserted as they are received, so the two orders agree except
        for back-dated entries.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        filters = Filters(status, procedure_code, channel, received_from, received_to)
        words = query_words(text)
        if words and self._dialect == "sqlite":
            return [_summary(r) for r in SqliteSearch(self.session, words, filters).page(limit, offset)]
        query = select(*(_T.c[n] for n in SUMMARY_COLUMNS)).where(*filters.clauses())
        if words:
            query = query.where(pg_match(words))
        query = query.order_by(_T.c.received_at.desc(), _T.c.id.desc()).limit(limit).offset(offset)
        return [_summary(r) for r in self.session.execute(query)]

    def by_due(self, statuses: Iterable[int], *, due_from: datetime | None = None,
               due_until: datetime | None = None, due_before: datetime | None = None, limit: int = 50,
               offset: int = 0) -> list[DossierSummary]:
        """Dossiers in ``statuses`` whose appointment is in the given bounds (``due_from`` and
        ``due_until`` inclusive, ``due_before`` exclusive), soonest appointment first."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        query = select(*(_T.c[n] for n in SUMMARY_COLUMNS)).where(
            *_due_clauses(statuses, due_from, due_until, due_before))
        query = query.order_by(_T.c.due_at, _T.c.id).limit(limit).offset(offset)
        return [_summary(r) for r in self.session.execute(query)]

    def count_due(self, statuses: Iterable[int], *, due_from: datetime | None = None,
                  due_until: datetime | None = None, due_before: datetime | None = None) -> int:
        """How many dossiers :meth:`by_due` would list without a limit."""
        query = select(func.count()).select_from(_T).where(
            *_due_clauses(statuses, due_from, due_until, due_before))
        return int(self.session.execute(query).scalar_one())

    def count(self, text: str | None = None, *, status: int | None = None, procedure_code: str | None = None,
              channel: int | None = None, received_from: date | None = None,
              received_to: date | None = None) -> int:
        """How many dossiers :meth:`search` would list without a limit."""
        filters = Filters(status, procedure_code, channel, received_from, received_to)
        words = query_words(text)
        if words and self._dialect == "sqlite":
            return SqliteSearch(self.session, words, filters).count()
        query = select(func.count()).select_from(_T).where(*filters.clauses())
        if words:
            query = query.where(pg_match(words))
        return int(self.session.execute(query).scalar_one())


def _pg_copy(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """``COPY table FROM STDIN`` of rows (dicts with the same keys) in the session's transaction."""
    columns = list(rows[0])
    pick = itemgetter(*columns)
    raw = session.connection().connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in pick(row)])
    except Exception as exc:  # psycopg's own errors: SQLSTATE class 23 is an integrity violation
        if str(getattr(exc, "sqlstate", "")).startswith("23"):
            raise ValidationError(f"duplicate or invalid row in bulk insert: {exc}",
                                  "Có mã hồ sơ bị trùng trong dữ liệu nhập.", field="code") from exc
        raise


def _not_found(code: str) -> NotFoundError:
    return NotFoundError(f"dossier {code} not found", f"Không tìm thấy hồ sơ có mã {code}.")


def _duplicate(code: str) -> ValidationError:
    return ValidationError(f"dossier code {code} already exists", f"Mã hồ sơ {code} đã tồn tại.",
                           field="code")



def _due_clauses(statuses: Iterable[int], due_from: datetime | None, due_until: datetime | None,
                 due_before: datetime | None) -> list[Any]:
    clauses: list[Any] = [_T.c.status.in_([int(s) for s in statuses])]
    if due_from is not None:
        clauses.append(_T.c.due_at >= due_from)
    if due_until is not None:
        clauses.append(_T.c.due_at <= due_until)
    if due_before is not None:
        clauses.append(_T.c.due_at < due_before)
    return clauses
