"""Scanning commands of ``motcua``: ``pipeline`` runs the page pipeline on image files.

    motcua pipeline [--out FILE.pdf] [--workers N] [--profile NAME] [--json] IMAGE...

Files are treated as if they came from a scanner. With ``--json`` one object is printed:
``{"pages": [{"file", "page", "skew_deg", "blank", "barcodes", "corners", "color", "bytes"}],
"seconds"}``; a file or page that cannot be read gets ``{"file", "page", "error"}`` instead, the
others are still processed, and the exit code is 1. ``app.cli.runner`` wires these in with
:func:`register`.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

EXIT_OK = 0
EXIT_ERROR = 1
MAX_WORKERS = 64


class _Out(Protocol):
    as_json: bool

    def json(self, data: Any) -> None: ...
    def text(self, text: str = "") -> None: ...
    def warn(self, text: str) -> None: ...


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be 1-{MAX_WORKERS}, got {value}")
    return value


def _pipeline_arguments(p: argparse.ArgumentParser) -> None:
    from app.scanning.profile import PROFILES

    p.add_argument("images", nargs="+", metavar="ẢNH", help="tệp ảnh JPEG, PNG, TIFF, WebP hoặc PDF")
    p.add_argument("--out", metavar="FILE.pdf", help="ghép các trang thành một tệp PDF")
    p.add_argument("--workers", type=_workers, default=1, metavar="N", help="số tiến trình song song")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default", metavar="TÊN",
                   help=f"hồ sơ quét: {', '.join(sorted(PROFILES))} (mặc định: default)")
    p.add_argument("--title", metavar="TIÊU_ĐỀ", help="tiêu đề PDF (mặc định: tên tệp)")
    p.add_argument("--dossier-code", default="", metavar="MÃ", help="mã hồ sơ ghi vào PDF")
    p.add_argument("--component", default="", metavar="TÊN", help="thành phần hồ sơ ghi vào PDF")
    p.add_argument("--officer", default="", metavar="TÊN", help="cán bộ tiếp nhận ghi vào PDF")


def register(subcommands: Any, leaf: Callable[..., Any]) -> None:
    """The ``app.cli.runner`` style: ``leaf(sub, name, help, handler)`` adds the globals and handler."""
    help_ = "xử lý ảnh như trang vừa quét: chỉnh nghiêng, cắt viền, trang trắng, mã vạch, nén"
    _pipeline_arguments(leaf(subcommands, "pipeline", help_, cmd_pipeline))


def cmd_pipeline(args: argparse.Namespace, out: _Out) -> int:
    from app.scanning.batch import process_files
    from app.scanning.pdf import PdfMetadata, assemble_pdf
    from app.scanning.pipeline import PageFailure, PageResult
    from app.scanning.profile import get_profile

    started = time.perf_counter()
    profile = get_profile(args.profile)
    outcomes = process_files(list(args.images), profile, workers=args.workers)
    results = [o for o in outcomes if isinstance(o, PageResult)]
    pdf = None
    if args.out and results:
        meta = PdfMetadata(args.title or Path(args.out).stem, args.dossier_code, args.component, args.officer)
        pdf = assemble_pdf([r.encoded for r in results], Path(args.out), meta)
    seconds = time.perf_counter() - started
    failed = any(isinstance(o, PageFailure) for o in outcomes)
    if out.as_json:
        out.json({"pages": [o.to_json() for o in outcomes], "seconds": round(seconds, 3)})
        return EXIT_ERROR if failed else EXIT_OK
    colors = {"color": "màu", "gray": "xám", "bw": "đen trắng"}
    for o in outcomes:
        where = f"{o.source} trang {o.index + 1}"
        if isinstance(o, PageFailure):
            out.warn(f"Lỗi: {where}: {o.error_vi or o.error}")
            continue
        notes = [f"nghiêng {o.skew_deg:+.2f}°", colors[o.color.value], f"{len(o.encoded.data) // 1024} KB"]
        if o.blank:
            notes.append("TRANG TRẮNG (cần kiểm tra)")
        if o.corners is not None:
            notes.append("ảnh chụp (đã nắn phối cảnh)")
        notes += [f"mã {b.format}: {b.text}" for b in o.barcodes]
        out.text(f"{where}: " + "; ".join(notes))
    if pdf is not None:
        kind = "PDF/A-2b" if pdf.pdfa else "PDF"
        out.text(f"Đã ghi {kind} {pdf.path} ({pdf.pages} trang, SHA-256 {pdf.sha256})")
    elif args.out:
        out.warn("Không có trang nào để ghi PDF.")
    out.text(f"{len(results)}/{len(outcomes)} trang, {seconds:.2f} giây.")
    return EXIT_ERROR if failed or (args.out and pdf is None) else EXIT_OK
