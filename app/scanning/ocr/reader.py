"""Reading whole pages: load, prepare, recognise, extract the fields; files on one or several processes.

:func:`read_page` is what the background worker and the ``motcua ocr`` command share; the pool uses
spawn-started processes (the same code runs on Windows), each with its own Tesseract engine.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import MotCuaError
from app.scanning.batch import plan
from app.scanning.loading import load_page
from app.scanning.ocr.engine import DEFAULT_LANG, OcrText, recognise
from app.scanning.ocr.fields import ExtractedFields, extract_fields
from app.scanning.ocr.prepare import prepare_for_ocr
from app.scanning.pipeline import PageFailure
from app.scanning.profile import DEFAULT_PROFILE

Titles = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OcrPage:
    """One page read: where it came from, its text with word boxes, and the fields found."""

    source: str
    index: int
    ocr: OcrText
    fields: ExtractedFields
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "page": self.index, "text": self.ocr.text,
                "confidence": round(self.ocr.confidence, 3), "fields": self.fields.as_json(),
                "field_confidence": self.fields.confidences_json()}


OcrOutcome = OcrPage | PageFailure


def read_page(image: np.ndarray, *, dpi: float | None = None, lang: str = DEFAULT_LANG,
              titles: Titles = ()) -> tuple[OcrText, ExtractedFields]:
    prepared, effective_dpi = prepare_for_ocr(image, dpi)
    text = recognise(prepared, lang=lang, dpi=effective_dpi)
    return text, extract_fields(text.lines, titles)


def read_file_page(source: str, index: int, lang: str = DEFAULT_LANG, titles: Titles = ()) -> OcrOutcome:
    """Page ``index`` of the file ``source`` read (a worker's job); a failure names the file."""
    started = time.perf_counter()
    try:
        loaded = load_page(Path(source), index, DEFAULT_PROFILE)
        text, fields = read_page(loaded.image, dpi=loaded.dpi, lang=lang, titles=titles)
    except MotCuaError as exc:
        return PageFailure(source, index, exc.message_en, exc.message_vi, "ocr")
    except MemoryError:
        return PageFailure(source, index, "not enough memory to decode the image", "không đủ bộ nhớ", "ocr")
    return OcrPage(source, index, text, fields, time.perf_counter() - started)


def read_files(sources: Sequence[str], *, lang: str = DEFAULT_LANG, workers: int = 1,
               titles: Titles = ()) -> Iterator[OcrOutcome]:
    """Every page of every file, in input order; a file that cannot be opened gives one failure."""
    tasks = plan(sources, DEFAULT_PROFILE)
    if workers <= 1 or sum(1 for t in tasks if isinstance(t, tuple)) <= 1:
        for task in tasks:
            yield task if isinstance(task, PageFailure) else read_file_page(task[0], task[1], lang, titles)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: list[PageFailure | Future[OcrOutcome]] = [
            t if isinstance(t, PageFailure) else pool.submit(read_file_page, t[0], t[1], lang, titles)
            for t in tasks]
        for task, item in zip(tasks, pending, strict=True):
            if isinstance(item, PageFailure):
                yield item
                continue
            try:
                yield item.result()
            except Exception as exc:  # a worker that died fails its page only
                source, index = task if isinstance(task, tuple) else (task.source, task.index)
                yield PageFailure(source, index, f"worker failed: {type(exc).__name__}: {exc}",
                                  "tiến trình nhận dạng chữ bị lỗi", "worker")
