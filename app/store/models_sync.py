"""Models of the sync with the provincial system (migration ``0003``).

* ``sync_outbox``: the transactional outbox (:mod:`app.core.outbox`). A row is written in the same
  transaction as the change it carries; its ``status`` is saved right after each attempt.
  ``idempotency_key`` is unique and stable: the server recognises a retry after a lost answer.
* ``sync_remote``: what the province said about a dossier (its latest status, supplement requests
  and results), as pulled from the change feed, kept beside the dossier row.

``app.store`` imports this module, so ``Base.metadata`` always includes these tables. The sync
settings (server address, change cursor, last success...) are rows of ``settings`` (keys ``sync.*``);
the station token is never stored in the database (see ``app/sync/secrets.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base


class OutboxRow(Base):
    """One change that must reach the provincial system."""

    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_dossier_code_id", "dossier_code", "id"),
        Index("ix_sync_outbox_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_vi: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RemoteDossierRow(Base):
    """The province's view of a dossier, from the change feed (results live only here)."""

    __tablename__ = "sync_remote"

    dossier_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    supplements: Mapped[list[Any]] = mapped_column(JSON)
    results: Mapped[list[Any]] = mapped_column(JSON)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
