"""Tesseract reached in-process through ``tesserocr`` (one engine per thread).

Measured on 200 dpi generated results (``app.documents.specimens``): ``tesserocr`` read a page in
0.6-0.9 s, ``pytesseract`` (a ``tesseract`` process per page, image passed through a file) 3.5 s
for the same text; in-process also gives per-word boxes and confidences without parsing TSV.
Tesseract's own threads are turned off (``OMP_THREAD_LIMIT=1``): parallelism comes from our
worker processes, and OpenMP threads fighting over two cores made a page slower, not faster.

The model files come from ``MOTCUA_TESSDATA``, ``TESSDATA_PREFIX``, the installer's bundled
``tessdata`` folder or the Debian/Ubuntu package folders (``tesseract-ocr-vie``).
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.scanning.errors import ScanError

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DEFAULT_LANG = "vie"
_SYSTEM_TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


class OcrUnavailableError(ScanError):
    """Tesseract or its language model is not installed."""


@dataclass(frozen=True)
class OcrWord:
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the pixels of the image read


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]
    words: tuple[OcrWord, ...]


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read on one image: lines in reading order, each with its words."""

    lines: tuple[OcrLine, ...]
    width: int
    height: int

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> tuple[OcrWord, ...]:
        return tuple(w for line in self.lines for w in line.words)

    @property
    def confidence(self) -> float:
        """Mean word confidence weighted by word length (0 with no words)."""
        words = self.words
        total = sum(len(w.text) for w in words)
        return sum(w.confidence * len(w.text) for w in words) / total if total else 0.0


def tessdata_dir(lang: str = DEFAULT_LANG) -> Path:
    """The folder holding ``<lang>.traineddata``; :class:`OcrUnavailableError` if none does."""
    candidates = [os.environ.get("MOTCUA_TESSDATA"), os.environ.get("TESSDATA_PREFIX")]
    if getattr(sys, "frozen", False):  # the Windows installer bundles tessdata beside the program
        candidates.append(str(Path(sys.executable).parent / "tessdata"))
    candidates += list(_SYSTEM_TESSDATA)
    for candidate in candidates:
        if not candidate:
            continue
        for folder in (Path(candidate), Path(candidate) / "tessdata"):
            if (folder / f"{lang}.traineddata").is_file():
                return folder
    raise OcrUnavailableError(
        f"no Tesseract model for language {lang!r} (install tesseract-ocr-{lang} or set MOTCUA_TESSDATA)",
        f"chưa cài mô hình nhận dạng chữ cho ngôn ngữ “{lang}” (cài gói tesseract-ocr-{lang} "
        "hoặc đặt biến MOTCUA_TESSDATA)")


_local = threading.local()


def _api(lang: str):  # type: ignore[no-untyped-def]
    apis = getattr(_local, "apis", None)
    if apis is None:
        apis = _local.apis = {}
    api = apis.get(lang)
    if api is None:
        try:
            import tesserocr
        except ImportError as exc:
            raise OcrUnavailableError(f"tesserocr is not installed: {exc}",
                                      "chưa cài thư viện nhận dạng chữ tesserocr") from None
        try:
            api = tesserocr.PyTessBaseAPI(path=str(tessdata_dir(lang)) + os.sep, lang=lang,
                                          psm=tesserocr.PSM.AUTO)
        except RuntimeError as exc:
            raise OcrUnavailableError(f"Tesseract could not load {lang!r}: {exc}",
                                      f"không nạp được mô hình nhận dạng chữ “{lang}”") from None
        apis[lang] = api
    return api


def check_available(lang: str = DEFAULT_LANG) -> None:
    """Raise :class:`OcrUnavailableError` now rather than on the first page."""
    _api(lang)


def recognise(image: np.ndarray, *, lang: str = DEFAULT_LANG, dpi: int = 200) -> OcrText:
    """Lines and words of a prepared grey ``image`` (see :mod:`app.scanning.ocr.prepare`)."""
    import tesserocr
    from PIL import Image

    api = _api(lang)
    api.SetImage(Image.fromarray(np.ascontiguousarray(image)))
    api.SetSourceResolution(int(dpi))
    api.Recognize()
    lines: list[OcrLine] = []
    iterator = api.GetIterator()
    level_line, level_word = tesserocr.RIL.TEXTLINE, tesserocr.RIL.WORD
    words: list[OcrWord] = []
    line_box: tuple[int, int, int, int] | None = None
    line_conf = 0.0
    if iterator is not None:
        while True:
            if iterator.IsAtBeginningOf(level_line):
                _close_line(lines, words, line_box, line_conf)
                words = []
                line_box = iterator.BoundingBox(level_line)
                line_conf = iterator.Confidence(level_line) / 100.0
            try:
                text = iterator.GetUTF8Text(level_word)
            except RuntimeError:  # tesserocr's "No text returned": an empty element
                text = ""
            box = iterator.BoundingBox(level_word)
            if text and text.strip() and box is not None:
                words.append(OcrWord(text.strip(), iterator.Confidence(level_word) / 100.0, tuple(box)))
            if not iterator.Next(level_word):
                break
    _close_line(lines, words, line_box, line_conf)
    height, width = image.shape[:2]
    return OcrText(tuple(lines), width, height)


def _close_line(lines: list[OcrLine], words: list[OcrWord], box: tuple[int, int, int, int] | None,
                conf: float) -> None:
    if words and box is not None:
        lines.append(OcrLine(" ".join(w.text for w in words), conf, tuple(box), tuple(words)))
