"""SQLAlchemy 2 models of the offline store.

Everything a list, a filter or a report needs is a scalar column; nested parts of a dossier
(applicant, components, attachments, supplements, history) are JSON so that one row gives back
the whole domain object. The search index lives outside these models because it is
dialect-specific: an FTS5 table plus triggers on SQLite, a GIN index over
``to_tsvector('simple', search_text)`` on PostgreSQL (see the initial migration and
``app.store.search``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: SQLite FTS5 table over ``dossiers.search_text`` (rowid = ``dossiers.id``); FTS5 adds shadow
#: tables named ``dossier_fts_*``.
SQLITE_FTS_TABLE = "dossier_fts"
#: SQLite table whose having a row pauses the FTS insert trigger (bulk loads index per chunk).
SQLITE_FTS_PAUSE_TABLE = "dossier_fts_pause"
#: PostgreSQL GIN index over ``to_tsvector('simple', search_text)``.
PG_SEARCH_INDEX = "ix_dossiers_search_tsv"
#: The warehouse's search index (migration 0005, ``app.store.models_warehouse``): same design.
WAREHOUSE_FTS_TABLE = "warehouse_fts"
WAREHOUSE_PG_SEARCH_INDEX = "ix_warehouse_records_search_tsv"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: the dialect-specific search objects are not described by the models."""
    if name is None:
        return True
    if type_ == "table" and name.startswith((SQLITE_FTS_TABLE, WAREHOUSE_FTS_TABLE)):
        return False
    return not (type_ == "index" and name in (PG_SEARCH_INDEX, WAREHOUSE_PG_SEARCH_INDEX))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented way
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class ProcedureRow(Base):
    """One administrative procedure (TTHC) of the catalogue."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(Text, default="")
    processing_amount: Mapped[float] = mapped_column(Float)
    processing_unit: Mapped[str] = mapped_column(String(32))
    processing_online_amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    cutoff: Mapped[time | None] = mapped_column(Time, nullable=True)
    components: Mapped[list[Any]] = mapped_column(JSON)
    fees: Mapped[list[Any]] = mapped_column(JSON)
    results: Mapped[list[Any]] = mapped_column(JSON)
    legal_basis: Mapped[list[Any]] = mapped_column(JSON)
    essential_service: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DossierRow(Base):
    """A dossier; ``search_text`` holds the folded words the search index is built from."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_received_at_id", "received_at", "id"),
        Index("ix_dossiers_status_received_at", "status", "received_at"),
        Index("ix_dossiers_procedure_code_received_at", "procedure_code", "received_at"),
        # Covering indexes of the service-quality indicators (app.store.repositories.indicators): the
        # figures of a period read these, never the wide rows with their JSON.
        Index("ix_dossiers_report_received", "received_at", "channel", "fee_vnd", "components_digitised",
              "components_reused", "procedure_code", "officer", "code"),
        Index("ix_dossiers_report_ended", "ended_at", "result_at", "due_at", "supplement_count",
              "procedure_code", "officer", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(64))
    procedure_name: Mapped[str] = mapped_column(Text)
    applicant_kind: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str] = mapped_column(String(32), index=True)
    old_id_number: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(64))
    tax_code: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[int] = mapped_column(Integer)
    channel: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(Text)
    delivery: Mapped[int] = mapped_column(Integer)
    delivery_address: Mapped[str] = mapped_column(Text)
    fee_vnd: Mapped[int] = mapped_column(BigInteger)
    form_set: Mapped[str] = mapped_column(String(32))
    sets_count: Mapped[int] = mapped_column(Integer)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    returned_to: Mapped[str] = mapped_column(Text)
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)
    components: Mapped[list[Any]] = mapped_column(JSON)
    attachments: Mapped[list[Any]] = mapped_column(JSON)
    supplements: Mapped[list[Any]] = mapped_column(JSON)
    history: Mapped[list[Any]] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # What the service-quality indicators count, kept with every write (app.core.timeliness).
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    result_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    supplement_count: Mapped[int] = mapped_column(Integer, server_default="0")
    components_digitised: Mapped[bool] = mapped_column(Boolean, server_default=false())
    components_reused: Mapped[bool] = mapped_column(Boolean, server_default=false())


class StatusHistoryRow(Base):
    """Status changes of dossiers, one row each, for reports over time (mirrors ``history``)."""

    __tablename__ = "dossier_status_history"
    __table_args__ = (UniqueConstraint("dossier_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    # The action of the step (app.core.lifecycle.Action), its reason, the station it was done on,
    # and the appointment before and after it (migration 0008; empty for older rows).
    action: Mapped[str] = mapped_column(String(32), default="", server_default="")
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    station: Mapped[str] = mapped_column(String(64), default="", server_default="")
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    previous_due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CalendarOverrideRow(Base):
    """A day of the administrator's local calendar (extra day off, or worked weekend)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text)


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CodeCounterRow(Base):
    """The last dossier number a station's block used for an agency and a day."""

    __tablename__ = "code_counters"
    __table_args__ = (UniqueConstraint("agency", "day", "block_first"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    block_first: Mapped[int] = mapped_column(Integer)
    block_last: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)


class BlobRow(Base):
    """Bookkeeping of the files in the blob store (the bytes live on disk, by SHA-256)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
