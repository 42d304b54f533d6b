"""``motcua fee pay``: record the payment (or the exemption) of a dossier's fee."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.common import EXIT_OK, Output, open_context

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]


def cmd_fee_pay(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.online.fees import pay

    with open_context(args) as ctx:
        state = pay(ctx, args.code, args.amount, args.method, SYSTEM_OFFICER,
                    receipt_no=args.receipt_no or "", reason=args.reason or "")
    if out.as_json:
        out.json(state.as_json())
    elif state.paid:
        out.text(f"Hồ sơ {state.code}: đã nộp đủ phí, lệ phí.")
    else:
        out.text(f"Hồ sơ {state.code}: còn phải nộp {state.due_amount:,} đồng.".replace(",", "."))
    return EXIT_OK


def register(commands: Any, leaf: Leaf) -> None:
    fee = commands.add_parser("fee", help="phí, lệ phí của hồ sơ")
    sub = fee.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(sub, "pay", "ghi nhận thanh toán phí, lệ phí (hoặc miễn, kèm lý do)", cmd_fee_pay)
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")
    p.add_argument("--amount", required=True, type=int, metavar="SỐ_TIỀN", help="số tiền (đồng)")
    p.add_argument("--method", required=True,
                   choices=["cash", "transfer", "online-national", "online-provincial", "exempt"],
                   help="hình thức: tiền mặt, chuyển khoản, trực tuyến (quốc gia / tỉnh), miễn")
    p.add_argument("--receipt-no", metavar="SỐ", help="số biên lai điện tử")
    p.add_argument("--reason", metavar="LÝ_DO", help="lý do miễn")
