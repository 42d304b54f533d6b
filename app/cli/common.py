"""Shared pieces of the ``motcua`` command: exit codes, output, formatting, JSON shapes, argument types."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from app.cli.i18n import TranslatingFormatter, pick
from app.core.catalogue import procedure_to_dict
from app.core.dossier import Dossier, DossierStatus
from app.core.lifecycle import entry_action
from app.core.procedure import Procedure, ProcessingUnit

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
#: How every date-and-time option is shown in --help (both shapes are accepted).
MOMENT_METAVAR = "\"dd/mm/yyyy HH:MM\""

CHANNEL_LABELS_VI = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
DELIVERY_LABELS_VI = {0: "Tại Bộ phận Một cửa", 1: "Qua dịch vụ bưu chính"}


class UsageError(Exception):
    """A malformed command line (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse in the chosen language (see ``app.cli.i18n``); errors raise :class:`UsageError`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", TranslatingFormatter)
        super().__init__(*args, **kwargs)

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


def short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int | None]) -> str:
    cells = [[short(str(c), w) if w else str(c) for c, w in zip(row, widths, strict=True)] for row in rows]
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
        "files": [{"name": f.file_name, "sha256": f.sha256, "bytes": f.size, "component": f.component_index}
                  for f in d.attachments],
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
        "register": None if d.register is None else {"book": d.register.book, "seq": d.register.seq},
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
            {"at": fmt_dt(h.at), "action": entry_action(d.history, i), "status": int(h.status),
             "officer": h.officer, "reason": h.reason}
            for i, h in enumerate(d.history)
        ],
    }


# --------------------------------------------------------------------------- output


def terminal_safe(text: str) -> str:
    from app.core.text import terminal_safe as safe

    return safe(text)


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def text(self, text: str = "") -> None:
        sys.stdout.write(terminal_safe(text) + "\n")

    def warn(self, text: str) -> None:
        sys.stderr.write(terminal_safe(text) + "\n")



# --------------------------------------------------------------------------- arguments


def open_context(args: argparse.Namespace, *, create: bool = False):  # type: ignore[no-untyped-def]
    from app.services.context import AppContext

    return AppContext.open(args.data_dir, args.db_url, create=create)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(pick(f"invalid date {text!r} (expected YYYY-MM-DD)",
                                              f"ngày không hợp lệ {text!r} (cần YYYY-MM-DD)")) from None


def parse_moment(text: str) -> datetime:
    """Every date-and-time option: ``YYYY-MM-DD HH:MM`` or ``dd/mm/yyyy HH:MM``
    (:func:`app.core.dates.parse_cli_datetime`); other text is a usage error (exit 2)."""
    from app.core.dates import parse_cli_datetime
    from app.core.errors import ValidationError

    try:
        return parse_cli_datetime(text)
    except ValidationError:
        raise argparse.ArgumentTypeError(pick(
            f"invalid time {text!r} (expected 'YYYY-MM-DD HH:MM' or 'dd/mm/yyyy HH:MM')",
            f"thời điểm không hợp lệ {text!r} (cần 'YYYY-MM-DD HH:MM' hoặc 'dd/mm/yyyy HH:MM')")) from None


def add_officer_option(parser: argparse.ArgumentParser) -> None:
    """``--officer USERNAME``: who acts (default: the station's default officer)."""
    parser.add_argument("--officer", metavar="TÊN_ĐĂNG_NHẬP",
                        help="tài khoản cán bộ thực hiện (mặc định: cán bộ mặc định của máy trạm, đặt bằng "
                             "“motcua user default”)")


def officer_of(ctx: Any, args: argparse.Namespace) -> Any:
    """The :class:`~app.services.admin.auth.Officer` of ``--officer`` or the default officer."""
    from app.services.admin.counter_officer import acting_officer

    return acting_officer(ctx, getattr(args, "officer", None))


def int_in_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high`` (no upper bound: ``None``).
    Errors: ``invalid number '<text>'``, ``must be >= <low>, got <n>``, ``must be <low>-<high>, got <n>``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(pick(f"invalid number {text!r}",
                                                  f"số không hợp lệ {text!r}")) from None
        if value < low or (high is not None and value > high):
            bound = f">= {low}" if high is None else f"{low}-{high}"
            raise argparse.ArgumentTypeError(pick(f"must be {bound}, got {value}",
                                                  f"phải là {bound}, nhận được {value}"))
        return value

    parse.__name__ = "number"  # what argparse names the value in its own messages
    return parse


non_negative = int_in_range(0)


def parse_status(text: str) -> int:
    try:
        value = int(text)
        DossierStatus(value)
    except ValueError:
        raise argparse.ArgumentTypeError(pick(f"invalid status {text!r} (expected 1-10)",
                                              f"trạng thái không hợp lệ {text!r} (cần 1–10)")) from None
    return value


def add_globals(parser: argparse.ArgumentParser, *, top: bool) -> None:
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


# --------------------------------------------------------------------------- errors


def log_unexpected(data_dir: str | None) -> Path:
    """Log the exception being handled, with its traceback, to ``<data dir>/logs/motcua.log`` (JSON
    lines, personal data masked; the temporary folder when the data folder cannot be written).
    Only the command's words are logged, never its arguments (they may hold an applicant's data)."""
    from app.services.admin.logging_setup import log_exception
    from app.services.context import resolve_data_dir

    error = sys.exc_info()[1] or RuntimeError("unknown error")
    words = [w for w in sys.argv[1:] if not w.startswith("-")][:2]
    command = " ".join(w for w in words if re.fullmatch(r"[a-z][a-z-]{0,30}", w))
    for folder in (resolve_data_dir(data_dir), Path(tempfile.gettempdir()) / "motcua"):
        path = log_exception(folder, f"unexpected error in `motcua {command}`", error, "motcua.cli")
        if path is not None:
            return path
    return Path(tempfile.gettempdir())


def file_name(text: str) -> str:
    """A file name given on the command line: it must be text (a name whose bytes are not UTF-8
    arrives with lone surrogates, which no PDF title, JSON answer or log line can carry)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode("ascii", "replace")
        raise argparse.ArgumentTypeError(f"the file name {shown} is not valid UTF-8 text: rename it "
                                         "(tên tệp không phải văn bản UTF-8 hợp lệ)") from None
    return text
