"""``motcua warehouse search``, ``add`` and ``sign``: the e-data warehouse (kho dữ liệu điện tử).

JSON shapes (docs/contracts-wave2.md, "Warehouse"): ``search --json`` prints
``{"owner": ID, "text": TEXT|null, "count": N, "records": [RECORD, ...]}`` and ``add --json`` prints
``RECORD``, where RECORD is :func:`app.services.warehouse.records.record_to_json`; in ``search`` each RECORD
also has ``"signature": {"signed", "valid", "trusted", "signer", "signed_at", "level", "message"}``
(the PDF verified now). ``sign --json`` prints the :class:`~app.services.warehouse.record_signing.SignReport`:
``{"count", "signed": [SIGNED...], "already_signed": [SIGNED...], "failed": [{"record_id", "error",
"message"}], "cancelled", "stopped", "not_done", "ok"}`` with SIGNED ``{"record_id", "sha256",
"original_sha256", "already_signed", "dossier_code", "signature"}``; it exits 1 unless every record
ended validly signed. The command line acts as :data:`app.services.admin.auth.SYSTEM_OFFICER`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, Output, open_context, short, table
from app.cli.signing import add_key_arguments

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]
VALIDITY_CHOICES = ("valid", "until", "expired")


def cmd_search(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.warehouse import record_signing as warehouse_signing
    from app.services.warehouse import records as warehouse

    with open_context(args) as ctx:
        records = warehouse.search(ctx, SYSTEM_OFFICER, owner_id=args.owner, text=args.text,
                                   valid_only=args.valid_only, limit=args.limit)
        views = [warehouse_signing.record_signature(ctx, r) for r in records]  # verified now
    if out.as_json:
        out.json({"owner": args.owner, "text": args.text, "count": len(records),
                  "records": [{**warehouse.record_to_json(v.record), "signature": v.signature_json()}
                              for v in views]})
        return EXIT_OK
    if not records:
        out.text("Không có giấy tờ nào trong kho dữ liệu.")
        return EXIT_OK
    rows = [(r.record_id, short(r.metadata.type_name or r.metadata.type_code, 34), r.metadata.number_text,
             r.metadata.issued_on.strftime("%d/%m/%Y") if r.metadata.issued_on else "",
             short(r.metadata.owner_name, 24), r.metadata.validity_vi(),
             "đã ký số" if v.validly_signed else "chưa ký số", r.sha256[:12])
            for r, v in zip(records, views, strict=True)]
    out.text(table(("Mã", "Loại giấy tờ", "Số/ký hiệu", "Ngày cấp", "Chủ sở hữu", "Hiệu lực", "Chữ ký",
                    "SHA-256"), rows, (16, 34, 16, 10, 24, 26, 10, 12)))
    out.text(f"{len(records)} giấy tờ.")
    return EXIT_OK


def cmd_add(args: argparse.Namespace, out: Output) -> int:
    from app.core.errors import ValidationError
    from app.core.warehouse import OwnerIdKind, ResultMetadata, Validity, classify_owner_id, parse_day_vi
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.warehouse import records as warehouse

    kind = classify_owner_id(args.owner_id)
    if kind is None:
        raise ValidationError(
            f"--owner-id {args.owner_id!r} is not a CCCD (12 digits), CMND (9) or tax code (10)",
            f"Số định danh “{args.owner_id}” không phải số CCCD (12 chữ số), CMND (9 chữ số) "
            "hay mã số thuế (10 chữ số).", field="owner_id")
    owner_id = args.owner_id.strip().replace(" ", "")
    valid_until = parse_day_vi(args.valid_until or "", "valid_until", "Ngày hết hiệu lực")
    default = Validity.UNTIL if valid_until else Validity.VALID
    validity = Validity(args.validity) if args.validity else default
    metadata = ResultMetadata(
        type_code=args.type, number=args.number or "", symbol=args.symbol or "",
        issued_on=parse_day_vi(args.issued or "", "issued_on", "Ngày cấp"), issuer=args.issuer or "",
        signer=args.signer or "", owner_name=args.owner_name,
        owner_id_number=owner_id if kind is OwnerIdKind.CCCD else "",
        owner_old_id_number=owner_id if kind is OwnerIdKind.CMND else "",
        owner_tax_code=owner_id if kind is OwnerIdKind.TAX_CODE else "",
        validity=validity, valid_until=valid_until)
    with open_context(args) as ctx:
        record = warehouse.add_result(ctx, metadata, SYSTEM_OFFICER, pdf_path=args.pdf)
    if out.as_json:
        out.json(warehouse.record_to_json(record))
        return EXIT_OK
    out.text(f"Đã lưu vào kho: {record.label_vi()} của {record.metadata.owner_name} "
             f"(mã {record.record_id}, {record.pages} trang, SHA-256 {record.sha256[:12]}…).")
    return EXIT_OK


def cmd_sign(args: argparse.Namespace, out: Output) -> int:
    from app.cli.common import UsageError
    from app.cli.signing import signer_key
    from app.documents.signing import DEFAULT_REASON
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.warehouse import record_signing as warehouse_signing

    if bool(args.records) == bool(args.unsigned):
        raise UsageError("give RECORD_ID... or --unsigned (not both)")
    if args.owner and not args.unsigned:
        raise UsageError("--owner goes with --unsigned")
    with open_context(args) as ctx:
        if args.unsigned:
            unsigned = warehouse_signing.unsigned_records(ctx, SYSTEM_OFFICER, owner_id=args.owner,
                                                          limit=args.limit)
            ids = [r.record_id for r in unsigned]
        else:
            ids = list(args.records)
        if not ids:  # nothing to sign: no PIN asked
            report = warehouse_signing.SignReport()
        else:
            report = warehouse_signing.sign_records(
                ctx, ids, SYSTEM_OFFICER, signer_key(args, ctx), reason=args.reason or DEFAULT_REASON,
                location=args.location, countersign=args.countersign)
    if out.as_json:
        out.json({"count": len(ids), **report.to_json()})
        return EXIT_OK if report.ok else EXIT_ERROR
    if not ids:
        out.text("Không có giấy tờ nào chưa ký số.")
        return EXIT_OK
    for done in report.signed:
        out.text(f"{done.record.record_id}: {done.status.message}")
    for done in report.already_signed:
        out.text(f"{done.record.record_id}: đã có chữ ký từ trước — {done.status.message}")
    for failure in report.failed:
        out.warn(f"{failure.record_id}: {failure.error.message_vi}")
    out.text(report.summary_vi())
    return EXIT_OK if report.ok else EXIT_ERROR


def register(commands: Any, leaf: Leaf) -> None:
    """Add ``warehouse search``, ``add`` and ``sign`` to the ``motcua`` sub-commands."""
    group = commands.add_parser("warehouse", help="kho dữ liệu điện tử (kết quả đã số hoá)")
    sub = group.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = leaf(sub, "search", "tìm giấy tờ trong kho theo số định danh của chủ sở hữu", cmd_search)
    p.add_argument("--owner", metavar="SỐ", help="số CCCD, CMND hoặc mã số thuế của chủ sở hữu")
    p.add_argument("--text", metavar="CHỮ", help="họ tên, số, loại giấy tờ (không cần dấu)")
    p.add_argument("--valid-only", action="store_true", help="chỉ giấy tờ còn hiệu lực hôm nay")
    p.add_argument("--limit", type=int, default=200, metavar="N", help="tối đa N giấy tờ (mặc định 200)")

    p = leaf(sub, "add", "lưu một giấy tờ đã số hoá (tệp PDF) vào kho", cmd_add)
    p.add_argument("--pdf", required=True, metavar="TỆP.pdf", help="tệp PDF của giấy tờ")
    p.add_argument("--type", required=True, metavar="MÃ_KQ",
                   help="mã kết quả trong danh mục, vd KQ.G15.000031")
    p.add_argument("--owner-id", required=True, metavar="SỐ", help="số CCCD, CMND hoặc mã số thuế")
    p.add_argument("--owner-name", required=True, metavar="HỌ_TÊN", help="họ tên chủ sở hữu")
    p.add_argument("--number", metavar="SỐ", help="số của giấy tờ")
    p.add_argument("--symbol", metavar="KÝ_HIỆU", help="ký hiệu của giấy tờ")
    p.add_argument("--issued", metavar="dd/mm/yyyy", help="ngày cấp")
    p.add_argument("--issuer", metavar="CƠ_QUAN", help="cơ quan cấp")
    p.add_argument("--signer", metavar="HỌ_TÊN", help="người ký")
    p.add_argument("--valid-until", metavar="dd/mm/yyyy", help="còn hiệu lực đến ngày")
    p.add_argument("--validity", choices=VALIDITY_CHOICES,
                   help="valid: còn hiệu lực; until: đến --valid-until; expired: hết hiệu lực")

    p = leaf(sub, "sign", "ký số (PAdES) tệp PDF của giấy tờ trong kho bằng USB token hoặc tệp .p12",
             cmd_sign)
    p.add_argument("records", nargs="*", metavar="MÃ_GIẤY_TỜ",
                   help="mã giấy tờ trong kho, vd KHO-3F2A9C01B7D4")
    p.add_argument("--unsigned", action="store_true", help="ký mọi giấy tờ chưa có chữ ký số hợp lệ")
    p.add_argument("--owner", metavar="SỐ", help="với --unsigned: chỉ giấy tờ của chủ sở hữu này")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="với --unsigned: tối đa N giấy tờ")
    p.add_argument("--countersign", action="store_true",
                   help="ký thêm cả giấy tờ đã có chữ ký hợp lệ (mặc định: bỏ qua)")
    add_key_arguments(p)
