"""``motcua ocr``'s use case: read files with the catalogue's result names known to the field extractor."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from app.core.catalogue import default_catalogue_path, load_catalogue
from app.core.result_types import result_types
from app.scanning.ocr.engine import DEFAULT_LANG, check_available
from app.scanning.ocr.reader import OcrOutcome, Titles, read_files


@functools.cache
def catalogue_titles() -> Titles:
    """(name, result code) of every result type of the bundled catalogue."""
    return tuple((t.name, t.code) for t in result_types(load_catalogue(default_catalogue_path())))


def ocr_files(sources: Sequence[str], *, lang: str = DEFAULT_LANG, workers: int = 1) -> Iterator[OcrOutcome]:
    """Every page of ``sources`` read, in order; :class:`OcrUnavailableError` before any page if
    Tesseract or the language's model is missing."""
    check_available(lang)
    return read_files(sources, lang=lang, workers=workers, titles=catalogue_titles())
