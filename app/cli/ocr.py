"""``motcua ocr``: the text and the metadata of scanned pages.

    motcua ocr [--lang vie] [--workers N] [--json] FILE...

With ``--json`` one object is printed: ``{"pages": [{"file", "page", "text", "confidence",
"fields": {"type", "number", "symbol", "issued", "issuer", "signer", "owner_name", "owner_id"},
"field_confidence": {...the same keys...}}], "seconds"}``; a field not found is ``null``
(``type`` is the catalogue's result code, ``issued`` an ISO date, confidences are 0..1). A file or
page that cannot be read gets ``{"file", "page", "error"}`` instead, the others are still read,
and the exit code is 1.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, Output, int_in_range

FIELD_LABELS_VI = {"type": "Loại giấy tờ", "number": "Số", "symbol": "Ký hiệu / quyển số",
                   "issued": "Ngày cấp", "issuer": "Cơ quan cấp", "signer": "Người ký",
                   "owner_name": "Chủ hồ sơ", "owner_id": "Số định danh"}


def register(subcommands: Any, leaf: Callable[..., Any]) -> None:
    help_ = "nhận dạng chữ (OCR) trên trang quét và đọc các trường của giấy tờ"
    p = leaf(subcommands, "ocr", help_, cmd_ocr)
    p.add_argument("files", nargs="+", metavar="TỆP", help="tệp ảnh JPEG, PNG, TIFF hoặc PDF")
    p.add_argument("--lang", default="vie", metavar="NGÔN_NGỮ",
                   help="mô hình ngôn ngữ Tesseract (mặc định: vie; vd vie+eng)")
    p.add_argument("--workers", type=int_in_range(1, 16), default=1, metavar="N",
                   help="số tiến trình song song")


def cmd_ocr(args: argparse.Namespace, out: Output) -> int:
    from app.scanning.pipeline import PageFailure
    from app.services.ocr.reading import ocr_files

    started = time.perf_counter()
    outcomes = list(ocr_files(list(args.files), lang=args.lang, workers=args.workers))
    seconds = time.perf_counter() - started
    failed = any(isinstance(o, PageFailure) for o in outcomes)
    if out.as_json:
        out.json({"pages": [o.to_json() for o in outcomes], "seconds": round(seconds, 3)})
        return EXIT_ERROR if failed else EXIT_OK
    for o in outcomes:
        where = f"{o.source} trang {o.index + 1}"
        if isinstance(o, PageFailure):
            out.warn(f"Lỗi: {where}: {o.error_vi or o.error}")
            continue
        out.text(f"== {where} (độ tin cậy {o.ocr.confidence:.0%})")
        for name, label in FIELD_LABELS_VI.items():
            value = o.fields.get(name)
            if value is not None:
                out.text(f"  {label}: {value} ({o.fields.confidence(name):.0%})")
        out.text(o.ocr.text)
    out.text(f"{sum(1 for o in outcomes if not isinstance(o, PageFailure))}/{len(outcomes)} trang, "
             f"{seconds:.2f} giây.")
    return EXIT_ERROR if failed else EXIT_OK
