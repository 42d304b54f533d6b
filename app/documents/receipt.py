"""Mẫu 01 — GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ (two copies: Liên 1 kept, Liên 2 handed over).

Field order follows the OpenCPS reproduction of TT 01/2018/TT-VPCP Mẫu 01 (domain notes §1.1);
the components are a table TT | Tên giấy tờ | Bản chính | Bản sao chứng thực | Bản photo as some
provinces print it, and "Phí, lệ phí" plus the QR/Code 128 of the dossier code are practice additions.
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from app.core.dossier import Channel, Delivery, ReceivedComponent
from app.documents.barcodes import code_block
from app.documents.formatting import clean, esc, money_vnd, or_dots, slip_datetime
from app.documents.layout import (
    FRAME_WIDTH,
    FormContext,
    PdfMeta,
    Signer,
    Styles,
    build_pdf,
    field_line,
    grid,
    header,
    signatures,
    title_block,
)

COPIES = ("Liên 1: Lưu", "Liên 2: Giao khách hàng")
REUSED_MARK = "(*)"
REUSED_NOTE = (
    "(*) Giấy tờ được khai thác, tái sử dụng từ Kho quản lý dữ liệu điện tử của tổ chức, cá nhân."
)
NOTES = (
    "Giấy tiếp nhận và hẹn trả kết quả được lập thành 2 liên; một liên chuyển kèm theo Phiếu kiểm "
    "soát quá trình giải quyết hồ sơ và được lưu tại Bộ phận tiếp nhận và trả kết quả; một liên giao "
    "cho cá nhân, tổ chức nộp hồ sơ;",
    "Cá nhân, tổ chức có thể đăng ký nhận kết quả tại Bộ phận tiếp nhận và trả kết quả hoặc tại nhà "
    "(trụ sở tổ chức) qua dịch vụ bưu chính.",
)
COUNTER_LABEL = "Bộ phận tiếp nhận và trả kết quả"


def is_reused(component: ReceivedComponent) -> bool:
    """Taken from the e-data warehouse (reused record or national catalogue) instead of paper."""
    return bool(component.reused_record_id) or component.from_warehouse


def _count(value: int) -> str:
    return str(value) if value else ""


def components_table(st: Styles, components: list[ReceivedComponent]) -> list[Flowable]:
    """The received components as a table, plus the footnote explaining the reuse mark."""
    widths = [9 * mm, 0.0, 15 * mm, 21 * mm, 15 * mm]
    widths[1] = FRAME_WIDTH - sum(widths)
    rows: list[list[object]] = [[
        Paragraph("TT", st.cell_head), Paragraph("Tên giấy tờ", st.cell_head),
        Paragraph("Bản chính", st.cell_head), Paragraph("Bản sao chứng thực", st.cell_head),
        Paragraph("Bản photo", st.cell_head),
    ]]
    received = [c for c in components if c.received]
    for number, component in enumerate(received, start=1):
        name = esc(component.name)
        if is_reused(component):
            name += f" <b>{REUSED_MARK}</b>"
        if clean(component.note).strip():
            name += f" <i>({esc(component.note)})</i>"
        rows.append([
            Paragraph(str(number), st.cell_center), Paragraph(name, st.cell),
            Paragraph(_count(component.originals), st.cell_center),
            Paragraph(_count(component.certified_copies), st.cell_center),
            Paragraph(_count(component.photocopies), st.cell_center),
        ])
    if not received:
        rows.append([Paragraph("", st.cell), Paragraph("<i>(Không có giấy tờ)</i>", st.cell), "", "", ""])
    out: list[Flowable] = [grid(rows, widths)]
    if any(is_reused(c) for c in received):
        out.append(Paragraph(f"<i>{esc(REUSED_NOTE)}</i>", st.small))
    out.append(st.gap(0.3))
    return out


def processing_label(ctx: FormContext) -> str:
    processing = ctx.procedure.processing
    if ctx.dossier.channel == Channel.ONLINE and processing.online_amount is not None:
        processing = replace(processing, amount=processing.online_amount)
    return processing.label_vi()


def delivery_text(ctx: FormContext) -> str:
    dossier = ctx.dossier
    if dossier.delivery == Delivery.POST:
        address = clean(dossier.delivery_address).strip() or clean(dossier.applicant.address).strip()
        return f"Qua dịch vụ bưu chính, đến địa chỉ: {or_dots(address)}"
    return "Bộ phận Một cửa"


def register_line(ctx: FormContext) -> str:
    """The dossier's line in the register book; ``extra`` may override it (reprints of old slips)."""
    entry = ctx.dossier.register
    book = ctx.extra.get("register_book_no") or (entry.book if entry else "") or ctx.profile.register_book_no
    seq = ctx.extra.get("register_seq") or (entry.seq if entry else "")
    return (f"Vào Sổ theo dõi hồ sơ, Quyển số: <b>{or_dots(str(book))}</b>&nbsp;&nbsp;"
            f"Số thứ tự: <b>{or_dots(str(seq))}</b>")


