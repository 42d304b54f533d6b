"""Pre-filling a result's metadata form from its first page.

Reading a page takes about a second, so forms ask for it on a worker thread once the document is
shown and apply what comes back only to fields the clerk has not typed in since. The form's field
names are the warehouse's (``number``, ``symbol``, ``issued_on`` as dd/mm/yyyy, ``issuer``,
``signer``, ``owner_name``, ``owner_id_number`` for a 12-digit CCCD, ``owner_old_id_number`` for a
9-digit CMND) plus ``type_code``.

Automatic reading can be switched off for a station (no Tesseract, a very slow machine) with the
environment variable ``MOTCUA_AUTO_OCR=0``; ``motcua ocr`` still reads when asked.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date

from app.core.errors import MotCuaError
from app.scanning.loading import load_page
from app.scanning.ocr.fields import LOW_CONFIDENCE, ExtractedFields
from app.scanning.ocr.reader import read_page
from app.services.ocr.reading import catalogue_titles

log = logging.getLogger(__name__)

AUTO_OCR_ENV = "MOTCUA_AUTO_OCR"
#: form order: the first low-confidence field in it gets the focus
FORM_ORDER = ("type_code", "number", "symbol", "issued_on", "issuer", "signer", "owner_name",
              "owner_id_number", "owner_old_id_number")


def auto_ocr_enabled() -> bool:
    return os.environ.get(AUTO_OCR_ENV, "1").strip().lower() not in ("0", "off", "no", "false")


@dataclass(frozen=True)
class FieldSuggestions:
    """Values read from a page for the form's fields, each with its confidence (0..1)."""

    values: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    @property
    def low(self) -> tuple[str, ...]:
        """The suggested fields to check first, in form order."""
        return tuple(n for n in FORM_ORDER if n in self.values and self.confidence[n] < LOW_CONFIDENCE)


def form_suggestions(fields: ExtractedFields) -> FieldSuggestions:
    """The extracted fields under the form's names and formats."""
    values: dict[str, str] = {}
    confidence: dict[str, float] = {}

    def put(name: str, value: str | None, source: str) -> None:
        if value:
            values[name] = value
            confidence[name] = fields.confidence(source) or 0.0

    put("type_code", fields.get("type"), "type")
    for name in ("number", "symbol", "issuer", "signer", "owner_name"):
        put(name, fields.get(name), name)
    issued = fields.get("issued")
    if issued:
        put("issued_on", date.fromisoformat(issued).strftime("%d/%m/%Y"), "issued")
    owner_id = fields.get("owner_id") or ""
    put("owner_id_number" if len(owner_id) == 12 else "owner_old_id_number", owner_id, "owner_id")
    return FieldSuggestions(values, confidence)


def suggest_from_page(data: bytes, *, name: str = "page") -> FieldSuggestions:
    """Suggestions read from one page image (JPEG, PNG, TIFF or PDF bytes); none if it cannot be read
    (a form without suggestions is still a form: the clerk types as before)."""
    try:
        loaded = load_page(data, 0, name=name)
        _text, fields = read_page(loaded.image, dpi=loaded.dpi, titles=catalogue_titles())
    except MotCuaError as error:
        log.warning("no suggestions from %s: %s", name, error.message_en)
        return FieldSuggestions()
    return form_suggestions(fields)
