"""``motcua init``, ``catalog``, ``dossier`` and ``calendar``: setting up and looking things up."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.common import (
    CHANNEL_LABELS_VI,
    DELIVERY_LABELS_VI,
    EXIT_OK,
    MOMENT_METAVAR,
    Output,
    dossier_json,
    dossier_summary_json,
    fmt_dt,
    non_negative,
    open_context,
    parse_day,
    parse_moment,
    parse_status,
    procedure_json,
    procedure_summary_json,
    processing_label,
    short,
    table,
    vi_date,
    vi_dt,
    vi_money,
)
from app.core.calendar import WEEKDAY_NAMES_VI, DayKind
from app.core.dossier import Channel, DossierStatus

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]


RECOVERY_REMINDER_VI = ("Nhắc quản trị viên: chưa có mã khôi phục dữ liệu. Hãy chạy “motcua keys set-secret "
                        "--generate”, in mã ra và cất vào tủ an toàn: máy hỏng hoặc cài lại hệ điều hành mà "
                        "không có mã này thì mất toàn bộ dữ liệu.")


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.data_keys import recovery_set
    from app.services.admin.setup import init

    with open_context(args, create=True) as ctx:
        result = init(ctx, demo=args.demo)
        protected = recovery_set(ctx)
    if out.as_json:
        out.json({
            "data_dir": str(result.data_dir),
            "database": result.database,
            "procedures": result.procedures,
            "dossiers": result.dossiers,
            "demo_added": result.demo_added,
            "demo_already_present": result.demo_already_present,
            "recovery_set": protected,
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
    if not args.demo and not protected:
        out.text(RECOVERY_REMINDER_VI)
    return EXIT_OK


def cmd_catalog_list(args: argparse.Namespace, out: Output) -> int:
    from app.services.reception.catalogue import list_procedures

    with open_context(args) as ctx:
        procedures = list_procedures(ctx)
    if out.as_json:
        out.json([procedure_summary_json(p) for p in procedures])
        return EXIT_OK
    rows = [(p.code, p.field, p.name) for p in procedures]
    out.text(table(("Mã TTHC", "Lĩnh vực", "Tên thủ tục"), rows, (None, 28, 80)))
    out.text(f"Tổng cộng: {len(procedures)} thủ tục.")
    return EXIT_OK


def cmd_catalog_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.reception.catalogue import get_procedure

    with open_context(args) as ctx:
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
        if c.online_only:
            flag = "chỉ khi nộp trực tuyến"
        out.text(f"  {i}. [{flag}] {short(c.name, 160)}" + (f" — {', '.join(counts)}" if counts else ""))
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
    from app.services.reception.dossiers import count_dossiers, list_dossiers

    if args.due is not None:
        return _dossier_list_due(args, out)
    with open_context(args) as ctx:
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
    out.text(table(("Mã hồ sơ", "Ngày nhận", "Hẹn trả", "Người nộp", "Thủ tục", "Trạng thái"), rows,
                    (None, None, None, 30, 40, None)))
    out.text(f"Hiển thị {len(found)}/{total} hồ sơ.")
    return EXIT_OK


DUE_LABELS_VI = {"today": "đến hạn hôm nay", "soon": "đến hạn trong một ngày làm việc", "overdue": "quá hạn",
                 "paused": "tạm dừng chờ bổ sung"}


def _dossier_list_due(args: argparse.Namespace, out: Output) -> int:
    """``dossier list --due today|soon|overdue|paused``: soonest appointment first."""
    from app.cli.common import UsageError
    from app.services.lifecycle import list_by_deadline

    if args.search or args.status is not None:
        raise UsageError("--due cannot be combined with --search or --status")
    with open_context(args) as ctx:
        found = list_by_deadline(ctx, args.due, limit=args.limit, offset=args.offset)
    if out.as_json:
        out.json([dossier_summary_json(s) for s in found])
        return EXIT_OK
    if not found:
        out.text(f"Không có hồ sơ nào {DUE_LABELS_VI[args.due]}.")
        return EXIT_OK
    rows = [(s.code, vi_dt(s.due_at), s.applicant_name, s.procedure_name, DossierStatus(s.status).label_vi)
            for s in found]
    out.text(table(("Mã hồ sơ", "Hẹn trả", "Người nộp", "Thủ tục", "Trạng thái"), rows,
                   (None, None, 30, 40, None)))
    out.text(f"{len(found)} hồ sơ {DUE_LABELS_VI[args.due]}.")
    return EXIT_OK


def cmd_dossier_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.online.fees import fee_state
    from app.services.reception.dossiers import get_dossier

    with open_context(args) as ctx:
        d = get_dossier(ctx, args.code)
        fees = fee_state(ctx, args.code)
    if out.as_json:
        fee = {"amount": fees.fee, "paid": fees.paid, "due_amount": fees.due_amount, "exempt": fees.exempt,
               "online_payment": fees.online}
        out.json({**dossier_json(d), "fee": fee})
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
        out.text(f"  - {short(c.name, 120)}")
    if d.attachments:
        out.text(f"Tệp đính kèm: {len(d.attachments)}")
        for x in d.attachments:
            out.text(f"  - {x.file_name} ({x.size} byte)")
    if d.history:
        out.text("Quá trình xử lý:")
        for h in d.history:
            note = f" — {h.note}" if h.note else ""
            who = f" ({h.officer})" if h.officer else ""
            out.text(f"  {vi_dt(h.at)}  {h.status.label_vi}{note}{who}")
    return EXIT_OK


def cmd_calendar_show(args: argparse.Namespace, out: Output) -> int:
    from app.services.reception.calendar import show_year

    with open_context(args) as ctx:
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
    sources = {"holiday": "Lịch quốc gia", "official": "Văn bản hoán đổi", "override": "Địa phương",
               "weekend": "Cuối tuần", "weekday": ""}
    rows = [(vi_date(d.day), WEEKDAY_NAMES_VI[d.day.weekday()], "Làm việc" if d.working else "Nghỉ",
             sources.get(d.source, d.source), d.reason) for d in year.days]
    out.text(table(("Ngày", "Thứ", "Trạng thái", "Nguồn", "Lý do"), rows, (None, None, None, None, 70)))
    return EXIT_OK


def cmd_calendar_set(args: argparse.Namespace, out: Output) -> int:
    from app.services.reception.calendar import set_day

    with open_context(args) as ctx:
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
    from app.services.reception.calendar import due

    with open_context(args) as ctx:
        due_at = due(ctx, args.from_, args.procedure, channel=args.channel)
    if out.as_json:
        out.json({"due_at": fmt_dt(due_at)})
        return EXIT_OK
    out.text(f"Hẹn trả kết quả: {vi_dt(due_at)} ({WEEKDAY_NAMES_VI[due_at.weekday()]})")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def register(commands: Any, leaf: Leaf) -> None:
    """Add init, catalog, dossier and calendar to the ``motcua`` sub-commands."""
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
    p.add_argument("--status", type=parse_status, metavar="N", help="lọc theo trạng thái (1–10)")
    p.add_argument("--due", choices=("today", "soon", "overdue", "paused"),
                   help="hồ sơ đến hạn hôm nay (today), trong một ngày làm việc (soon), quá hạn (overdue), "
                        "tạm dừng chờ bổ sung (paused; không tính quá hạn)")
    p.add_argument("--limit", type=non_negative, default=50, metavar="N",
                   help="số hồ sơ tối đa (mặc định 50)")
    p.add_argument("--offset", type=non_negative, default=0, metavar="N", help=argparse.SUPPRESS)
    p = leaf(dossier_sub, "show", "xem chi tiết một hồ sơ", cmd_dossier_show)
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")

    calendar = commands.add_parser("calendar", help="lịch làm việc, ngày hẹn trả")
    calendar_sub = calendar.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(calendar_sub, "show", "các ngày nghỉ lễ và điều chỉnh của một năm", cmd_calendar_show)
    p.add_argument("year", type=int, metavar="NĂM")
    p = leaf(calendar_sub, "set", "đặt một ngày là ngày nghỉ (off) hoặc ngày làm việc (work)",
             cmd_calendar_set)
    p.add_argument("day", type=parse_day, metavar="YYYY-MM-DD")
    p.add_argument("kind", choices=[k.value for k in DayKind], metavar="off|work")
    p.add_argument("--note", default="", metavar="GHI_CHÚ")
    p = leaf(calendar_sub, "due", "tính ngày hẹn trả kết quả", cmd_calendar_due)
    p.add_argument("--from", dest="from_", type=parse_moment, required=True, metavar=MOMENT_METAVAR,
                   help="thời điểm tiếp nhận")
    p.add_argument("--procedure", required=True, metavar="MÃ", help="mã thủ tục")
    p.add_argument("--channel", type=int, choices=[int(c) for c in Channel], default=1,
                   help="kênh nộp: 1 trực tiếp, 2 trực tuyến, 3 bưu chính (mặc định 1)")
