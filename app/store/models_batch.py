"""Models of batch archive digitising (migration ``0004``).

* ``batches``: one unit of work (a stack or a box scanned in one go): its source URI, scan profile,
  spool folder, state (``open``, ``done``, ``cancelled``), whether the source has delivered all its
  pages, and the seconds spent working on it (for pages per hour across runs).
* ``batch_pages``: every page the source delivered, in arrival order (``seq``), exactly once
  (``(batch_id, seq)`` and ``(batch_id, origin, origin_index)`` are unique). ``state`` is
  ``processed`` or ``failed``; ``kind`` is ``page`` or ``separator``; ``sha256`` is the stored page
  image; ``phash`` the perceptual hash; ``flags`` the quality flags (blank, too_dark, ...).
* ``batch_documents``: the documents the separators cut the stack into, with their pages (seqs),
  the separator's payload and the PDF's SHA-256 in the blob store once the document is closed;
  since ``0006`` also the warehouse record the clerk made of it (``warehouse_record``, its
  ``record_id``) and who accepted its blank or flagged pages, and when (``reviewed_by``/``_at``);
  since ``0007`` also why the clerk set it aside instead of recording it (``set_aside_reason``: an
  unreadable page, not a result, ...; null when it is not set aside), who and when
  (``set_aside_by``/``_at``).

``app.store`` imports this module, so ``Base.metadata`` always includes these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # also the spool folder's name
    source: Mapped[str] = mapped_column(Text)
    profile: Mapped[str] = mapped_column(String(64))
    officer: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    source_done: Mapped[bool] = mapped_column(Boolean, default=False)
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BatchPageRow(Base):
    __tablename__ = "batch_pages"
    __table_args__ = (
        UniqueConstraint("batch_id", "seq"),
        UniqueConstraint("batch_id", "origin", "origin_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(Text)  # the input file (or the spooled scanner page)
    origin_index: Mapped[int] = mapped_column(Integer)  # page within that file
    name: Mapped[str] = mapped_column(Text)  # as reported: the file's name (``name#2`` in a multi-page file)
    spool_file: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    separator: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phash: Mapped[str | None] = mapped_column(String(512), nullable=True)
    media_type: Mapped[str] = mapped_column(String(32), default="")
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    dpi: Mapped[float] = mapped_column(Float, default=0.0)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[list[Any]] = mapped_column(JSON)
    duplicate_of: Mapped[int | None] = mapped_column(Integer, nullable=True)  # seq of the earlier page
    error: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[datetime] = mapped_column(DateTime)


class BatchDocumentRow(Base):
    __tablename__ = "batch_documents"
    __table_args__ = (
        UniqueConstraint("batch_id", "number"),
        Index("ix_batch_documents_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 0-based, in the stack's order
    separator: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record: Mapped[str | None] = mapped_column(String(128), nullable=True)
    pages: Mapped[list[Any]] = mapped_column(JSON)  # seqs of the stored pages, in order
    flags: Mapped[dict[str, Any]] = mapped_column(JSON)  # quality gates: seqs per flag
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    warehouse_record: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    set_aside_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    set_aside_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    set_aside_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
