"""The text read on stored PDFs (migration ``0013``).

``page_texts``: one row per PDF blob that the background reader has been through (``sha256``: the
PDF read). The text itself, with each word's box and confidence, is a sealed blob of the blob store
(``text_sha256``, JSON) like the pages it comes from; the row keeps only what the search and the
forms need: the distinct folded words (``words``, appended to the search text of the dossiers and
warehouse records holding the PDF), the fields found on the first page with their confidence, and
``layered_sha256``, the same PDF with an invisible text layer when one was made (a signed PDF is
never rewritten). ``status``: ``done`` or ``failed`` (``error`` says why; not retried by itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base


class PageTextRow(Base):
    __tablename__ = "page_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    text_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    layered_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    words: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confidence: Mapped[int] = mapped_column(Integer, default=0)  # mean word confidence, percent
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    milliseconds: Mapped[int] = mapped_column(Integer, default=0)  # time spent reading
    created_at: Mapped[datetime] = mapped_column(DateTime)
