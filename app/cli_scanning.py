"""Scanning commands of ``motcua``: ``pipeline`` runs the page pipeline on image files.

    motcua pipeline [--out FILE.pdf] [--workers N] [--profile NAME] [--json] IMAGE...

Files are treated as if they came from a scanner. With ``--json`` one object is printed:
``{"pages": [{"file", "page", "skew_deg", "blank", "barcodes", "corners", "color", "bytes"}],
"seconds"}``; a file or page that cannot be read gets ``{"file", "page", "error"}`` instead, the
others are still processed, and the exit code is 1. ``app.cli.runner`` wires these in
with ``cli_scanning.register(subcommands, leaf)`` (or :func:`add_parsers`); ``python -m
app.cli_scanning pipeline ...`` runs them on their own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
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


def _own_globals(parser: argparse.ArgumentParser) -> None:
    """The global options of ``app.cli`` as a sub-command declares them (SUPPRESS keeps the value
    given before the command)."""
    group = parser.add_argument_group("tùy chọn chung")
    group.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="thư mục dữ liệu")
    group.add_argument("--db-url", metavar="URL", default=argparse.SUPPRESS, help="địa chỉ CSDL")
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="in kết quả dạng JSON cho máy đọc")


def add_parsers(subparsers: Any,
                add_globals: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
    """Add the scanning commands to ``motcua``'s sub-command parsers; ``add_globals(parser)`` declares
    the global options on each (default: a copy of ``app.cli``'s, with SUPPRESS defaults)."""
    help_ = "xử lý ảnh như trang vừa quét: chỉnh nghiêng, cắt viền, trang trắng, mã vạch, nén"
    p = subparsers.add_parser("pipeline", help=help_, description=help_)
    (add_globals or _own_globals)(p)
    p.set_defaults(handler=cmd_pipeline)
    _pipeline_arguments(p)


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


# --------------------------------------------------------------------------- standalone entry


class _Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def text(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def warn(self, text: str) -> None:
        sys.stderr.write(text + "\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[no-untyped-def]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app.cli_scanning COMMAND ...`` until ``app.cli`` wires the commands in."""
    from app.core.errors import MotCuaError

    argv = list(sys.argv[1:] if argv is None else argv)
    out = _Output(as_json="--json" in argv)
    parser = _Parser(prog="motcua")
    parser.add_argument("--json", action="store_true", default=False)
    add_parsers(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    try:
        args = parser.parse_args(argv)
        out.as_json = bool(args.json)
        return int(args.handler(args, out))
    except _UsageError as exc:
        code, en, vi = EXIT_USAGE, f"usage: {exc}", f"lệnh không hợp lệ: {exc}"
    except MotCuaError as exc:
        code, en, vi = EXIT_ERROR, exc.message_en, exc.message_vi
    if out.as_json:
        out.json({"error": en})
    else:
        sys.stderr.write(f"Lỗi: {vi}\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
