"""``motcua accept``, ``handover``, ``supplement request|receive``, ``refuse``, ``postpone``, ``stop``,
``withdraw`` and ``done``: the dossier's life after reception from the command line.

Times (``--at``, ``--new-due``) are ``YYYY-MM-DD HH:MM`` or ``dd/mm/yyyy HH:MM``. ``--out FILE.pdf``
writes the action's slip (Mẫu 02, 03, 04, the stop notice) as the dossier is after the action; the
action is kept even if the file cannot be written (the error says so and how to print it again).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    Output,
    add_officer_option,
    fmt_dt,
    officer_of,
    open_context,
    vi_dt,
)

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]
TIME_METAVAR = '"YYYY-MM-DD HH:MM"|"dd/mm/yyyy HH:MM"'


def _time(text: str | None) -> datetime | None:
    """A time option, parsed here (not by argparse) so a bad value is an error of the command:
    Vietnamese message, ``{"error": ...}`` with --json, exit 1."""
    if text is None:
        return None
    from app.core.dates import parse_cli_datetime

    return parse_cli_datetime(text)


def _officer(ctx: Any, args: argparse.Namespace) -> Any:
    """The officer who acts: ``--officer`` or the station's default officer (never a placeholder: the
    history, the audit trail and the slips name a real person)."""
    return officer_of(ctx, args)


def _slip(args: argparse.Namespace, out: Output, code: str, slip_name: str) -> int:
    """Write the action's slip to ``--out`` (if asked); the action itself is already stored."""
    if not getattr(args, "out", None):
        return EXIT_OK
    from app.core.errors import MotCuaError
    from app.core.lifecycle import Slip
    from app.services.reception.printing import export_slip_of

    try:
        with open_context(args) as ctx:
            path = export_slip_of(ctx, Slip(slip_name), code, Path(args.out), _officer(ctx, args))
    except MotCuaError as exc:
        out.warn(f"Lỗi: đã lưu thao tác cho hồ sơ {code} nhưng không ghi được phiếu: {exc.message_vi}")
        return EXIT_ERROR
    if not out.as_json:
        out.text(f"Đã ghi phiếu ra tệp {path}")
    return EXIT_OK


def _report(out: Output, data: dict[str, Any], text: str) -> None:
    if out.as_json:
        out.json(data)
    else:
        out.text(text)


def cmd_accept(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.accept(ctx, args.code, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status), "due_at": fmt_dt(d.due_at)},
            f"Đã tiếp nhận hồ sơ trực tuyến {d.code}. Hẹn trả kết quả: {vi_dt(d.due_at)}.")
    return EXIT_OK


def cmd_handover(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.handover(ctx, args.code, args.to, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status)},
            f"Đã chuyển hồ sơ {d.code} cho {args.to.strip()} xử lý. Trạng thái: {d.status.label_vi}.")
    return EXIT_OK


def cmd_done(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.mark_done(ctx, args.code, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status)},
            f"Hồ sơ {d.code}: {d.status.label_vi}. Có thể trả kết quả cho người dân.")
    return EXIT_OK


def cmd_supplement_request(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.request_supplement(ctx, args.code, args.item, args.reason, _officer(ctx, args),
                                         _time(args.at))
    request = d.supplements[-1]
    repeated = f" (lần thứ {request.sequence}: tính là trễ hạn)" if request.sequence > 1 else ""
    _report(out, {"code": d.code, "status": int(d.status)},
            f"Đã yêu cầu bổ sung hồ sơ {d.code}{repeated}: {'; '.join(request.items)}. "
            "Thời hạn giải quyết tạm dừng đến khi nhận đủ hồ sơ bổ sung.")
    return _slip(args, out, d.code, "supplement_request")


def cmd_supplement_receive(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.receive_supplement(ctx, args.code, _officer(ctx, args), _time(args.at))
    step = d.history[-1]
    _report(out, {"code": d.code, "status": int(d.status), "due_at": fmt_dt(d.due_at),
                  "previous_due_at": fmt_dt(step.previous_due_at)},
            f"Đã nhận hồ sơ bổ sung {d.code}. Trạng thái: {d.status.label_vi}. Hẹn trả: "
            f"{vi_dt(d.due_at)} (trước đó {vi_dt(step.previous_due_at)}).")
    return EXIT_OK


def cmd_refuse(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.refuse(ctx, args.code, args.reason, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status)}, f"Đã từ chối tiếp nhận hồ sơ {d.code}.")
    return _slip(args, out, d.code, "refusal")


def cmd_postpone(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    new_due = _time(args.new_due)
    assert new_due is not None  # a required option
    with open_context(args) as ctx:
        d = lifecycle.postpone(ctx, args.code, new_due, args.reason, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "due_at": fmt_dt(d.due_at)},
            f"Đã hẹn lại ngày trả kết quả hồ sơ {d.code}: {vi_dt(d.due_at)}.")
    return _slip(args, out, d.code, "apology")


def cmd_stop(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.stop(ctx, args.code, args.reason, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status)}, f"Đã dừng giải quyết hồ sơ {d.code}.")
    return _slip(args, out, d.code, "stop_notice")


