"""The ``motcua`` command: Vietnamese text for people, ``--json`` for machines.

    motcua [--data-dir DIR] [--db-url URL] [--json] COMMAND ...

Global options may also follow the command (``motcua catalog list --json``); ``MOTCUA_DATA_DIR``
and ``MOTCUA_DB_URL`` are their fallbacks. Errors print one line and exit non-zero: 1 for an error of
the application (unknown code, invalid day...), 2 for a malformed command line; with ``--json``
the line is ``{"error": "<English message>"}`` on stdout, otherwise a Vietnamese message on stderr.
Unexpected failures are logged with their traceback to ``<data dir>/logs/motcua.log``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from app.core.calendar import WEEKDAY_NAMES_VI, DayKind
from app.core.catalogue import procedure_to_dict
from app.core.dossier import Channel, Dossier, DossierStatus
from app.core.errors import MotCuaError
from app.core.procedure import Procedure, ProcessingUnit

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

CHANNEL_LABELS_VI = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
DELIVERY_LABELS_VI = {0: "Tại Bộ phận Một cửa", 1: "Qua dịch vụ bưu chính"}


class UsageError(Exception):
    """A malformed command line (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# --------------------------------------------------------------------------- formatting


def fmt_dt(value: datetime | None) -> str | None:
    """Machine form ``YYYY-MM-DD HH:MM``."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M")


def fmt_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def vi_dt(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y %H:%M")


def vi_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def vi_money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int | None]) -> str:
    cells = [[_short(str(c), w) if w else str(c) for c, w in zip(row, widths, strict=True)] for row in rows]
    sizes = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * s for s in sizes)]
    lines += ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(r)).rstrip() for r in cells]
    return "\n".join(lines)


def processing_label(p: Procedure) -> str:
    label = p.processing.label_vi()
    if p.processing.online_amount is not None and p.processing.unit is not ProcessingUnit.SAME_DAY:
        online = f"{p.processing.online_amount:g}".replace(".", ",")
        label += f" (trực tuyến: {online})"
    if p.cutoff is not None:
        label += f"; tiếp nhận sau {p.cutoff:%H:%M} tính từ ngày làm việc tiếp theo"
    return label


# --------------------------------------------------------------------------- JSON shapes


def procedure_summary_json(p: Procedure) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "field": p.field}


def procedure_json(p: Procedure) -> dict[str, Any]:
    """``catalog show --json``: code, name, field, processing {amount, unit}, cutoff, components,
    fees, then level, online_amount, results, legal_basis, essential_service and extra."""
    data = procedure_to_dict(p)
    processing = data["processing"]
    return {
        "code": data["code"],
        "name": data["name"],
        "field": data["field"],
        "processing": {"amount": processing["amount"], "unit": processing["unit"]},
        "cutoff": data["cutoff"],
        "components": data["components"],
        "fees": data["fees"],
        "level": data["level"],
        "online_amount": processing["online_amount"],
        "results": data["results"],
        "legal_basis": data["legal_basis"],
        "essential_service": data["essential_service"],
        "extra": data["extra"],
    }


def dossier_summary_json(s: Any) -> dict[str, Any]:
    status = DossierStatus(s.status)
    return {
        "code": s.code,
        "procedure_code": s.procedure_code,
        "procedure_name": s.procedure_name,
        "applicant_name": s.applicant_name,
        "id_number": s.id_number,
        "phone": s.phone,
        "received_at": fmt_dt(s.received_at),
        "due_at": fmt_dt(s.due_at),
        "status": int(status),
        "status_label": status.label_vi,
        "channel": int(s.channel),
    }


def dossier_json(d: Dossier) -> dict[str, Any]:
    a = d.applicant
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure_name,
        "status": int(d.status),
        "status_label": d.status.label_vi,
        "channel": int(d.channel),
        "received_at": fmt_dt(d.received_at),
        "due_at": fmt_dt(d.due_at),
        "applicant": {
            "id_number": a.id_number,
            "old_id_number": a.old_id_number,
            "full_name": a.full_name,
            "birth_date": fmt_date(a.birth_date),
            "sex": None if a.sex is None else a.sex.value,
            "address": a.address,
            "phone": a.phone,
            "email": a.email,
            "id_issue_date": fmt_date(a.id_issue_date),
            "kind": a.kind.value,
            "tax_code": a.tax_code,
        },
        "components": [
            {
                "index": c.index,
                "name": c.name,
                "received": c.received,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "note": c.note,
                "digitised": c.digitised,
                "reused_record_id": c.reused_record_id,
                "from_warehouse": c.from_warehouse,
                "replaced_result_code": c.replaced_result_code,
            }
            for c in d.components
        ],
        "attachments": [
            {
                "sha256": x.sha256,
                "file_name": x.file_name,
                "media_type": x.media_type,
                "size": x.size,
                "component_index": x.component_index,
                "pages": x.pages,
                "signed": x.signed,
                "created_at": fmt_dt(x.created_at),
            }
            for x in d.attachments
        ],
        "officer": d.officer,
        "delivery": int(d.delivery),
        "delivery_address": d.delivery_address,
        "fee_vnd": d.fee_vnd,
        "sets_count": d.sets_count,
        "form_set": d.form_set,
        "returned_at": fmt_dt(d.returned_at),
        "returned_to": d.returned_to,
        "supplements": [
            {
                "requested_at": fmt_dt(s.requested_at),
                "reason": s.reason,
                "items": list(s.items),
                "officer": s.officer,
                "completed_at": fmt_dt(s.completed_at),
            }
            for s in d.supplements
        ],
        "history": [
            {"at": fmt_dt(h.at), "status": int(h.status), "status_label": h.status.label_vi,
             "officer": h.officer, "note": h.note}
            for h in d.history
        ],
    }


# --------------------------------------------------------------------------- output


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def text(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def warn(self, text: str) -> None:
        sys.stderr.write(text + "\n")


# --------------------------------------------------------------------------- commands


def _open(args: argparse.Namespace, *, create: bool = False):  # type: ignore[no-untyped-def]
    from app.services.context import AppContext

    return AppContext.open(args.data_dir, args.db_url, create=create)


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    from app.services.setup import init

    with _open(args, create=True) as ctx:
        result = init(ctx, demo=args.demo)
    if out.as_json:
        out.json({
            "data_dir": str(result.data_dir),
            "database": result.database,
            "procedures": result.procedures,
            "dossiers": result.dossiers,
            "demo_added": result.demo_added,
            "demo_already_present": result.demo_already_present,
        })
        return EXIT_OK
    out.text(f"Đã khởi tạo dữ liệu tại {result.data_dir}")
    out.text(f"Cơ sở dữ liệu: {result.database}")
    out.text(f"Danh mục: {result.procedures} thủ tục hành chính.")
    if args.demo:
        if result.demo_already_present:
            out.text("Dữ liệu mẫu đã có từ lần khởi tạo trước, không thêm lại.")
        else:
            out.text(f"Đã thêm {result.demo_added} hồ sơ mẫu.")
    out.text(f"Tổng số hồ sơ: {result.dossiers}.")
    return EXIT_OK


def cmd_catalog_list(args: argparse.Namespace, out: Output) -> int:
    from app.services.catalogue import list_procedures

    with _open(args) as ctx:
        procedures = list_procedures(ctx)
    if out.as_json:
        out.json([procedure_summary_json(p) for p in procedures])
        return EXIT_OK
    rows = [(p.code, p.field, p.name) for p in procedures]
    out.text(_table(("Mã TTHC", "Lĩnh vực", "Tên thủ tục"), rows, (None, 28, 80)))
    out.text(f"Tổng cộng: {len(procedures)} thủ tục.")
    return EXIT_OK


def cmd_catalog_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.catalogue import get_procedure

    with _open(args) as ctx:
        p = get_procedure(ctx, args.code)
    if out.as_json:
        out.json(procedure_json(p))
        return EXIT_OK
    out.text(f"Thủ tục: {p.code} — {p.name}")
    out.text(f"Lĩnh vực: {p.field}")
    out.text(f"Cấp thực hiện: {p.level}")
    out.text(f"Thời hạn giải quyết: {processing_label(p)}")
    out.text(f"Dịch vụ công thiết yếu: {'Có' if p.essential_service else 'Không'}")
    out.text("Thành phần hồ sơ:")
    for i, c in enumerate(p.components, 1):
        counts = []
        if c.originals:
            counts.append(f"{c.originals} bản chính")
        if c.certified_copies:
            counts.append(f"{c.certified_copies} bản sao chứng thực")
        if c.photocopies:
            counts.append(f"{c.photocopies} bản chụp")
        flag = "bắt buộc" if c.mandatory else "tùy trường hợp"
        out.text(f"  {i}. [{flag}] {_short(c.name, 160)}" + (f" — {', '.join(counts)}" if counts else ""))
    if not p.components:
        out.text("  (chưa có dữ liệu)")
    out.text("Phí, lệ phí:")
    for f in p.fees:
        channel = f" ({CHANNEL_LABELS_VI[f.channel]})" if f.channel in CHANNEL_LABELS_VI else ""
        name = f.name if channel.strip(" ()") in f.name else f.name + channel
        money = vi_money(f.amount_vnd)
        if f.note.startswith("đồng/"):  # a per-unit fee, e.g. "đồng/trang"
            money += f.note.split(" ", 1)[0].removeprefix("đồng")
        out.text(f"  - {name}: {money}")
    if not p.fees:
        out.text("  (chưa có dữ liệu)")
    out.text("Kết quả:")
    for r in p.results:
        out.text(f"  - {r.name} (mã {r.code})")
    if p.legal_basis:
        out.text("Căn cứ pháp lý: " + ", ".join(p.legal_basis))
    return EXIT_OK


def cmd_dossier_list(args: argparse.Namespace, out: Output) -> int:
    from app.services.dossiers import count_dossiers, list_dossiers

    with _open(args) as ctx:
        found = list_dossiers(ctx, args.search, status=args.status, limit=args.limit, offset=args.offset)
        total = None if out.as_json else count_dossiers(ctx, args.search, status=args.status)
    if out.as_json:
        out.json([dossier_summary_json(s) for s in found])
        return EXIT_OK
    if not found:
        out.text("Không có hồ sơ nào phù hợp.")
        return EXIT_OK
    rows = [(s.code, vi_dt(s.received_at), vi_dt(s.due_at), s.applicant_name, s.procedure_name,
             DossierStatus(s.status).label_vi) for s in found]
    out.text(_table(("Mã hồ sơ", "Ngày nhận", "Hẹn trả", "Người nộp", "Thủ tục", "Trạng thái"), rows,
                    (None, None, None, 30, 40, None)))
    out.text(f"Hiển thị {len(found)}/{total} hồ sơ.")
    return EXIT_OK


def cmd_dossier_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.dossiers import get_dossier

    with _open(args) as ctx:
        d = get_dossier(ctx, args.code)
    if out.as_json:
        out.json(dossier_json(d))
        return EXIT_OK
    a = d.applicant
    out.text(f"Hồ sơ: {d.code}")
    out.text(f"Thủ tục: {d.procedure_code} — {d.procedure_name}")
    out.text(f"Trạng thái: {d.status.label_vi} ({int(d.status)})")
    out.text(f"Kênh nộp: {CHANNEL_LABELS_VI.get(int(d.channel), str(int(d.channel)))}")
    out.text(f"Ngày nhận: {vi_dt(d.received_at)}")
    out.text(f"Hẹn trả kết quả: {vi_dt(d.due_at)}")
    if d.returned_at:
        out.text(f"Đã trả kết quả: {vi_dt(d.returned_at)} cho {d.returned_to}")
    out.text(f"Nhận kết quả: {DELIVERY_LABELS_VI.get(int(d.delivery), '')}")
    if d.fee_vnd:
        out.text(f"Phí, lệ phí: {vi_money(d.fee_vnd)}")
    if d.officer:
        out.text(f"Cán bộ tiếp nhận: {d.officer}")
    out.text("Người nộp hồ sơ:")
    out.text(f"  Họ và tên: {a.full_name}")
    if a.id_number:
        issued = f" (cấp ngày {vi_date(a.id_issue_date)})" if a.id_issue_date else ""
        out.text(f"  Số CCCD: {a.id_number}{issued}")
    if a.old_id_number:
        out.text(f"  Số CMND cũ: {a.old_id_number}")
    if a.birth_date:
        out.text(f"  Ngày sinh: {vi_date(a.birth_date)}" + (f" — Giới tính: {a.sex.value}" if a.sex else ""))
    if a.address:
        out.text(f"  Địa chỉ: {a.address}")
    if a.phone:
        out.text(f"  Điện thoại: {a.phone}")
    if a.email:
        out.text(f"  Thư điện tử: {a.email}")
    received = [c for c in d.components if c.received]
    out.text(f"Thành phần hồ sơ đã nhận ({len(received)}/{len(d.components)}):")
    for c in received:
        out.text(f"  - {_short(c.name, 120)}")
    if d.attachments:
        out.text(f"Tệp đính kèm: {len(d.attachments)}")
        for x in d.attachments:
            out.text(f"  - {x.file_name} ({x.size} byte)")
    if d.history:
        out.text("Quá trình xử lý:")
        for h in d.history:
            note = f" — {h.note}" if h.note else ""
            out.text(f"  {vi_dt(h.at)}  {h.status.label_vi}{note}")
    return EXIT_OK


def cmd_calendar_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.calendar import show_year

    with _open(args) as ctx:
        year = show_year(ctx, args.year)
    if out.as_json:
        out.json({
            "year": year.year,
            "working_days": year.working_days,
            "days": [{"date": d.day.isoformat(), "working": d.working, "reason": d.reason, "source": d.source}
                     for d in year.days],
        })
        return EXIT_OK
    out.text(f"Lịch làm việc năm {year.year}: {year.working_days} ngày làm việc.")
    out.text("Các ngày khác lịch thường lệ (nghỉ lễ trong tuần, làm bù cuối tuần, điều chỉnh địa phương):")
    sources = {"holiday": "Lịch quốc gia", "override": "Địa phương", "weekend": "Cuối tuần", "weekday": ""}
    rows = [(vi_date(d.day), WEEKDAY_NAMES_VI[d.day.weekday()], "Làm việc" if d.working else "Nghỉ",
             sources.get(d.source, d.source), d.reason) for d in year.days]
    out.text(_table(("Ngày", "Thứ", "Trạng thái", "Nguồn", "Lý do"), rows, (None, None, None, None, 70)))
    return EXIT_OK


def cmd_calendar_set(args: argparse.Namespace, out: Output) -> int:
    from app.services.calendar import set_day

    with _open(args) as ctx:
        result = set_day(ctx, args.day, args.kind, args.note or "")
    if out.as_json:
        out.json({
            "date": result.day.isoformat(),
            "kind": result.kind.value,
            "note": result.note,
            "working": result.working,
            "changed": result.changed,
            "warning": result.warning_en,
        })
        return EXIT_OK
    weekday = WEEKDAY_NAMES_VI[result.day.weekday()]
    state = "ngày làm việc" if result.working else "ngày nghỉ"
    note = f" Ghi chú: {result.note}" if result.note else ""
    out.text(f"Ngày {vi_date(result.day)} ({weekday}) là {state}.{note}")
    if result.warning_vi:
        out.warn(f"Lưu ý: {result.warning_vi}")
    return EXIT_OK


def cmd_calendar_due(args: argparse.Namespace, out: Output) -> int:
    from app.services.calendar import due

    with _open(args) as ctx:
        due_at = due(ctx, args.from_, args.procedure, channel=args.channel)
    if out.as_json:
        out.json({"due_at": fmt_dt(due_at)})
        return EXIT_OK
    out.text(f"Hẹn trả kết quả: {vi_dt(due_at)} ({WEEKDAY_NAMES_VI[due_at.weekday()]})")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None


def _moment(text: str) -> datetime:
    cleaned = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"invalid time {text!r} (expected 'YYYY-MM-DD HH:MM')")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _status(text: str) -> int:
    try:
        value = int(text)
        DossierStatus(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid status {text!r} (expected 1-10)") from None
    return value


def _add_globals(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands use SUPPRESS so an option given before the command is not reset by them.
    default_none = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("tùy chọn chung")
    group.add_argument("--data-dir", metavar="DIR", default=default_none,
                       help="thư mục dữ liệu (mặc định: $MOTCUA_DATA_DIR hoặc thư mục người dùng)")
    group.add_argument("--db-url", metavar="URL", default=default_none,
                       help="địa chỉ CSDL SQLAlchemy, vd postgresql+psycopg://… (mặc định: $MOTCUA_DB_URL "
                            "hoặc SQLite trong thư mục dữ liệu)")
    group.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                       help="in kết quả dạng JSON cho máy đọc")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="motcua", description="MotCua Desk — công cụ dòng lệnh của Bộ phận Một cửa.")
    _add_globals(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", required=True)

    def leaf(sub: Any, name: str, help_: str, handler: Callable[[argparse.Namespace, Output], int]) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        _add_globals(p, top=False)
        p.set_defaults(handler=handler)
        return p

    p = leaf(commands, "init", "khởi tạo hoặc nâng cấp dữ liệu, nạp danh mục thủ tục", cmd_init)
    p.add_argument("--demo", action="store_true", help="thêm vài trăm hồ sơ mẫu (chạy lại không nhân đôi)")

    catalog = commands.add_parser("catalog", help="danh mục thủ tục hành chính")
    catalog_sub = catalog.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    leaf(catalog_sub, "list", "liệt kê các thủ tục", cmd_catalog_list)
    p = leaf(catalog_sub, "show", "xem chi tiết một thủ tục", cmd_catalog_show)
    p.add_argument("code", metavar="MÃ", help="mã thủ tục, vd 1.001193")

    dossier = commands.add_parser("dossier", help="hồ sơ")
    dossier_sub = dossier.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(dossier_sub, "list", "tìm và liệt kê hồ sơ (mới nhất trước)", cmd_dossier_list)
    p.add_argument("--search", metavar="CHỮ", help="tìm theo mã hồ sơ, họ tên, CCCD, điện thoại, thủ tục "
                                                   "(không phân biệt dấu, hoa thường)")
    p.add_argument("--status", type=_status, metavar="N", help="lọc theo trạng thái (1–10)")
    p.add_argument("--limit", type=_positive, default=50, metavar="N", help="số hồ sơ tối đa (mặc định 50)")
    p.add_argument("--offset", type=_positive, default=0, metavar="N", help=argparse.SUPPRESS)
    p = leaf(dossier_sub, "show", "xem chi tiết một hồ sơ", cmd_dossier_show)
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")

    calendar = commands.add_parser("calendar", help="lịch làm việc, ngày hẹn trả")
    calendar_sub = calendar.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(calendar_sub, "show", "các ngày nghỉ lễ và điều chỉnh của một năm", cmd_calendar_show)
    p.add_argument("year", type=int, metavar="NĂM")
    p = leaf(calendar_sub, "set", "đặt một ngày là ngày nghỉ (off) hoặc ngày làm việc (work)",
             cmd_calendar_set)
    p.add_argument("day", type=_day, metavar="YYYY-MM-DD")
    p.add_argument("kind", choices=[k.value for k in DayKind], metavar="off|work")
    p.add_argument("--note", default="", metavar="GHI_CHÚ")
    p = leaf(calendar_sub, "due", "tính ngày hẹn trả kết quả", cmd_calendar_due)
    p.add_argument("--from", dest="from_", type=_moment, required=True, metavar='"YYYY-MM-DD HH:MM"',
                   help="thời điểm tiếp nhận")
    p.add_argument("--procedure", required=True, metavar="MÃ", help="mã thủ tục")
    p.add_argument("--channel", type=int, choices=[int(c) for c in Channel], default=1,
                   help="kênh nộp: 1 trực tiếp, 2 trực tuyến, 3 bưu chính (mặc định 1)")
    return parser


# --------------------------------------------------------------------------- main


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8", errors="replace")


def _log_unexpected(data_dir: str | None) -> Path:
    from app.services.context import resolve_data_dir

    try:
        logs = resolve_data_dir(data_dir) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
    except Exception:
        logs = Path(tempfile.gettempdir())
    path = logs / "motcua.log"
    logger = logging.getLogger("motcua.cli")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    try:
        logger.error("unexpected error in %s\n%s", " ".join(sys.argv), traceback.format_exc())
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def _fail(out: Output, message_en: str, message_vi: str, code: int) -> int:
    if out.as_json:
        out.json({"error": message_en})
    else:
        sys.stderr.write(f"Lỗi: {message_vi}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    _configure_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    out = Output(as_json="--json" in argv)
    parser = build_parser()
    if not argv or argv in (["-h"], ["--help"]):
        parser.print_help()
        return EXIT_OK if argv else EXIT_USAGE
    args = None
    try:
        args = parser.parse_args(argv)
        out.as_json = bool(args.json)
        return int(args.handler(args, out))
    except UsageError as exc:
        return _fail(out, f"usage: {exc}", f"lệnh không hợp lệ: {exc}. Xem “motcua --help”.", EXIT_USAGE)
    except MotCuaError as exc:
        return _fail(out, exc.message_en, exc.message_vi, EXIT_ERROR)
    except KeyboardInterrupt:
        return _fail(out, "interrupted", "đã dừng theo yêu cầu.", 130)
    except BrokenPipeError:  # e.g. `motcua ... | head`: the reader went away, nothing to report
        _silence_stdout()
        return EXIT_ERROR
    except SystemExit as exc:  # --help inside a sub-command
        return int(exc.code or 0) if isinstance(exc.code, int | None) else EXIT_USAGE
    except Exception as exc:
        data_dir = getattr(args, "data_dir", None) if args is not None else None
        log = _log_unexpected(data_dir)
        summary = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return _fail(out, f"unexpected error: {summary} (details in {log})",
                     f"lỗi không mong đợi: {summary} (chi tiết trong {log})", EXIT_ERROR)


if __name__ == "__main__":
    raise SystemExit(main())
