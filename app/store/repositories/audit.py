"""The append-only audit log and its hash chain.

``hash`` = SHA-256 of ``prev_hash`` followed by the canonical JSON of the row's content
(:func:`audit_content`: ``at`` with microseconds, officer, action, dossier code, details with sorted
keys); ``prev_hash`` is the ``hash`` of the row before (by id), :data:`AUDIT_GENESIS_HASH` for the
first. Appending takes the tail under a lock so concurrent writers cannot fork the chain:
PostgreSQL: a transaction-level advisory lock; SQLite: the database write lock (use a write
session, ``Database.session(write=True)``; a stale read snapshot makes SQLite refuse the insert
rather than fork the chain).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.store.codec import naive_local
from app.store.models_reception import AUDIT_GENESIS_HASH, AuditRow

_T = AuditRow.__table__
#: Key of the PostgreSQL advisory lock taken while appending (``b"motcua"`` as an integer).
PG_AUDIT_LOCK_KEY = 0x6D6F74637561
_VERIFY_CHUNK = 1000


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    officer: str
    action: str
    dossier_code: str | None
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class ChainCheck:
    """Result of :meth:`AuditRepository.verify`: ``ok`` when every row's hashes are right."""

    rows: int
    first_bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def audit_content(at: datetime, officer: str, action: str, dossier_code: str | None,
                  details: dict[str, Any]) -> str:
    """The canonical text of a row's content, as hashed."""
    return canonical_json({
        "at": at.isoformat(timespec="microseconds"),
        "officer": officer,
        "action": action,
        "dossier_code": dossier_code,
        "details": details,
    })


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + content).encode("utf-8")).hexdigest()


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.officer, row.action, row.dossier_code, dict(row.details or {}),
                      row.prev_hash, row.hash)


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    def append(self, officer: str, action: str, *, dossier_code: str | None = None,
               details: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEntry:
        """Add one entry at the end of the chain (inside the caller's transaction)."""
        details = json.loads(canonical_json(details or {}))  # JSON-safe, as it will be read back
        at = naive_local(at or vn_now())
        if self._dialect == "postgresql":
            self.session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK_KEY})
        prev = self.session.execute(select(_T.c.hash).order_by(_T.c.id.desc()).limit(1)).scalar_one_or_none()
        prev_hash = prev or AUDIT_GENESIS_HASH
        digest = chain_hash(prev_hash, audit_content(at, officer, action, dossier_code, details))
        new_id = self.session.execute(
            insert(_T).values(at=at, officer=officer, action=action, dossier_code=dossier_code,
                              details=details, prev_hash=prev_hash, hash=digest).returning(_T.c.id)
        ).scalar_one()
        return AuditEntry(new_id, at, officer, action, dossier_code, details, prev_hash, digest)

    def entries(self, *, dossier_code: str | None = None, action: str | None = None,
                limit: int = 100, offset: int = 0, newest_first: bool = True) -> list[AuditEntry]:
        stmt = select(_T)
        if dossier_code is not None:
            stmt = stmt.where(_T.c.dossier_code == dossier_code)
        if action is not None:
            stmt = stmt.where(_T.c.action == action)
        order = _T.c.id.desc() if newest_first else _T.c.id.asc()
        stmt = stmt.order_by(order).limit(limit).offset(offset)
        return [_entry(r) for r in self.session.execute(stmt)]

    def count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(_T)).scalar_one())

    def verify(self) -> ChainCheck:
        """Recompute the whole chain in id order; report the first row that does not match."""
        prev_hash = AUDIT_GENESIS_HASH
        rows = 0
        last_id = 0
        while True:
            chunk = self.session.execute(
                select(_T).where(_T.c.id > last_id).order_by(_T.c.id).limit(_VERIFY_CHUNK)
            ).all()
            if not chunk:
                return ChainCheck(rows)
            for row in chunk:
                rows += 1
                if row.prev_hash != prev_hash:
                    return ChainCheck(rows, row.id, "prev_hash does not match the previous row's hash")
                content = audit_content(row.at, row.officer, row.action, row.dossier_code,
                                        dict(row.details or {}))
                if chain_hash(prev_hash, content) != row.hash:
                    return ChainCheck(rows, row.id, "hash does not match the row's content")
                prev_hash = row.hash
                last_id = row.id


@dataclass(frozen=True)
class AuditLine:
    """An audit row as the viewer shows it: ``content_ok`` when its hash matches its content and
    ``prev_hash``; ``link_ok`` when ``prev_hash`` is the hash of the row stored before it (a removed
    or re-ordered row breaks the link of the row after it)."""

    entry: AuditEntry
    content_ok: bool
    link_ok: bool

    @property
    def intact(self) -> bool:
        return self.content_ok and self.link_ok


def audit_lines(session: Session, *, officer: str | None = None, action: str | None = None,
                dossier_code: str | None = None, start: datetime | None = None, end: datetime | None = None,
                limit: int = 200, offset: int = 0) -> list[AuditLine]:
    """Filtered audit rows, newest first, each checked against its content and the row before it."""
    before = _T.alias("before")
    previous = (select(before.c.hash).where(before.c.id < _T.c.id).order_by(before.c.id.desc()).limit(1)
                .scalar_subquery())
    stmt = select(_T, previous.label("previous_hash"))
    if officer:
        stmt = stmt.where(_T.c.officer == officer)
    if action:
        stmt = stmt.where(_T.c.action == action)
    if dossier_code:
        stmt = stmt.where(_T.c.dossier_code == dossier_code)
    if start is not None:
        stmt = stmt.where(_T.c.at >= start)
    if end is not None:
        stmt = stmt.where(_T.c.at < end)
    stmt = stmt.order_by(_T.c.id.desc()).limit(limit).offset(offset)
    lines = []
    for row in session.execute(stmt):
        content = audit_content(row.at, row.officer, row.action, row.dossier_code, dict(row.details or {}))
        expected_prev = row.previous_hash or AUDIT_GENESIS_HASH
        lines.append(AuditLine(_entry(row), chain_hash(row.prev_hash, content) == row.hash,
                               row.prev_hash == expected_prev))
    return lines


def audit_actions(session: Session) -> list[str]:
    return [str(a) for a in session.execute(select(_T.c.action).distinct().order_by(_T.c.action)).scalars()]


def audit_officers(session: Session) -> list[str]:
    return [str(a) for a in session.execute(select(_T.c.officer).distinct().order_by(_T.c.officer)).scalars()]
