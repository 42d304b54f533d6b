"""Every input limit of the station, in one place.

Two kinds:

* **Protocol limits**: the field lengths and list sizes of the provincial sync protocol
  (``provincial_server/schemas.py``, ``docs/openapi.json``). The province refuses a dossier that
  breaks one (HTTP 422) and the outbox item would wait forever, so the counter refuses it first, with
  a clear error, while the applicant is still there.
* **Pipeline and parser limits**: how large an image, a PDF, a JSON document or an input file may be
  before it is refused, and the memory a scanning worker may count on. These protect the station
  (a 144-megapixel TIFF, a 2,000-page PDF, ``/dev/zero``) and are plain numbers: documented in
  docs/security.md.
"""

from __future__ import annotations

from app.core.errors import ValidationError

# --------------------------------------------------------------------------- the sync protocol

APPLICANT_NAME_MAX = 500  # ChuHoSo
ADDRESS_MAX = 2000  # DiaChiChuHoSo, DiaChiNhanKetQua
ID_NUMBER_MAX = 32  # DinhDanh.SoDinhDanh
DOCUMENT_NUMBER_MAX = 64  # SoGiayToChuHoSo
PHONE_MAX = 64  # SoDienThoai
EMAIL_MAX = 254  # Email
SUMMARY_MAX = 1000  # TrichYeuHoSo
TEXT_MAX = 2000  # every other free text of the protocol (notes, names of documents, reasons)
FILE_NAME_MAX = 2000  # TaiLieu.TenTepDinhKem (the sync shortens long names, never the station)
FILES_PER_DOSSIER_MAX = 200  # TaiLieuNop
IDENTIFIERS_PER_DOSSIER_MAX = 10  # DinhDanhCHS
FEES_PER_DOSSIER_MAX = 50  # DanhSachLePhi

# --------------------------------------------------------------------------- files and parsers

INPUT_FILE_MAX_BYTES = 200 * 1024 * 1024  # one image or PDF given to the pipeline
JSON_INPUT_MAX_BYTES = 1024 * 1024  # --applicant-json and other JSON read from outside
JSON_MAX_DEPTH = 20
JSON_MAX_NUMBER_DIGITS = 30

# --------------------------------------------------------------------------- scanned pages

PAGE_MIN_SIDE_PX = 16  # below this no PDF page can hold it at scanner resolutions, nor can anyone read it
PAGE_MAX_SIDE_PX = 60_000
PAGE_MAX_PIXELS = 64_000_000  # an A3 page at 600 dpi in colour is 70 MP; A4 at 600 dpi 35 MP
PDF_MAX_PAGES = 500  # pages of one PDF given to the pipeline
WORKER_BYTES_PER_PIXEL = 14  # peak memory of one page in the pipeline, measured (benchmarks/hostile)
WORKER_MEMORY_BUDGET_BYTES = 3 * 1024 ** 3  # shared by the parallel workers of one run


def check_length(value: str | None, limit: int, field: str, label_vi: str) -> None:
    """Refuse text longer than the protocol allows, with the field named in both languages."""
    if value is not None and len(value) > limit:
        raise ValidationError(f"{field} is {len(value)} characters long, the limit is {limit}",
                              f"{label_vi} dài {len(value)} ký tự, vượt giới hạn {limit} ký tự.", field=field)


def check_count(count: int, limit: int, field: str, label_vi: str) -> None:
    if count > limit:
        raise ValidationError(f"{field}: {count} items, the limit is {limit}",
                              f"{label_vi}: {count} mục, vượt giới hạn {limit}.", field=field)


def workers_within_budget(requested: int, pixels: int, budget: int = WORKER_MEMORY_BUDGET_BYTES) -> int:
    """How many workers may run at once when the largest page has ``pixels`` pixels: at least one,
    at most ``requested``, and no more than the memory budget holds."""
    per_worker = max(1, pixels) * WORKER_BYTES_PER_PIXEL
    return max(1, min(requested, budget // per_worker))
