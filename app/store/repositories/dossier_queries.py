"""Query plans of the dossier list: filters, and the text search on each database.

SQLite (FTS5 table ``dossier_fts``, rowid = dossier id, see ``app.store.search``):

* text only: the FTS table drives the query in descending rowid order and ``LIMIT`` stops the
  scan after one page, whatever the number of matches.
* text and filters: first the newest ``K`` text matches (``K`` = 10 x (offset + limit), at least
  1 000) are joined with the filters, which answers almost every search in a few milliseconds.
  When that window holds too few hits, the filters are selective for recent dossiers: if an
  indexed filter (status, procedure, dates) selects fewer than ``FILTER_CAP`` dossiers overall,
  its index drives the query and text matches are probed in a materialised set; otherwise the
  FTS scan goes on past the window.
* count with text: ``count(*)`` over the FTS matches; with filters, each match looked up when
  there are few of them (or only a channel filter), else over the filter index probing the set
  of text matches.

Measured at a million dossiers on a busy 2-core machine: a page of a text search in 1-25 ms,
with filters that exclude the newest matches (a procedure, a month two years ago) ~100 ms, a
very common word with a filter selecting most of the old dossiers up to ~1 s; counts from 1 ms
(rare words) to 1-2 s (a word in 40 % of the dossiers combined with a filter).

PostgreSQL leaves the choice to its planner (GIN index on the text, B-tree indexes on filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, bindparam, func, literal_column
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, TextClause

from app.store.models import SQLITE_FTS_TABLE, DossierRow
from app.store.search import fts5_query, pg_tsquery

T = DossierRow.__table__
SUMMARY_COLUMNS = ("code", "procedure_code", "procedure_name", "applicant_name", "id_number", "phone",
                   "received_at", "due_at", "status", "channel")
MIN_WINDOW = 1000
FILTER_CAP = 200_000
FEW_MATCHES = 20_000  # up to this many text matches, counting with filters looks each one up
_FTS = SQLITE_FTS_TABLE
_MATCH = f"{_FTS} MATCH :match"


@dataclass(frozen=True)
class Filters:
    status: int | None = None
    procedure_code: str | None = None
    channel: int | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status is not None:
            out["status"] = int(self.status)
        if self.procedure_code is not None:
            out["procedure_code"] = self.procedure_code
        if self.channel is not None:
            out["channel"] = int(self.channel)
        if self.received_from is not None:
            out["received_from"] = datetime.combine(self.received_from, time.min)
        if self.received_to is not None:
            out["received_before"] = datetime.combine(self.received_to + timedelta(days=1), time.min)
        return out

    def clauses(self) -> list[ColumnElement[bool]]:
        ops = {"status": lambda v: T.c.status == v, "procedure_code": lambda v: T.c.procedure_code == v,
               "channel": lambda v: T.c.channel == v, "received_from": lambda v: T.c.received_at >= v,
               "received_before": lambda v: T.c.received_at < v}
        return [ops[k](v) for k, v in self.values().items()]

    @property
    def indexed(self) -> bool:
        """Whether a filter can use an index (every filter but the channel)."""
        return any(k != "channel" for k in self.values())

    def sql(self) -> str:
        """``AND``-ed conditions on ``dossiers AS d`` (``1`` when there is none)."""
        ops = {"status": "d.status = :status", "procedure_code": "d.procedure_code = :procedure_code",
               "channel": "d.channel = :channel", "received_from": "d.received_at >= :received_from",
               "received_before": "d.received_at < :received_before"}
        return " AND ".join(ops[k] for k in self.values()) or "1"


def pg_match(words: list[str]) -> ColumnElement[bool]:
    # The literal 'simple' (not a bound parameter) keeps the expression identical to the index's.
    simple = literal_column("'simple'")
    vector = func.to_tsvector(simple, T.c.search_text)
    query = func.to_tsquery(simple, bindparam("tsquery", pg_tsquery(words)))
    return vector.op("@@", return_type=Boolean)(query)


class SqliteSearch:
    """The SQLite text-search queries for one set of words and filters."""

    def __init__(self, session: Session, words: list[str], filters: Filters) -> None:
        self.session = session
        self.filters = filters
        self.params: dict[str, Any] = {"match": fts5_query(words), **filters.values()}

    def _stmt(self, sql: str, *, rows: bool) -> TextClause:
        stmt = sql_text(sql).bindparams(*(
            bindparam(key, value, type_=DateTime if isinstance(value, datetime) else None)
            for key, value in self.params.items() if f":{key}" in sql
        ))
        if rows:
            stmt = stmt.columns(*(T.c[n] for n in SUMMARY_COLUMNS))  # type: ignore[assignment]
        return stmt

    def _rows(self, sql: str, **extra: int) -> list[Row[Any]]:
        return list(self.session.execute(self._stmt(sql, rows=True), extra))

    def _scalar(self, sql: str, **extra: int) -> int:
        return int(self.session.execute(self._stmt(sql, rows=False), extra).scalar_one())

    def page(self, limit: int, offset: int) -> list[Row[Any]]:
        columns = ", ".join(f"d.{n}" for n in SUMMARY_COLUMNS)
        page = {"limit": limit, "offset": offset}
        streaming = (f"SELECT {columns} FROM {_FTS} AS f CROSS JOIN dossiers AS d ON d.id = f.rowid "
                     f"WHERE f.{_MATCH} AND {self.filters.sql()} ORDER BY f.rowid DESC "
                     "LIMIT :limit OFFSET :offset")
        if not self.filters.values():
            return self._rows(streaming, **page)
        window = max(MIN_WINDOW, 10 * (offset + limit))
        recent = (f"WITH w AS (SELECT rowid AS id FROM {_FTS} WHERE {_MATCH} ORDER BY rowid DESC "
                  f"LIMIT :window) SELECT {columns} FROM w CROSS JOIN dossiers AS d ON d.id = w.id "
                  f"WHERE {self.filters.sql()} ORDER BY w.id DESC LIMIT :limit OFFSET :offset")
        rows = self._rows(recent, window=window, **page)
        if len(rows) == limit:
            return rows
        in_window = self._scalar(f"SELECT count(*) FROM (SELECT rowid FROM {_FTS} WHERE {_MATCH} "
                                 "ORDER BY rowid DESC LIMIT :window)", window=window)
        if in_window < window:  # the window held every text match: the answer is complete
            return rows
        if self.filters.indexed and self._scalar(
            f"SELECT count(*) FROM (SELECT 1 FROM dossiers AS d WHERE {self.filters.sql()} LIMIT :cap)",
            cap=FILTER_CAP,
        ) < FILTER_CAP:
            # The filter index drives ("+d.id" keeps SQLite from iterating the text matches by
            # rowid or the table in rowid order) and covers the ids, each probed in the
            # materialised set of text matches; only the page's rows are read from the table.
            ids = (f"SELECT d.id FROM dossiers AS d WHERE {self.filters.sql()} AND "
                   f"+d.id IN (SELECT rowid FROM {_FTS} WHERE {_MATCH}) "
                   "ORDER BY +d.id DESC LIMIT :limit OFFSET :offset")
            return self._rows(f"SELECT {columns} FROM dossiers AS d WHERE d.id IN ({ids}) "
                              "ORDER BY d.id DESC", **page)
        return self._rows(streaming, **page)

    def count(self) -> int:
        matches = self._scalar(f"SELECT count(*) FROM {_FTS} WHERE {_MATCH}")
        if not self.filters.values() or matches == 0:
            return matches
        if matches <= FEW_MATCHES or not self.filters.indexed:
            return self._scalar(f"SELECT count(*) FROM {_FTS} AS f CROSS JOIN dossiers AS d "
                                f"ON d.id = f.rowid WHERE f.{_MATCH} AND {self.filters.sql()}")
        return self._scalar(f"SELECT count(*) FROM dossiers AS d WHERE {self.filters.sql()} AND "
                            f"+d.id IN (SELECT rowid FROM {_FTS} WHERE {_MATCH})")
