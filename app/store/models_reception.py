"""Models of counter reception (wave 2): user accounts, drafts and the audit log.

They use the same declarative :class:`~app.store.models.Base` (so the same metadata, naming
convention and Alembic environment) and are created by migration ``0002``. ``app.store`` imports this
module, so ``Base.metadata`` always includes these tables.

* ``users``: officers who sign in; ``password_hash`` is an argon2id hash (argon2-cffi).
* ``drafts``: work in progress of an officer (e.g. a dossier being received), a JSON payload saved
  as it is typed so that nothing is lost in a crash.
* ``audit_log``: append-only journal of what officers did. Each row carries ``hash`` =
  SHA-256(``prev_hash`` + the row's canonical content) and ``prev_hash`` = the ``hash`` of the row
  before it (:data:`AUDIT_GENESIS_HASH` for the first), so a changed, removed or re-ordered row breaks
  the chain (see :meth:`app.store.repositories.audit.AuditRepository.verify`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base

#: ``prev_hash`` of the first audit row.
AUDIT_GENESIS_HASH = "0" * 64


class UserRow(Base):
    """An officer's account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DraftRow(Base):
    """Work in progress of one officer (``kind`` e.g. "receive"), saved as it is typed."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_officer_kind_updated_at", "officer", "kind", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AuditRow(Base):
    """One entry of the append-only audit log, chained to the previous one by its hash."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    officer: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    dossier_code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