def receipt_copy(ctx: FormContext, st: Styles, copy_label: str) -> list[Flowable]:
    """One copy (liên) of the receipt."""
    d, a = ctx.dossier, ctx.dossier.applicant
    lookup = ""
    if clean(ctx.profile.website).strip():
        lookup = f"Tra cứu tình trạng hồ sơ tại: {esc(ctx.profile.website)}"
    story: list[Flowable] = [
        header(st, ctx.profile, ctx.number(), d.received_at.date()),
        st.gap(0.3),
        code_block(st, d.code, lookup, title_block(st, ctx.title, f"Mã hồ sơ: <b>{esc(d.code)}</b>",
                                                   f"<i>({esc(copy_label)})</i>")),
        field_line(st, COUNTER_LABEL, esc(ctx.profile.counter_name)),
        field_line(st, "Tiếp nhận hồ sơ của", f"<b>{esc(a.full_name)}</b>"),
        field_line(st, "Địa chỉ", or_dots(a.address)),
        Paragraph(f"Số điện thoại: {or_dots(a.phone)}&nbsp;&nbsp;&nbsp;&nbsp;Email: {or_dots(a.email)}",
                  st.body),
        field_line(st, "Nội dung yêu cầu giải quyết", f"<b>{esc(ctx.procedure_name)}</b>"),
        Paragraph("1. Thành phần hồ sơ nộp gồm:", st.body),
        *components_table(st, d.components),
        Paragraph(f"2. Số lượng hồ sơ: {max(d.sets_count, 1):02d} (bộ)", st.body),
        Paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định là: {esc(processing_label(ctx))}", st.body),
        Paragraph(f"4. Thời gian nhận hồ sơ: {slip_datetime(d.received_at)}", st.body),
        Paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{slip_datetime(d.due_at)}</b>", st.body),
        Paragraph(f"6. Đăng ký nhận kết quả tại: {delivery_text(ctx)}", st.body),
        Paragraph(f"Phí, lệ phí: {money_vnd(d.fee_vnd)}", st.body),
        Paragraph(register_line(ctx), st.body),
        st.gap(0.3),
        signatures(st, Signer("NGƯỜI NỘP HỒ SƠ", name=a.full_name),
                   Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=d.officer)),
        st.gap(0.5),
        Paragraph("<b><i>Ghi chú:</i></b>", st.small),
        *(Paragraph(f"- {esc(note)}", st.small) for note in NOTES),
    ]
    return story


def render_receipt(ctx: FormContext) -> bytes:
    """Both copies, one page each."""
    meta = PdfMeta(title=ctx.title, subject=ctx.dossier.code, author=ctx.dossier.officer,
                   keywords=f"Mẫu {ctx.form_no}, {ctx.dossier.form_set}")
    return build_pdf(lambda st: [receipt_copy(ctx, st, label) for label in COPIES], meta)
