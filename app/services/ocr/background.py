"""Reading stored PDFs in the background: the scanned components, batch documents and results.

Scanning never waits for OCR: a PDF is stored first (the scan, the batch, the result hand-back
commit as before) and read afterwards. :func:`read_backlog` takes the stored PDFs not read yet,
oldest first, and for each one: reads every page (Tesseract ``vie``), stores the text with every
word's box and confidence as a sealed blob (encrypted at rest like the pages), adds the page words
to the search text of the dossiers and warehouse records holding the PDF, and, unless the PDF is
signed, stores a copy with an invisible text layer and points the warehouse records (results and
batch documents) at it, so the PDF a citizen receives can be searched. Components stay attached to
their dossier as scanned (the dossier's copy is what was synchronised); their record in the
warehouse is pointed at the layered copy only when it is not the dossier's own index entry.

The main window runs it on the worker pool with a progress bar; ``MOTCUA_AUTO_OCR=0`` turns it off.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update

from app.core.errors import MotCuaError
from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.core.text import search_tokens
from app.core.warehouse import SourceKind
from app.scanning.loading import count_pages, load_page
from app.scanning.ocr.engine import OcrText
from app.scanning.ocr.fields import ExtractedFields
from app.scanning.ocr.reader import read_page
from app.scanning.ocr.textlayer import add_text_layer, is_signed
from app.services.context import AppContext
from app.services.ocr.reading import catalogue_titles
from app.store.models_warehouse import WarehouseRecordRow
from app.store.repositories import BlobRepository
from app.store.repositories.page_texts import PDF, PageTextRepository

log = logging.getLogger(__name__)

TEXT_MEDIA_TYPE = "application/vnd.motcua.page-text+json"
MAX_WORDS = 4000  # distinct words kept for the search of one PDF (a thick dossier stays searchable)


@dataclass(frozen=True)
class ReadOutcome:
    sha256: str
    pages: int
    layered_sha256: str | None
    dossiers: tuple[str, ...]
    records: tuple[str, ...]
    error: str | None = None


def text_json(texts: Iterable[OcrText]) -> bytes:
    """The stored form of a PDF's text: per page its size and lines, each word with confidence and box."""
    return json.dumps({"pages": [
        {"width": t.width, "height": t.height,
         "lines": [{"text": line.text, "confidence": round(line.confidence, 3),
                    "words": [[w.text, round(w.confidence, 3), *w.box] for w in line.words]}
                   for line in t.lines]}
        for t in texts]}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def distinct_words(texts: Iterable[OcrText]) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for word in search_tokens(text.text):
            if len(word) > 1 or word.isdigit():
                seen[word] = None
            if len(seen) >= MAX_WORDS:
                return " ".join(seen)
    return " ".join(seen)


def read_stored_pdf(ctx: AppContext, sha256: str, cancel: CancelToken | None = None) -> ReadOutcome:
    """Read one stored PDF and record what was read (see the module docstring). Cancelling stops
    between two pages with nothing recorded (the PDF is read again next time)."""
    started = time.perf_counter()
    data = ctx.db.blobs.read_bytes(sha256)
    texts: list[OcrText] = []
    fields: ExtractedFields | None = None
    try:
        for index in range(count_pages(data, name=sha256[:12])):
            if cancel is not None:
                cancel.raise_if_cancelled()
            loaded = load_page(data, index, name=f"{sha256[:12]} p{index + 1}")
            text, found = read_page(loaded.image, dpi=loaded.dpi, titles=catalogue_titles())
            texts.append(text)
            fields = fields or found
    except MotCuaError as error:
        with ctx.session() as session:
            PageTextRepository(session).save(sha256, status="failed", error=error.message_en,
                                              milliseconds=round((time.perf_counter() - started) * 1000))
        log.warning("could not read the PDF %s: %s", sha256[:12], error.message_en)
        return ReadOutcome(sha256, 0, None, (), (), error.message_en)
    stored_text = text_json(texts)
    text_sha = ctx.db.blobs.put_bytes(stored_text)
    layered_sha, layered = None, None
    if not is_signed(data) and any(t.lines for t in texts):
        layered = add_text_layer(data, texts)
        layered_sha = ctx.db.blobs.put_bytes(layered)
    words = distinct_words(texts)
    confidence = sum(t.confidence for t in texts) / len(texts) if texts else 0.0
    found = {"values": fields.as_json(), "confidence": fields.confidences_json()} if fields else {}
    with ctx.session() as session:
        blobs = BlobRepository(session)
        blobs.record(text_sha, len(stored_text), TEXT_MEDIA_TYPE)
        if layered_sha is not None and layered is not None:
            blobs.record(layered_sha, len(layered), PDF)
            session.execute(update(WarehouseRecordRow)
                            .where(WarehouseRecordRow.sha256 == sha256,
                                   WarehouseRecordRow.source_kind != SourceKind.DOSSIER.value)
                            .values(sha256=layered_sha, size=len(layered)))
        repo = PageTextRepository(session)
        repo.save(sha256, status="done", pages=len(texts), text_sha256=text_sha, layered_sha256=layered_sha,
                  words=words, confidence=round(confidence * 100),
                  fields=found,
                  milliseconds=round((time.perf_counter() - started) * 1000))
        codes, records = repo.index_words(sha256, words, also=[layered_sha] if layered_sha else [])
    return ReadOutcome(sha256, len(texts), layered_sha, tuple(codes), tuple(records))


def unread_count(ctx: AppContext) -> int:
    with ctx.session() as session:
        return PageTextRepository(session).count_unread()


def read_backlog(ctx: AppContext, *, limit: int = 1_000, cancel: CancelToken | None = None,
                 progress: ProgressCallback = no_progress) -> list[ReadOutcome]:
    """Read the stored PDFs not read yet (at most ``limit``), oldest first; stops between PDFs when
    cancelled."""
    cancel = cancel or CancelToken()
    with ctx.session() as session:
        pending = PageTextRepository(session).unread(limit)
    out = []
    for done, sha256 in enumerate(pending):
        if cancel.cancelled:
            break
        progress(ProgressUpdate(done, len(pending), "Đang nhận dạng chữ trên trang đã quét"))
        out.append(read_stored_pdf(ctx, sha256, cancel))
    progress(ProgressUpdate(len(out), len(pending), "Đang nhận dạng chữ trên trang đã quét"))
    return out


def read_text(ctx: AppContext, sha256: str) -> dict[str, object] | None:
    """The stored text of a PDF (its own or its layered copy's SHA-256), decrypted; None if not read."""
    with ctx.session() as session:
        info = PageTextRepository(session).get(sha256)
    if info is None or info.text_sha256 is None:
        return None
    return json.loads(ctx.db.blobs.read_bytes(info.text_sha256))
