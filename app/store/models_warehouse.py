"""Models of the e-data warehouse (kho dữ liệu điện tử, issue 5), created by migration ``0005``.

``warehouse_records``: one digitised result (kết quả đã số hoá) or dossier component. The PDF is a
blob of the content-addressed store (``sha256``: the same bytes are stored once); the record carries
the document's metadata, the owner's identifiers (CCCD, old CMND, tax code, each indexed), its
validity and where it came from. ``dup_key`` (type + owner + folded number) and ``sha256`` are what
duplicates are found by. ``search_text`` holds the folded words of the owner's name, the number and
symbol, the type name and code, the owner's identifiers and the issuing agency; it is indexed like the
dossiers' (``app.store.search``): an FTS5 table ``warehouse_fts`` with prefix indexes on SQLite, a GIN
index over ``to_tsvector('simple', search_text)`` on PostgreSQL (both made by the migration, outside
these models, and left out of the model/migration comparison by ``include_name``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import WAREHOUSE_FTS_TABLE, WAREHOUSE_PG_SEARCH_INDEX, Base

__all__ = ["WAREHOUSE_FTS_TABLE", "WAREHOUSE_PG_SEARCH_INDEX", "WarehouseRecordRow"]


class WarehouseRecordRow(Base):
    """A digitised document of the warehouse."""

    __tablename__ = "warehouse_records"
    __table_args__ = (
        Index("ix_warehouse_records_type_code_owner_id_number", "type_code", "owner_id_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(32), unique=True)
    type_code: Mapped[str] = mapped_column(String(64))
    type_name: Mapped[str] = mapped_column(Text)
    number: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    issuer: Mapped[str] = mapped_column(Text)
    signer: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(Text)
    owner_id_number: Mapped[str] = mapped_column(String(32), index=True)
    owner_old_id_number: Mapped[str] = mapped_column(String(32), index=True)
    owner_tax_code: Mapped[str] = mapped_column(String(32), index=True)
    validity: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(128))
    dup_key: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(128), index=True)
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
