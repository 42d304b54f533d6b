"""``motcua report``, ``register`` and ``rate``: what supervisors send every month, and the citizen's rating.

    motcua report --from YYYY-MM-DD --to YYYY-MM-DD [--field LĨNH_VỰC] [--pdf FILE] [--xlsx FILE] --json
        {"from", "to", "received": {"total", "by_channel": {"1", "2", "3"}}, "on_time": {"num", "den"},
         "early", "late", "online", "synced", "digitised_components", "digitised_results", "reused",
         "paid_online", "satisfied" (each {"num", "den"})}
    motcua register --from DATE --to DATE --out FILE.pdf|.xlsx|.csv
        {"out", "format", "rows", "pages"}
    motcua rate CODE --level 1|2|3 [--reason TEXT]
        {"code", "event", "level", "reason", "rated_at"}
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_OK, Output, open_context, table
from app.core.errors import ValidationError

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{option}: invalid date {text!r} (expected YYYY-MM-DD)",
                              f"{option}: ngày “{text}” không hợp lệ (cần dạng YYYY-MM-DD).",
                              field=option) from None


def _percent(num: int, den: int) -> str:
    return "—" if den == 0 else f"{100.0 * num / den:.1f} %".replace(".", ",")


def cmd_report(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.reports import indicators, monthly

    period = indicators.Period(_day(args.from_, "--from"), _day(args.to, "--to"), field=args.field)
    with open_context(args) as ctx:
        figures = indicators.compute(ctx, SYSTEM_OFFICER, period)
        if args.pdf:
            monthly.write_pdf(ctx, SYSTEM_OFFICER, period, figures, Path(args.pdf))
        if args.xlsx:
            monthly.write_xlsx(ctx, SYSTEM_OFFICER, period, figures, Path(args.xlsx))
    data = indicators.report_json(period, figures)
    if out.as_json:
        out.json(data)
        return EXIT_OK
    out.text(f"Chỉ số chất lượng phục vụ từ {period.first:%d/%m/%Y} đến {period.last:%d/%m/%Y}"
             + (f" — lĩnh vực {period.field}" if period.field else ""))
    channels = figures.by_channel
    out.text(f"Hồ sơ tiếp nhận: {figures.received} (trực tiếp {channels['1']}, trực tuyến {channels['2']}, "
             f"bưu chính {channels['3']})")
    rows = [[indicators.FIGURE_LABELS_VI[name], str(data[name]["num"]), str(data[name]["den"]),
             _percent(data[name]["num"], data[name]["den"])] for name in indicators.FIGURES]
    out.text(table(["Chỉ số", "Số hồ sơ", "Trên tổng", "Tỷ lệ"], rows, [44, 9, 9, 9]))
    for target, kind in ((args.pdf, "PDF"), (args.xlsx, "bảng tính")):
        if target:
            out.text(f"Đã ghi báo cáo {kind}: {target}")
    return EXIT_OK


def cmd_register(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.reports import indicators, register

    period = indicators.Period(_day(args.from_, "--from"), _day(args.to, "--to"), field=args.field,
                               procedure_code=args.procedure, officer=args.officer)
    with open_context(args) as ctx:
        written = register.export(ctx, SYSTEM_OFFICER, period, Path(args.out))
    if out.as_json:
        out.json({"out": str(written.path), "format": written.format, "rows": written.rows,
                  "pages": written.pages})
        return EXIT_OK
    pages = f", {written.pages} trang" if written.pages else ""
    out.text(f"Đã ghi sổ theo dõi hồ sơ ({written.rows} hồ sơ{pages}): {written.path}")
    return EXIT_OK


def cmd_rate(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.reports import satisfaction

    with open_context(args) as ctx:
        rating = satisfaction.rate(ctx, SYSTEM_OFFICER, args.code, _level(args.level), args.reason or "")
    if out.as_json:
        out.json({"code": rating.dossier_code, "event": rating.event, "level": rating.level,
                  "reason": rating.reason,
                  "rated_at": rating.rated_at.isoformat(sep=" ", timespec="minutes")})
        return EXIT_OK
    out.text(f"Đã ghi nhận đánh giá “{satisfaction.LEVEL_LABELS_VI[rating.level]}” cho lần "
             f"{satisfaction.EVENT_LABELS_VI[rating.event]} của hồ sơ {rating.dossier_code}.")
    return EXIT_OK


def _level(text: str) -> int:
    if text.strip() not in ("1", "2", "3"):
        raise ValidationError(f"--level: invalid level {text!r} (expected 1, 2 or 3)",
                              f"--level: mức “{text}” không hợp lệ "
                              "(3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng).",
                              field="level")
    return int(text)


def register(commands: Any, leaf: Leaf) -> None:
    """Add ``report``, ``register`` and ``rate`` to the ``motcua`` sub-commands."""
    p = leaf(commands, "report", "chỉ số chất lượng phục vụ (Quyết định 766/QĐ-TTg) của một kỳ", cmd_report)
    p.add_argument("--from", dest="from_", required=True, metavar="YYYY-MM-DD", help="ngày đầu kỳ")
    p.add_argument("--to", required=True, metavar="YYYY-MM-DD", help="ngày cuối kỳ (tính cả ngày này)")
    p.add_argument("--field", metavar="LĨNH_VỰC", help="chỉ một lĩnh vực, vd “Hộ tịch”")
    p.add_argument("--pdf", metavar="TỆP.pdf", help="ghi báo cáo một trang (biểu đồ và số liệu) ra PDF")
    p.add_argument("--xlsx", metavar="TỆP.xlsx", help="ghi số liệu ra bảng tính")

    p = leaf(commands, "register", "sổ theo dõi hồ sơ (Mẫu 06 / Mẫu 07) ra PDF, bảng tính hoặc CSV",
             cmd_register)
    p.add_argument("--from", dest="from_", required=True, metavar="YYYY-MM-DD", help="nhận từ ngày")
    p.add_argument("--to", required=True, metavar="YYYY-MM-DD", help="nhận đến ngày (tính cả ngày này)")
    p.add_argument("--out", required=True, metavar="TỆP", help="tệp .pdf, .xlsx hoặc .csv")
    p.add_argument("--field", metavar="LĨNH_VỰC", help="chỉ một lĩnh vực")
    p.add_argument("--procedure", metavar="MÃ_TTHC", help="chỉ một thủ tục")
    p.add_argument("--officer", metavar="TÀI_KHOẢN", help="chỉ hồ sơ do cán bộ này tiếp nhận")

    p = leaf(commands, "rate", "ghi nhận mức hài lòng của công dân với hồ sơ vừa phục vụ", cmd_rate)
    p.add_argument("code", metavar="MÃ_HỒ_SƠ")
    p.add_argument("--level", required=True, metavar="1|2|3",
                   help="3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng")
    p.add_argument("--reason", metavar="LÝ_DO", help="lý do (tùy chọn)")