def cmd_withdraw(args: argparse.Namespace, out: Output) -> int:
    from app.services import lifecycle

    with open_context(args) as ctx:
        d = lifecycle.withdraw(ctx, args.code, args.reason, _officer(ctx, args), _time(args.at))
    _report(out, {"code": d.code, "status": int(d.status)}, f"Công dân đã rút hồ sơ {d.code}.")
    return EXIT_OK


def _code(p: Any) -> None:
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")
    add_officer_option(p)


def _at(p: Any, what: str) -> None:
    p.add_argument("--at", metavar=TIME_METAVAR, help=f"thời điểm {what} (mặc định: bây giờ)")


def _out(p: Any, form: str) -> None:
    p.add_argument("--out", metavar="TỆP.pdf", help=f"ghi {form} ra tệp PDF")


def register(commands: Any, leaf: Leaf) -> None:
    """Add the dossier actions after reception to the ``motcua`` sub-commands."""
    p = leaf(commands, "accept", "tiếp nhận hồ sơ nộp trực tuyến (1 → 2; hẹn trả tính từ lúc tiếp nhận)",
             cmd_accept)
    _code(p)
    _at(p, "tiếp nhận")

    p = leaf(commands, "handover", "chuyển hồ sơ cho đơn vị, cán bộ xử lý (2 → 4)", cmd_handover)
    _code(p)
    p.add_argument("--to", required=True, metavar="ĐƠN_VỊ", help="đơn vị hoặc cán bộ nhận hồ sơ")
    _at(p, "chuyển")

    p = leaf(commands, "done", "ghi nhận hồ sơ đã có kết quả (4 → 9, hoặc 2 → 9)", cmd_done)
    _code(p)
    _at(p, "có kết quả")

    supplement = commands.add_parser("supplement", help="yêu cầu bổ sung hồ sơ và nhận hồ sơ bổ sung")
    sub = supplement.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(sub, "request", "yêu cầu bổ sung, hoàn thiện hồ sơ (→ 5; in Mẫu 02)", cmd_supplement_request)
    _code(p)
    p.add_argument("--item", required=True, action="append", metavar="GIẤY_TỜ",
                   help="giấy tờ cần bổ sung (lặp lại được)")
    p.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do yêu cầu bổ sung")
    _at(p, "yêu cầu")
    _out(p, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)")
    p = leaf(sub, "receive", "nhận hồ sơ bổ sung (5 → trạng thái trước đó; tính lại ngày hẹn)",
             cmd_supplement_receive)
    _code(p)
    _at(p, "nhận")

    p = leaf(commands, "refuse", "từ chối tiếp nhận hồ sơ (→ 3; in Mẫu 03)", cmd_refuse)
    _code(p)
    p.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do từ chối")
    _at(p, "từ chối")
    _out(p, "Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)")

    p = leaf(commands, "postpone", "xin lỗi và hẹn lại ngày trả kết quả (in Mẫu 04)", cmd_postpone)
    _code(p)
    p.add_argument("--new-due", required=True, metavar=TIME_METAVAR, help="ngày, giờ hẹn trả mới")
    p.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do chậm trả kết quả")
    _at(p, "hẹn lại")
    _out(p, "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)")

    p = leaf(commands, "stop", "dừng giải quyết hồ sơ (→ 8; in Thông báo dừng giải quyết)", cmd_stop)
    _code(p)
    p.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do dừng giải quyết")
    _at(p, "dừng")
    _out(p, "Thông báo dừng giải quyết hồ sơ")

    p = leaf(commands, "withdraw", "công dân rút hồ sơ (→ 7)", cmd_withdraw)
    _code(p)
    p.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do rút hồ sơ")
    _at(p, "rút")
