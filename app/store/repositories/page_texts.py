"""The text read on stored PDFs (``page_texts``) and the search words it adds.

The words of a PDF's pages reach the search through the ``search_text`` of whatever holds the PDF:
a dossier (one of its attachments) or a warehouse record. :func:`page_words_for` is what the
dossier repository appends when it rewrites a dossier, so an action on the dossier keeps them;
:meth:`PageTextRepository.index_words` rewrites the holders' search text once a PDF has been read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_, select, update
from sqlalchemy.orm import Session

from app.core.clock import vn_now
from app.core.dossier import Attachment
from app.store.codec import row_to_dossier
from app.store.models import BlobRow, DossierRow
from app.store.models_ocr import PageTextRow
from app.store.models_warehouse import WarehouseRecordRow
from app.store.search import dossier_search_text

PDF = "application/pdf"


@dataclass(frozen=True)
class PageTextInfo:
    sha256: str
    status: str
    pages: int
    text_sha256: str | None
    layered_sha256: str | None
    words: str
    fields: dict[str, Any]
    confidence: int
    error: str | None


def _info(row: PageTextRow) -> PageTextInfo:
    return PageTextInfo(row.sha256, row.status, row.pages, row.text_sha256, row.layered_sha256, row.words,
                        dict(row.fields or {}), row.confidence, row.error)


def page_words_for(session: Session, attachments: Iterable[Attachment]) -> str:
    """The page words of the attachments' PDFs that have been read (space-separated, no repeats)."""
    shas = sorted({a.sha256 for a in attachments if a.sha256})
    if not shas:
        return ""
    rows = session.scalars(select(PageTextRow.words).where(
        or_(PageTextRow.sha256.in_(shas), PageTextRow.layered_sha256.in_(shas)))).all()
    seen: dict[str, None] = {}
    for words in rows:
        seen.update(dict.fromkeys(words.split()))
    return " ".join(seen)


class PageTextRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, sha256: str) -> PageTextInfo | None:
        row = self.session.get(PageTextRow, sha256)
        if row is None:
            layered = select(PageTextRow).where(PageTextRow.layered_sha256 == sha256)
            row = self.session.scalars(layered).first()
        return None if row is None else _info(row)

    def unread(self, limit: int = 50) -> list[str]:
        """Stored PDFs not read yet (nor made by the reader itself), oldest first."""
        read = select(PageTextRow.sha256)
        layered = select(PageTextRow.layered_sha256).where(PageTextRow.layered_sha256.is_not(None))
        stmt = (select(BlobRow.sha256).where(BlobRow.media_type == PDF, BlobRow.sha256.not_in(read),
                                             BlobRow.sha256.not_in(layered))
                .order_by(BlobRow.created_at, BlobRow.sha256).limit(limit))
        return list(self.session.scalars(stmt))

    def count_unread(self) -> int:
        return len(self.unread(limit=100_000))

    def save(self, sha256: str, *, status: str, pages: int = 0, text_sha256: str | None = None,
             layered_sha256: str | None = None, words: str = "", fields: dict[str, Any] | None = None,
             confidence: int = 0, error: str | None = None, milliseconds: int = 0) -> None:
        row = self.session.get(PageTextRow, sha256) or PageTextRow(sha256=sha256)
        row.status, row.pages = status, pages
        row.text_sha256, row.layered_sha256 = text_sha256, layered_sha256
        row.words, row.fields, row.confidence, row.error = words, fields or {}, confidence, error
        row.milliseconds, row.created_at = milliseconds, vn_now()
        self.session.add(row)
        self.session.flush()

    def index_words(self, sha256: str, words: str, *,
                    also: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """Append ``words`` to the search text of the warehouse records holding the PDF ``sha256``
        (or one of ``also``, e.g. its text-layered copy) and rewrite the search text of the dossiers
        holding it. Returns (dossier codes, record ids) updated."""
        shas = [sha256, *also]
        records = []
        holding = select(WarehouseRecordRow).where(WarehouseRecordRow.sha256.in_(shas))
        for row in self.session.scalars(holding):
            if words and words not in row.search_text:
                row.search_text = f"{row.search_text} {words}".strip()
            records.append(row.record_id)
        codes = []
        like = or_(*(cast(DossierRow.attachments, String).contains(s) for s in shas))
        for row in self.session.scalars(select(DossierRow).where(like)):
            dossier = row_to_dossier(row)
            extra = page_words_for(self.session, dossier.attachments)
            self.session.execute(update(DossierRow).where(DossierRow.id == row.id).values(
                search_text=f"{dossier_search_text(dossier)} {extra}".strip()))
            codes.append(row.code)
        self.session.flush()
        return codes, records
