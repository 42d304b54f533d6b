"""Scanning commands of ``motcua``: ``pipeline`` runs the page pipeline on image files; ``scan``
scans from a source into a dossier.

    motcua pipeline [--out FILE.pdf] [--workers N] [--profile NAME] [--json] IMAGE...
    motcua scan --source URI --to DOSSIER_CODE[:COMPONENT_NUMBER] [--profile NAME] [--json]
    motcua scan --resume [--json]

``pipeline``: files are treated as if they came from a scanner. With ``--json`` one object is
printed: ``{"pages": [{"file", "page", "skew_deg", "blank", "barcodes", "corners", "color",
"bytes"}], "seconds"}``; a file or page that cannot be read gets ``{"file", "page", "error"}``
instead, the others are still processed, and the exit code is 1.

``scan``: ``URI`` is ``sane:DEVICE``, ``escl:URL``, ``wia:NAME``, ``twain:NAME``, ``camera:N``,
``folder:PATH`` or ``file:PATH`` (options after ``?``, see :mod:`app.scanning.source_uri`);
``COMPONENT_NUMBER`` counts from 1 as ``catalog show`` and ``receive --component`` do (0 is refused);
``component_index`` in the output is the 0-based position. The pages become one PDF attached
to the dossier; ``--json`` prints ``{"code", "component_index", "sha256", "pages", "blank_pages",
"bytes", "file_name"}`` (``blank_pages``: 0-based page numbers, kept in the PDF). ``--resume``
finishes the scans a crash interrupted and prints a list of such objects, then one
``{"batch", "error", "pages", "quarantined": true}`` per batch that could not be finished (set
aside, exit code 1) and one ``{"batch", "left": true}`` per batch still in use. Each scan object
also lists ``failures``: ``{"file", "page", "error"}`` of the pages set aside. Ctrl-C stops between
pages. ``app.cli.runner`` wires these in with :func:`register`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.cli.common import file_name, int_in_range

EXIT_OK = 0
EXIT_ERROR = 1
MAX_WORKERS = 64


class _Out(Protocol):
    as_json: bool

    def json(self, data: Any) -> None: ...
    def text(self, text: str = "") -> None: ...
    def warn(self, text: str) -> None: ...


_workers = int_in_range(1, MAX_WORKERS)


def _pipeline_arguments(p: argparse.ArgumentParser) -> None:
    from app.scanning.profile import PROFILES

    p.add_argument("images", nargs="+", metavar="ẢNH", help="tệp ảnh JPEG, PNG, TIFF, WebP hoặc PDF")
    p.add_argument("--out", type=file_name, metavar="FILE.pdf", help="ghép các trang thành một tệp PDF")
    p.add_argument("--workers", type=_workers, default=1, metavar="N", help="số tiến trình song song")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default", metavar="TÊN",
                   help=f"hồ sơ quét: {', '.join(sorted(PROFILES))} (mặc định: default)")
    p.add_argument("--title", metavar="TIÊU_ĐỀ", help="tiêu đề PDF (mặc định: tên tệp)")
    p.add_argument("--dossier-code", default="", metavar="MÃ", help="mã hồ sơ ghi vào PDF")
    p.add_argument("--component", default="", metavar="TÊN", help="thành phần hồ sơ ghi vào PDF")
    p.add_argument("--officer", default="", metavar="TÊN", help="cán bộ tiếp nhận ghi vào PDF")


def _scan_arguments(p: argparse.ArgumentParser) -> None:
    from app.scanning.profile import PROFILES

    p.add_argument("--source", metavar="URI",
                   help="nguồn quét: sane:THIẾT_BỊ, escl:URL, wia:TÊN, twain:TÊN, camera:N, folder:THƯ_MỤC, "
                        "file:TỆP (tùy chọn sau “?”, vd sane:test?source=adf&resolution=300)")
    p.add_argument("--to", metavar="MÃ_HỒ_SƠ[:CHỈ_SỐ]",
                   help="hồ sơ nhận bản quét, kèm chỉ số thành phần hồ sơ (từ 0) nếu có")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default", metavar="TÊN",
                   help=f"hồ sơ quét: {', '.join(sorted(PROFILES))} (mặc định: default)")
    p.add_argument("--resume", action="store_true",
                   help="hoàn tất các lượt quét bị gián đoạn (mất điện, chương trình bị tắt)")


def register(subcommands: Any, leaf: Callable[..., Any]) -> None:
    """The ``app.cli.runner`` style: ``leaf(sub, name, help, handler)`` adds the globals and handler."""
    help_ = "xử lý ảnh như trang vừa quét: chỉnh nghiêng, cắt viền, trang trắng, mã vạch, nén"
    _pipeline_arguments(leaf(subcommands, "pipeline", help_, cmd_pipeline))
    help_ = "quét tài liệu vào hồ sơ (một tệp PDF cho mỗi thành phần hồ sơ)"
    _scan_arguments(leaf(subcommands, "scan", help_, cmd_scan))


def parse_target(text: str) -> tuple[str, int | None]:
    """``CODE`` or ``CODE:NUMBER`` (dossier codes contain no colon) -> the code and the 0-based index."""
    code, colon, index = text.strip().rpartition(":")
    if not colon:
        return text.strip(), None
    if not index.isdigit() or not code or int(index) < 1:
        from app.cli.common import UsageError

        raise UsageError(f"--to expects DOSSIER_CODE[:COMPONENT_NUMBER] (components numbered from 1 as in "
                         f"`motcua catalog show`), got {text!r}")
    return code, int(index) - 1


def _scan_lines(outcome: Any) -> list[str]:
    a = outcome.attachment
    where = f"hồ sơ {outcome.code}"
    if outcome.component_index is not None:
        name = outcome.component_name
        name = name if len(name) <= 60 else name[:59] + "…"
        where += f", thành phần số {outcome.component_index + 1}" + (f" ({name})" if name else "")
    size = f"{a.size / 1_048_576:.1f} MB".replace(".", ",") if a.size >= 1_048_576 else f"{a.size // 1024} KB"
    lines = [f"Đã quét {outcome.pages} trang vào {where}.",
             f"Tệp: {a.file_name} ({size}), SHA-256 {a.sha256}"]
    if outcome.blank_pages:
        pages = ", ".join(str(i + 1) for i in outcome.blank_pages)
        lines.append(f"Trang có vẻ để trắng (vẫn giữ trong PDF, cần kiểm tra): {pages}")
    lines += [f"Mã {b.format} ở trang {b.page + 1}: {b.text}" for b in outcome.barcodes]
    lines += [f"Không đọc được: {f.source} trang {f.index + 1}: {f.error_vi or f.error}"
              for f in outcome.failures]
    return lines


def cmd_scan(args: argparse.Namespace, out: _Out) -> int:
    import signal
    import threading

    from app.cli.common import UsageError, open_context
    from app.core.progress import CancelToken
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.scanning.dossier_scan import recover_at_startup, scan_into_dossier

    if args.resume:
        if args.source or args.to:
            raise UsageError("--resume takes no --source or --to")
        return _resume(args, out)
    if not args.source or not args.to:
        raise UsageError("scan needs --source URI and --to DOSSIER_CODE[:COMPONENT_NUMBER] (or --resume)")
    code, index = parse_target(args.to)
    cancel = CancelToken()
    previous = None
    if threading.current_thread() is threading.main_thread():  # Ctrl-C: stop between pages, cleanly
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        with open_context(args) as ctx:
            _recovered, notice = recover_at_startup(ctx)  # pages a crash left in the spool first
            if notice:
                print(notice, file=sys.stderr)
            outcome = scan_into_dossier(ctx, args.source, code, index, SYSTEM_OFFICER, profile=args.profile,
                                        cancel=cancel)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if out.as_json:
        out.json(outcome.to_json())
        return EXIT_OK
    for line in _scan_lines(outcome):
        out.text(line)
    return EXIT_OK


def _resume(args: argparse.Namespace, out: _Out) -> int:
    """Every batch is accounted for: attached, set aside (with its reason) or left (in use)."""
    from app.cli.common import open_context
    from app.services.scanning.dossier_scan import resume_report

    with open_context(args) as ctx:
        report = resume_report(ctx)
    if out.as_json:
        out.json([o.to_json() for o in report.outcomes] + [q.to_json() for q in report.set_aside]
                 + [{"batch": name, "left": True} for name in report.left])
    else:
        if not (report.outcomes or report.set_aside or report.left):
            out.text("Không có lượt quét nào bị gián đoạn.")
        for outcome in report.outcomes:
            for line in _scan_lines(outcome):
                out.text(line)
        for q in report.set_aside:
            out.warn(f"Lượt quét {q.batch} không đưa được vào hồ sơ, đã để riêng: {q.reason_vi or q.reason}")
        for name in report.left:
            out.text(f"Lượt quét {name} đang được dùng hoặc bị dừng: để lại trong hàng đợi.")
    return EXIT_ERROR if report.set_aside else EXIT_OK


def cmd_pipeline(args: argparse.Namespace, out: _Out) -> int:
    from app.scanning.parallel_pages import process_files
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
