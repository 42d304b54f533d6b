"""``motcua receive``, ``print``, ``return`` and ``user``: the counter's work from the command line.

``return --result-pdf FILE`` also digitises the result into the applicant's e-data warehouse, in the
same transaction; ``--json`` then gives the record id as ``"result_record"`` (null without it).

The command line acts as :data:`app.services.auth.SYSTEM_OFFICER` (an administrator): whoever can
run it on this computer can open the database anyway.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.common import (
    EXIT_OK,
    Output,
    file_name,
    fmt_date,
    fmt_dt,
    log_unexpected,
    open_context,
    parse_moment,
    table,
    vi_dt,
    vi_money,
)
from app.core.applicant import Applicant
from app.core.calendar import WEEKDAY_NAMES_VI
from app.core.errors import MotCuaError, ValidationError

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]
ROLES = ("admin", "officer", "clerk", "supervisor")  # app.services.auth.Role (not imported: fast --help)


# --------------------------------------------------------------------------- JSON shapes


def applicant_json(a: Applicant) -> dict[str, Any]:
    """The applicant of ``receive --json``: exactly these seven keys."""
    return {
        "id_number": a.id_number,
        "old_id_number": a.old_id_number,
        "full_name": a.full_name,
        "birth_date": fmt_date(a.birth_date),
        "sex": None if a.sex is None else a.sex.value,
        "address": a.address,
        "id_issue_date": fmt_date(a.id_issue_date),
    }


# --------------------------------------------------------------------------- receive


def _read_applicant_json(path: str) -> Any:
    from app.core.json_input import load_json_input

    return load_json_input(path, "applicant_json")


def _all_errors(exc: ValidationError) -> ValidationError:
    """One error carrying every problem of a request, for the one-line error report."""
    errors: list[ValidationError] = getattr(exc, "errors", None) or [exc]
    if len(errors) == 1:
        return exc
    joined = ValidationError("; ".join(e.message_en for e in errors),
                             " ".join(e.message_vi if e.message_vi.endswith(".") else e.message_vi + "."
                                      for e in errors), field=exc.field)
    joined.errors = errors  # type: ignore[attr-defined]
    return joined


def cmd_receive(args: argparse.Namespace, out: Output) -> int:
    from app.core.cccd import applicant_from_qr, parse_cccd_qr
    from app.services import reception
    from app.services.auth import SYSTEM_OFFICER
    from app.services.catalogue import get_procedure
    from app.services.printing import export_slip

    if args.applicant_qr is not None:
        applicant = applicant_from_qr(parse_cccd_qr(args.applicant_qr))
    else:
        applicant = reception.applicant_from_dict(_read_applicant_json(args.applicant_json))
    receipt_error: str | None = None
    receipt_path: Path | None = None
    with open_context(args) as ctx:
        components = None
        if args.component:
            procedure = get_procedure(ctx, args.procedure)
            components = reception.component_inputs(procedure, args.component)
        request = reception.ReceiveRequest(args.procedure.strip(), applicant, components=components,
                                           received_at=args.received_at)
        try:
            dossier = reception.receive_dossier(ctx, request, SYSTEM_OFFICER)
        except ValidationError as exc:
            raise _all_errors(exc) from None
        if args.receipt:
            # The dossier is received whatever happens now: never hide its code behind an error.
            try:
                receipt_path = export_slip(ctx, "01", dossier.code, Path(args.receipt), SYSTEM_OFFICER)
            except MotCuaError as exc:
                receipt_error = exc.message_vi
            except Exception as exc:
                log = log_unexpected(getattr(args, "data_dir", None))
                receipt_error = f"{type(exc).__name__}: {exc} (chi tiết trong {log})".splitlines()[0]
    warnings = [] if receipt_error is None else [
        f"đã tiếp nhận hồ sơ {dossier.code} nhưng không ghi được Giấy tiếp nhận: {receipt_error} In lại bằng "
        f"“motcua print 01 {dossier.code} --out TỆP.pdf”."]
    if out.as_json:
        answer = {"code": dossier.code, "due_at": fmt_dt(dossier.due_at), "status": int(dossier.status),
                  "applicant": applicant_json(dossier.applicant)}
        out.json({**answer, "warnings": warnings} if warnings else answer)
    else:
        a = dossier.applicant
        identity = f"CCCD {a.id_number}" if a.id_number else (f"CMND {a.old_id_number}" if a.old_id_number
                                                             else f"MST {a.tax_code}")
        received = [c for c in dossier.components if c.received]
        out.text(f"Đã tiếp nhận hồ sơ: {dossier.code}")
        out.text(f"Thủ tục: {dossier.procedure_code} — {dossier.procedure_name}")
        out.text(f"Người nộp hồ sơ: {a.full_name} ({identity})")
        out.text(f"Thời điểm tiếp nhận: {vi_dt(dossier.received_at)}")
        out.text(f"Hẹn trả kết quả: {vi_dt(dossier.due_at)} ({WEEKDAY_NAMES_VI[dossier.due_at.weekday()]})")
        out.text(f"Thành phần hồ sơ đã nhận: {len(received)}/{len(dossier.components)}")
        out.text(f"Phí, lệ phí: {vi_money(dossier.fee_vnd)}")
        out.text(f"Trạng thái: {dossier.status.label_vi} ({int(dossier.status)})")
        if receipt_path is not None:
            out.text(f"Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01): {receipt_path}")
    for warning in warnings:  # the dossier is stored: exit 0, a retrying script must not receive it twice
        out.warn(f"Cảnh báo: {warning}")
    return EXIT_OK


# --------------------------------------------------------------------------- print, return


def cmd_print(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.printing import export_slip

    with open_context(args) as ctx:
        path = export_slip(ctx, args.form, args.code.strip(), Path(args.out), SYSTEM_OFFICER)
    if out.as_json:
        out.json({"form": args.form, "code": args.code.strip(), "out": str(path.resolve())})
        return EXIT_OK
    out.text(f"Đã in Mẫu {args.form} của hồ sơ {args.code.strip()} ra tệp {path}")
    return EXIT_OK


RESULT_OPTIONS = ("result_number", "result_symbol", "result_issued", "result_signer", "result_type")


def _result_day(text: str | None) -> Any:
    """``--result-issued``: YYYY-MM-DD or dd/mm/yyyy (ValidationError, Vietnamese, otherwise)."""
    from datetime import date

    from app.core.dates import parse_date_vi

    if not (text or "").strip():
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        return parse_date_vi(str(text), "result_issued", "Ngày cấp kết quả")


def _result_of(args: argparse.Namespace) -> Any:
    """The :class:`~app.services.results.DossierResult` of ``--result-pdf`` and its options, or None."""
    from app.cli.common import UsageError

    if not args.result_pdf:
        given = [f"--{name.replace('_', '-')}" for name in RESULT_OPTIONS if getattr(args, name)]
        if given:
            raise UsageError(f"{', '.join(given)} needs --result-pdf FILE")
        return None
    from app.services.results import DossierResult

    return DossierResult(pdf_path=Path(args.result_pdf), type_code=args.result_type or None,
                         number=args.result_number or "", symbol=args.result_symbol or "",
                         issued_on=_result_day(args.result_issued), signer=args.result_signer or "")


def cmd_return(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER
    from app.services.reception import hand_over

    result = _result_of(args)
    with open_context(args) as ctx:
        outcome = hand_over(ctx, args.code, args.collected_by, SYSTEM_OFFICER, at=args.at, result=result,
                            collector_id=args.collector_id or "")
    dossier, record = outcome.dossier, outcome.record
    if out.as_json:
        out.json({"code": dossier.code, "status": int(dossier.status),
                  "returned_at": fmt_dt(dossier.returned_at), "returned_to": dossier.returned_to,
                  "result_record": record.record_id if record is not None else None})
        return EXIT_OK
    out.text(f"Đã trả kết quả hồ sơ {dossier.code} cho {dossier.returned_to} "
             f"lúc {vi_dt(dossier.returned_at)}.")
    out.text(f"Trạng thái: {dossier.status.label_vi} ({int(dossier.status)})")
    if record is not None:
        out.text(f"Đã số hoá kết quả vào kho dữ liệu: {record.label_vi()} của {record.metadata.owner_name} "
                 f"(mã {record.record_id}, {record.pages} trang).")
    return EXIT_OK


# --------------------------------------------------------------------------- users


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ValidationError("the two passwords differ", "Hai lần nhập mật khẩu không khớp.",
                              field="password")
    return first


def cmd_user_add(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER, create_user

    password = _read_password(args.password_stdin).removesuffix("\r")
    with open_context(args) as ctx:
        officer = create_user(ctx, args.username, args.full_name, password, args.role, by=SYSTEM_OFFICER)
    if out.as_json:
        out.json({"username": officer.username, "full_name": officer.full_name, "role": officer.role.value})
        return EXIT_OK
    out.text(f"Đã tạo tài khoản “{officer.username}” — {officer.full_name} ({officer.role.label_vi}).")
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace, out: Output) -> int:
    from app.services.auth import SYSTEM_OFFICER, list_users

    with open_context(args) as ctx:
        users = list_users(ctx, SYSTEM_OFFICER)
    if out.as_json:
        out.json([{"username": u.username, "full_name": u.full_name, "role": u.role.value, "active": u.active,
                   "created_at": fmt_dt(u.created_at), "last_login_at": fmt_dt(u.last_login_at)}
                  for u in users])
        return EXIT_OK
    if not users:
        out.text("Chưa có tài khoản nào. Tạo quản trị viên: motcua user add TÊN --role admin --full-name "
                 "\"HỌ TÊN\" --password-stdin")
        return EXIT_OK
    rows = [(u.username, u.full_name, u.role.label_vi, "Đang dùng" if u.active else "Đã khóa",
             vi_dt(u.last_login_at) or "—") for u in users]
    out.text(table(("Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái", "Đăng nhập gần nhất"), rows,
                   (None, 40, None, None, None)))
    out.text(f"Tổng cộng: {len(users)} tài khoản.")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid component index {text!r} (expected 0, 1, 2...)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"component index must be >= 0, got {value}")
    return value


def _form(text: str) -> str:
    if not re.fullmatch(r"[0-9]{1,2}", text.strip()):
        raise argparse.ArgumentTypeError(f"invalid form {text!r} (expected 01-05)")
    return text.strip().zfill(2)


def register(commands: Any, leaf: Leaf) -> None:
    """Add receive, print, return and user to the ``motcua`` sub-commands."""
    p = leaf(commands, "receive", "tiếp nhận một hồ sơ (cấp mã hồ sơ, tính ngày hẹn trả)", cmd_receive)
    p.add_argument("--procedure", required=True, metavar="MÃ", help="mã thủ tục, vd 1.001193")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--applicant-qr", metavar="NỘI_DUNG", help="nội dung mã QR trên thẻ CCCD")
    who.add_argument("--applicant-json", metavar="TỆP",
                     help="tệp JSON thông tin người nộp (id_number, old_id_number, full_name, birth_date, "
                          "sex, address, id_issue_date; tùy chọn phone, email, tax_code, kind); “-” là stdin")
    p.add_argument("--component", type=_index, action="append", metavar="CHỈ_SỐ",
                   help="thành phần hồ sơ đã nhận, chỉ số từ 0 theo danh mục (lặp lại được; mặc định các "
                        "thành phần bắt buộc)")
    p.add_argument("--received-at", type=parse_moment, metavar='"YYYY-MM-DD HH:MM"',
                   help="thời điểm tiếp nhận (mặc định: bây giờ)")
    p.add_argument("--receipt", type=file_name, metavar="TỆP.pdf",
                   help="ghi Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)")

    p = leaf(commands, "print", "in lại phiếu của một hồ sơ ra tệp PDF theo tình trạng hồ sơ (Mẫu 01–06)",
             cmd_print)
    p.add_argument("form", type=_form, metavar="MẪU",
                   help="theo bộ biểu mẫu của hồ sơ: 01 tiếp nhận, 02 bổ sung, 03 từ chối, 04 xin lỗi; "
                        "05 kiểm soát (TT 01/2018) hoặc thông báo dừng (TT 03/2025), "
                        "06 kiểm soát (TT 03/2025)")
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")
    p.add_argument("--out", required=True, type=file_name, metavar="TỆP.pdf", help="tệp PDF cần ghi")

    p = leaf(commands, "return", "trả kết quả cho người dân (chỉ hồ sơ “Đã xử lý xong”)", cmd_return)
    p.add_argument("code", metavar="MÃ", help="mã hồ sơ")
    p.add_argument("--collected-by", required=True, metavar="HỌ_TÊN", help="họ tên người nhận kết quả")
    p.add_argument("--collector-id", metavar="SỐ_CCCD", help="số CCCD (hoặc CMND) của người nhận kết quả")
    p.add_argument("--at", type=parse_moment, metavar='"YYYY-MM-DD HH:MM"',
                   help="thời điểm trả (mặc định: bây giờ)")
    p.add_argument("--result-pdf", metavar="TỆP.pdf",
                   help="số hoá kết quả vào kho dữ liệu của người nộp (cùng lúc với trả kết quả)")
    p.add_argument("--result-number", metavar="SỐ", help="số của giấy tờ kết quả")
    p.add_argument("--result-symbol", metavar="KÝ_HIỆU", help="ký hiệu của giấy tờ kết quả")
    p.add_argument("--result-issued", metavar="NGÀY", help="ngày cấp: YYYY-MM-DD hoặc dd/mm/yyyy")
    p.add_argument("--result-signer", metavar="HỌ_TÊN", help="người ký giấy tờ kết quả")
    p.add_argument("--result-type", metavar="MÃ_KQ",
                   help="mã loại kết quả (mặc định: kết quả chính của thủ tục)")

    user = commands.add_parser("user", help="tài khoản cán bộ")
    user_sub = user.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(user_sub, "add", "tạo tài khoản (mật khẩu đọc từ stdin)", cmd_user_add)
    p.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    p.add_argument("--role", required=True, choices=ROLES, help="vai trò: admin, officer, clerk, supervisor")
    p.add_argument("--full-name", required=True, metavar="HỌ_TÊN")
    p.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    leaf(user_sub, "list", "liệt kê các tài khoản", cmd_user_list)
