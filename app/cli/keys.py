"""``motcua keys``: the encryption keys of the data folder (status, set-secret, rotate, recover)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_OK, Output

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]


def _status_json(s: Any) -> dict[str, Any]:
    return {"data_dir": str(s.data_dir), "folder_id": s.folder_id, "key_id": s.key_id, "state": s.state,
            "recovery_set": s.recovery_set, "keyring_usable": s.keyring_usable,
            "key_store": s.key_store, "unlocked": s.unlocked,
            "error": s.unlock_error, "copied_from": s.copied_from}


def cmd_status(args: argparse.Namespace, out: Output) -> int:
    from app.services import keys

    s = keys.status(args.data_dir)
    if out.as_json:
        out.json(_status_json(s))
        return EXIT_OK
    out.text(f"Thư mục dữ liệu: {s.data_dir} (mã {s.folder_id})")
    if s.copied_from:
        out.text(f"Thư mục này là bản chép của {s.copied_from}: đã nhận mã thư mục riêng, đổi khóa ở đây "
                 "không ảnh hưởng thư mục gốc.")
    state = "mở được" if s.unlocked else f"KHÔNG mở được: {s.unlock_error}"
    out.text(f"Khóa hiện tại: {s.key_id} — {state}")
    out.text("Mã khôi phục của quản trị viên: " + ("đã đặt" if s.recovery_set else
                                                   "CHƯA đặt (chạy “motcua keys set-secret --generate”)"))
    out.text("Nơi giữ khóa trên máy này: "
             + ("kho khóa của hệ điều hành" if s.keyring_usable else
                "tệp khóa của máy trong thư mục cấu hình người dùng (không có kho khóa của hệ điều hành)"))
    return EXIT_OK


def cmd_set_secret(args: argparse.Namespace, out: Output) -> int:
    from app.services import keys

    secret = None if args.generate else keys.secret_from_env(args.secret_env)
    if secret is None and not args.generate:
        from app.cli.common import UsageError

        raise UsageError("give --secret-env VAR or --generate")
    chosen = keys.set_secret(args.data_dir, secret, old_secret=keys.secret_from_env(args.old_secret_env))
    if out.as_json:
        out.json({"ok": True, "secret": chosen if args.generate else None})
        return EXIT_OK
    out.text("Đã bảo vệ khóa dữ liệu bằng mã khôi phục.")
    if args.generate:
        out.text(f"MÃ KHÔI PHỤC (chỉ hiện một lần, hãy in ra và cất vào tủ an toàn): {chosen}")
    return EXIT_OK


def cmd_rotate(args: argparse.Namespace, out: Output) -> int:
    from app.services import keys

    result = keys.rotate(args.data_dir, args.db_url, keys.secret_from_env(args.secret_env))
    if out.as_json:
        out.json({"old_key_id": result.old_key_id, "new_key_id": result.new_key_id, "blobs": result.blobs,
                  "databases": result.databases, "spool_files": result.spool_files})
        return EXIT_OK
    out.text(f"Đã đổi khóa {result.old_key_id} → {result.new_key_id}: mã hóa lại {result.blobs} tệp lưu trữ, "
             f"{result.spool_files} tệp trong hàng đợi quét, {result.databases} tệp cơ sở dữ liệu.")
    out.text("Các bản sao lưu cũ vẫn dùng khóa cũ: khôi phục chúng cần mã khôi phục (--secret-env).")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, out: Output) -> int:
    from app.services import keys

    secret = keys.secret_from_env(args.secret_env)
    key_file = Path(args.key_file).expanduser() if args.key_file else None
    s = keys.recover(args.data_dir, secret, key_file)  # type: ignore[arg-type]
    if out.as_json:
        out.json(_status_json(s))
        return EXIT_OK
    out.text(f"Đã khôi phục khóa {s.key_id} vào kho khóa của máy này; dữ liệu mở được.")
    return EXIT_OK


def register(subcommands: Any, leaf: Leaf) -> None:
    """Add ``keys status|set-secret|rotate|recover`` to the ``motcua`` sub-commands."""
    p = subcommands.add_parser("keys", help="khóa mã hóa dữ liệu (quản trị viên)",
                               description="khóa mã hóa dữ liệu (quản trị viên)")
    sub = p.add_subparsers(dest="keys_command", metavar="LỆNH", required=True)
    leaf(sub, "status", "xem khóa mã hóa của thư mục dữ liệu", cmd_status)
    q = leaf(sub, "set-secret", "bảo vệ khóa dữ liệu bằng mã khôi phục của quản trị viên", cmd_set_secret)
    q.add_argument("--secret-env", metavar="TÊN_BIẾN", help="biến môi trường chứa mã khôi phục mới")
    q.add_argument("--generate", action="store_true", help="tạo mã khôi phục mới và in ra một lần")
    q.add_argument("--old-secret-env", metavar="TÊN_BIẾN", help="biến môi trường chứa mã khôi phục cũ")
    q = leaf(sub, "rotate", "đổi khóa dữ liệu: mã hóa lại CSDL và mọi tệp lưu trữ", cmd_rotate)
    q.add_argument("--secret-env", metavar="TÊN_BIẾN", help="biến môi trường chứa mã khôi phục")
    q = leaf(sub, "recover", "đưa khóa dữ liệu về kho khóa của máy này bằng mã khôi phục", cmd_recover)
    q.add_argument("--secret-env", metavar="TÊN_BIẾN", required=True,
                   help="biến môi trường chứa mã khôi phục")
    q.add_argument("--key-file", metavar="TỆP", help="tệp khóa motcua.key lấy từ nơi khác (bản sao lưu)")
