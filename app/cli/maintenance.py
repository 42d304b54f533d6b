"""``motcua backup``, ``backup-schedule``, ``restore``, ``verify`` and ``diagnostics``.

    motcua backup DEST [--json]
        {"folder", "created_at", "dialect", "db_revision", "files", "bytes", "blobs", "linked",
         "warnings": [...]}
    motcua backup-schedule [--folder DIR | --off] [--keep N] [--run] [--json]
        {"folder", "keep", "last_at", "ran": {backup result} | null}
    motcua restore SRC [--json]
        {"source", "created_at", "dialect", "files", "blobs", "previous"}
    motcua verify [--json]
        {"ok", "problems": [{"kind", "detail", "ref"}], "checked": {"blobs", "dossiers", "audit_rows"}}
        exit 0 only when ok, 1 otherwise
    motcua diagnostics --out FILE.zip [--no-verify] [--json]
        {"path", "files": [...], "verify_ok"}
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, Output, file_name, int_in_range, open_context, vi_dt

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]
KIND_LABELS_VI = {
    "db_integrity": "Cơ sở dữ liệu",
    "blob_missing": "Thiếu tệp lưu trữ",
    "blob_corrupt": "Tệp lưu trữ hỏng",
    "dossier_file_missing": "Thiếu tệp của hồ sơ",
    "audit_chain": "Nhật ký kiểm tra bị sửa",
    "backup_untrusted": "Bản sao lưu không tin cậy được",
    "spool_left": "Trang quét còn trong hàng đợi",
    "quarantine": "Trang quét bị cách ly",
}


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def backup_json(result: Any) -> dict[str, Any]:
    return {"folder": str(result.folder), "created_at": result.created_at.isoformat(timespec="seconds"),
            "dialect": result.dialect, "db_revision": result.db_revision, "files": result.files,
            "bytes": result.bytes, "blobs": result.blobs, "linked": result.linked,
            "warnings": list(result.warnings)}


def _print_backup(out: Output, result: Any) -> None:
    out.text(f"Đã sao lưu vào {result.folder}")
    out.text(f"{result.files} tệp, {_size(result.bytes)}; {result.blobs} tệp lưu trữ"
             + (f" ({result.linked} dùng lại từ bản trước)" if result.linked else "") + ".")
    for warning in result.warnings:
        out.warn(f"Cảnh báo: {warning}")


def cmd_backup(args: argparse.Namespace, out: Output) -> int:
    from app.services.backup import create_backup

    with open_context(args) as ctx:
        result = create_backup(ctx, Path(args.dest).expanduser().resolve())
    if out.as_json:
        out.json(backup_json(result))
    else:
        _print_backup(out, result)
    return EXIT_OK


def cmd_backup_schedule(args: argparse.Namespace, out: Output) -> int:
    from app.services.backup import get_schedule, run_scheduled_backup, set_schedule

    with open_context(args) as ctx:
        if args.off:
            schedule = set_schedule(ctx, None, args.keep)
        elif args.folder is not None or args.keep is not None:
            current = get_schedule(ctx)
            folder = Path(args.folder).resolve() if args.folder is not None else current.folder
            schedule = set_schedule(ctx, folder, args.keep)
        else:
            schedule = get_schedule(ctx)
        ran = run_scheduled_backup(ctx) if args.run else None
        if ran is not None:
            schedule = get_schedule(ctx)
    if out.as_json:
        out.json({"folder": str(schedule.folder) if schedule.folder else None, "keep": schedule.keep,
                  "last_at": schedule.last_at.isoformat(timespec="seconds") if schedule.last_at else None,
                  "ran": backup_json(ran) if ran is not None else None})
        return EXIT_OK
    if schedule.folder is None:
        out.text("Sao lưu tự động hằng ngày: đang tắt (đặt bằng --folder THƯ_MỤC).")
    else:
        last = vi_dt(schedule.last_at) if schedule.last_at else "chưa có"
        out.text(f"Sao lưu tự động hằng ngày vào {schedule.folder}, giữ {schedule.keep} bản; "
                 f"lần gần nhất: {last}.")
    if ran is not None:
        _print_backup(out, ran)
    elif args.run:
        out.text("Chưa đến hạn sao lưu (bản gần nhất chưa quá 24 giờ) hoặc chưa đặt thư mục.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: Output) -> int:
    from app.services.backup import restore_backup
    from app.services.keys import secret_from_env

    result = restore_backup(Path(args.src).expanduser().resolve(), data_dir=args.data_dir, db_url=args.db_url,
                            secret=secret_from_env(args.secret_env))
    if out.as_json:
        out.json({"source": str(result.source), "created_at": result.created_at.isoformat(timespec="seconds"),
                  "dialect": result.dialect, "files": result.files, "blobs": result.blobs,
                  "previous": str(result.previous) if result.previous else None})
        return EXIT_OK
    out.text(f"Đã khôi phục bản sao lưu {result.source.name} (tạo lúc {vi_dt(result.created_at)}): "
             f"{result.files} tệp.")
    if result.previous is not None:
        out.text(f"Dữ liệu trước khi khôi phục được giữ tại {result.previous}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, out: Output) -> int:
    from app.services.verify import verify_location

    report = verify_location(args.data_dir, args.db_url, deep=args.deep)
    if out.as_json:
        out.json(report.to_json())
    else:
        checked = report.checked
        out.text(f"Đã kiểm tra: {checked['dossiers']} hồ sơ, {checked['blobs']} tệp lưu trữ, "
                 f"{checked['audit_rows']} dòng nhật ký kiểm tra.")
        if report.ok:
            out.text("Dữ liệu toàn vẹn: không phát hiện lỗi.")
        else:
            out.text(f"Phát hiện {len(report.problems)} lỗi:")
            for p in report.problems:
                out.text(f"- [{KIND_LABELS_VI.get(p.kind, p.kind)}] {p.detail}")
            out.text("Hãy khôi phục từ bản sao lưu gần nhất (motcua restore) hoặc liên hệ hỗ trợ.")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_diagnostics(args: argparse.Namespace, out: Output) -> int:
    from app.services.diagnostics import collect_diagnostics

    with open_context(args) as ctx:
        result = collect_diagnostics(ctx, Path(args.out), run_verify=not args.no_verify)
    if out.as_json:
        out.json({"path": str(result.path), "files": result.files, "verify_ok": result.verify_ok})
    else:
        out.text(f"Đã lưu thông tin chẩn đoán (không có dữ liệu cá nhân) vào {result.path}")
    return EXIT_OK


_keep = int_in_range(1, 365)


def register(subcommands: Any, leaf: Leaf) -> None:
    """Add backup, backup-schedule, restore, verify and diagnostics to the ``motcua`` sub-commands."""
    p = leaf(subcommands, "backup", "sao lưu dữ liệu (trong khi vẫn làm việc) vào một thư mục", cmd_backup)
    p.add_argument("dest", metavar="THƯ_MỤC", help="nơi tạo thư mục sao lưu motcua-<ngày>-<giờ>")
    p = leaf(subcommands, "backup-schedule", "xem hoặc đặt sao lưu tự động hằng ngày", cmd_backup_schedule)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--folder", metavar="THƯ_MỤC", help="thư mục (ổ đĩa thứ hai, USB) nhận bản sao lưu")
    group.add_argument("--off", action="store_true", help="tắt sao lưu tự động")
    p.add_argument("--keep", type=_keep, metavar="N", help="số bản giữ lại (mặc định 7)")
    p.add_argument("--run", action="store_true", help="sao lưu ngay nếu đã đến hạn (dùng cho lịch hệ thống)")
    p = leaf(subcommands, "restore", "khôi phục dữ liệu từ một bản sao lưu (kiểm tra toàn bộ trước)",
             cmd_restore)
    p.add_argument("src", metavar="BẢN_SAO_LƯU", help="thư mục motcua-<ngày>-<giờ> của bản sao lưu")
    p.add_argument("--secret-env", metavar="TÊN_BIẾN",
                   help="biến môi trường chứa mã khôi phục (bản sao lưu mã hóa bằng khóa khác, máy mới)")
    p = leaf(subcommands, "verify",
             "kiểm tra toàn vẹn dữ liệu: CSDL, tệp lưu trữ, tệp hồ sơ, nhật ký kiểm tra", cmd_verify)
    p.add_argument("--deep", action="store_true",
                   help="kiểm tra thêm mọi bản sao lưu trong thư mục sao lưu hằng ngày (như khi khôi phục)")
    p = leaf(subcommands, "diagnostics", "thu thập thông tin chẩn đoán (không có dữ liệu cá nhân) vào "
             "tệp zip", cmd_diagnostics)
    p.add_argument("--out", required=True, type=file_name, metavar="TỆP.zip")
    p.add_argument("--no-verify", action="store_true", help="không chạy kiểm tra dữ liệu")
