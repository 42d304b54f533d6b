"""Batch digitising commands of ``motcua``: separator sheets and batch scanning.

    motcua separator --out FILE.pdf [--type RESULT_CODE] [--count N] [--record ID] [--json]
    motcua batch --source URI [--profile NAME] [--new] [--details] [--json]
    motcua batch --resume [--json]
    motcua batch --cancel BATCH_ID [--json]

``separator`` writes N A4 separator sheets (QR payload ``MOTCUA-SEP:1[;type=CODE][;rec=ID]``,
the heading "TÁCH TÀI LIỆU — TÀI LIỆU MỚI", the type's name and code, a Patch T bar pattern).

``batch`` takes the pages of ``URI`` (a ``folder:`` source in file-name order), splits them into
documents at separator sheets (ours, or Patch T) and stores each document as a PDF. An unfinished
batch of the same source and profile is resumed rather than started again (``--new`` starts a new
one). ``--json`` prints exactly ``{"documents": [{"pages": [<input file names, in order,
separators excluded>], "separator": <payload or null>, "blank_pages": [<names>]}]}``; with
``--details`` also the quality gates, accounting and progress, and per document its warehouse
record (``warehouse_record``) or why the clerk set it aside (``set_aside``: ``{"reason", "by",
"at"}`` or null). A page that cannot be read is kept in its document's ``pages`` (flagged
``unreadable``) and makes the exit code 1. Errors: one line, ``{"error": "<English>"}`` with
``--json``, Vietnamese otherwise; a malformed command line exits 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.cli.common import file_name

EXIT_OK = 0
EXIT_ERROR = 1


class _Out(Protocol):
    as_json: bool

    def json(self, data: Any) -> None: ...
    def text(self, text: str = "") -> None: ...
    def warn(self, text: str) -> None: ...


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be 1-1000, got {value}")
    return value


def _batch_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid batch id {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid batch id {text!r}")
    return value


def _separator_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=file_name, metavar="FILE.pdf", help="tệp PDF ghi các tờ tách")
    p.add_argument("--type", dest="result_type", metavar="MÃ_KẾT_QUẢ",
                   help="mã kết quả (loại tài liệu) in trên tờ tách, vd KQ.1.000894")
    p.add_argument("--count", type=_count, default=1, metavar="N", help="số tờ (mặc định 1)")
    p.add_argument("--record", metavar="MÃ", help="mã bản ghi đã cấp trước (tùy chọn)")


def _batch_arguments(p: argparse.ArgumentParser) -> None:
    from app.scanning.profile import PROFILES

    p.add_argument("--source", metavar="URI",
                   help="nguồn trang: folder:THƯ_MỤC (theo thứ tự tên tệp), file:TỆP, sane:THIẾT_BỊ, "
                        "escl:URL…")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default", metavar="TÊN",
                   help=f"hồ sơ quét: {', '.join(sorted(PROFILES))} (mặc định: default)")
    p.add_argument("--new", action="store_true", help="luôn bắt đầu lô mới (không tiếp tục lô dở dang)")
    p.add_argument("--details", action="store_true",
                   help="với --json: thêm kết quả kiểm tra chất lượng, đối soát số trang, tiến độ")
    p.add_argument("--resume", action="store_true", help="hoàn tất các lô bị gián đoạn")
    p.add_argument("--cancel", type=_batch_id, metavar="SỐ_LÔ", help="hủy một lô dở dang")


def register(subcommands: Any, leaf: Callable[..., Any]) -> None:
    """The ``app.cli.runner`` style: ``leaf(sub, name, help, handler)`` adds the globals and handler."""
    help_ = "in tờ tách tài liệu (mã QR, Patch T) để quét theo lô"
    _separator_arguments(leaf(subcommands, "separator", help_, cmd_separator))
    help_ = "số hóa theo lô: tách chồng trang thành từng tài liệu theo tờ tách"
    _batch_arguments(leaf(subcommands, "batch", help_, cmd_batch))


def cmd_separator(args: argparse.Namespace, out: _Out) -> int:
    from app.services.batch import separator_sheets

    sheets = separator_sheets(args.result_type, args.count, args.record)
    path = Path(args.out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sheets.pdf)
    except OSError as exc:
        from app.core.errors import MotCuaError

        raise MotCuaError(f"cannot write {path}: {exc.strerror or exc}",
                          f"không ghi được tệp {path}: {exc.strerror or exc}") from None
    if out.as_json:
        out.json({"file": str(path), "count": sheets.count, "payload": sheets.payload,
                  "type": sheets.result_code, "type_name": sheets.type_name, "bytes": len(sheets.pdf)})
        return EXIT_OK
    if sheets.result_code and sheets.type_name is None:
        out.warn(f"Chú ý: mã kết quả {sheets.result_code} không có trong danh mục; tờ tách chỉ in mã.")
    kind = f" cho loại {sheets.type_name or sheets.result_code}" if sheets.result_code else ""
    out.text(f"Đã ghi {sheets.count} tờ tách tài liệu{kind} vào {path}.")
    out.text(f"Nội dung mã QR: {sheets.payload}")
    return EXIT_OK


def _document_lines(doc: Any) -> list[str]:
    labels = {"blank": "trang trắng", "unreadable": "không đọc được", "pipeline_failed": "lỗi xử lý ảnh",
              "too_dark": "quá tối", "too_light": "quá nhạt", "cut_off": "bị mất mép",
              "duplicate": "trùng trang", "near_duplicate": "gần trùng trang"}
    head = f"Tài liệu {doc.number + 1}: {len(doc.pages)} trang"
    if doc.separator:
        head += f", tờ tách {doc.result_code or doc.separator}"
    head += "" if doc.accepted else " — CẦN KIỂM TRA"
    if doc.warehouse_record:
        head += f" — đã nhập {doc.warehouse_record}"
    elif doc.set_aside_reason:
        head += f" — để riêng: {doc.set_aside_reason}"
    lines = [head, "  Trang: " + ", ".join(doc.pages)]
    lines += [f"  {labels.get(flag, flag)}: {', '.join(names)}" for flag, names in sorted(doc.flags.items())]
    return lines


def _report(outcome: Any, out: _Out, details: bool) -> int:
    failed = bool(outcome.failures) or not outcome.accounting.ok
    if out.as_json:
        out.json(outcome.details_json() if details else outcome.to_json())
    else:
        acc, prog = outcome.accounting, outcome.progress
        out.text(f"Lô {outcome.batch.id} ({outcome.batch.source}): {len(outcome.documents)} tài liệu, "
                 f"{acc.delivered} trang nhận được = {acc.stored} trang lưu + {acc.separators} tờ tách"
                 f" + {acc.failed} trang lỗi" + ("" if acc.ok else " — SỐ TRANG KHÔNG KHỚP"))
        out.text(f"Tốc độ: {prog.pages_per_hour:,.0f} trang/giờ".replace(",", "."))
        for doc in outcome.documents:
            for line in _document_lines(doc):
                out.text(line)
    for failure in outcome.failures:
        out.warn(f"Không đọc được trang {failure.name}: {failure.error}")
    return EXIT_ERROR if failed else EXIT_OK


def cmd_batch(args: argparse.Namespace, out: _Out) -> int:
    import signal
    import threading

    from app.cli.common import UsageError, open_context
    from app.core.progress import CancelToken
    from app.services.auth import SYSTEM_OFFICER
    from app.services.batch import cancel_batch, resume_batches, scan_batch

    chosen = [name for name in ("source", "resume", "cancel") if getattr(args, name)]
    if len(chosen) != 1:
        raise UsageError("batch needs exactly one of --source URI, --resume, --cancel BATCH_ID")
    if args.cancel:
        with open_context(args) as ctx:
            batch = cancel_batch(ctx, args.cancel, officer=SYSTEM_OFFICER)
        if out.as_json:
            out.json({"batch": batch.id, "state": batch.state})
        else:
            out.text(f"Đã hủy lô số hóa {batch.id}.")
        return EXIT_OK
    if args.resume:
        with open_context(args) as ctx:
            outcomes = resume_batches(ctx, officer=SYSTEM_OFFICER)
        if out.as_json:
            out.json({"batches": [{"batch": o.batch.id, **(o.details_json() if args.details else o.to_json())}
                                  for o in outcomes]})
            return EXIT_ERROR if any(o.failures for o in outcomes) else EXIT_OK
        if not outcomes:
            out.text("Không có lô số hóa nào bị gián đoạn.")
        codes = [_report(o, out, args.details) for o in outcomes]
        return max(codes, default=EXIT_OK)
    cancel = CancelToken()
    previous = None
    if threading.current_thread() is threading.main_thread():  # Ctrl-C: stop between pages, resumable
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        with open_context(args, create=True) as ctx:
            outcome = scan_batch(ctx, args.source, args.profile, officer=SYSTEM_OFFICER, cancel=cancel,
                                 resume=not args.new)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if cancel.cancelled:
        from app.core.progress import CancelledError

        raise CancelledError()
    return _report(outcome, out, args.details)
