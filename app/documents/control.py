"""Mẫu 05 — PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ (TT 01/2018; Mẫu 06 of the 2025 set).

After the Ninh Thuận and Đồng Nai templates (domain notes §1.5): dossier fields, then a table of
hand-over blocks filled from the dossier's history with the real times: each hand-over (counter ->
unit), a supplement received and passed on, the result back at the counter (with its timeliness);
the remaining blocks are left blank to fill in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from app.core.dossier import DossierStatus
from app.core.lifecycle import Action, entry_action
from app.documents.formatting import DOTS, clean, esc, or_dots, slip_datetime
from app.documents.layout import (
    FRAME_WIDTH,
    FormContext,
    PdfMeta,
    Styles,
    build_pdf,
    field_line,
    grid,
    header,
    table_style,
    title_block,
)

COUNTER_SHORT = "Bộ phận TN&TKQ"
BLOCKS = 4


def _agencies(ctx: FormContext) -> tuple[str, str]:
    handed = ctx.last_step(Action.HANDOVER)
    unit = handed.details.get("unit") if handed is not None else ""
    solving = clean(ctx.extra.get("solving_agency") or unit or ctx.profile.parent_agency)
    coordinating = ctx.extra.get("coordinating_agencies") or ""
    if isinstance(coordinating, list | tuple):
        coordinating = "; ".join(clean(c) for c in coordinating)
    return solving, clean(coordinating)


def _sign_boxes(st: Styles) -> Table:
    cells = [[Paragraph("Người giao", st.cell_head), Paragraph("Người nhận", st.cell_head)],
             [Paragraph("<i>(Ký)</i>", st.cell_center), Paragraph("<i>(Ký)</i>", st.cell_center)],
             [st.gap(1.6), st.gap(1.6)]]
    table = Table(cells)
    table.setStyle(table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


@dataclass(frozen=True)
class HandOver:
    giver: str
    receiver: str
    at: datetime | None = None
    result: str = ""  # Trước hạn / Đúng hạn / Quá hạn
    note: str = ""


def hand_overs(ctx: FormContext, solving: str) -> list[HandOver]:
    """The hand-overs the history records, then blank blocks up to :data:`BLOCKS`."""
    history = ctx.dossier.history
    unit = ""
    blocks: list[HandOver] = []
    for position, step in enumerate(history):
        action = entry_action(history, position)
        before = history[position - 1].status if position else None
        if action == Action.HANDOVER.value:
            unit = clean(step.details.get("unit") or "") or solving
            blocks.append(HandOver(COUNTER_SHORT, unit, step.at))
        elif action == Action.SUPPLEMENT_RECEIVE.value and step.status is DossierStatus.PROCESSING:
            blocks.append(HandOver(COUNTER_SHORT, unit or solving, step.at, note="Hồ sơ bổ sung"))
        elif action == Action.DONE.value and before is DossierStatus.PROCESSING:
            blocks.append(HandOver(unit or solving, COUNTER_SHORT, step.at,
                                   clean(step.details.get("timeliness") or "")))
    if not blocks:
        blocks.append(HandOver(COUNTER_SHORT, solving))
    while len(blocks) < BLOCKS:
        blocks.append(HandOver("", ""))
    return blocks


def _block(st: Styles, block: HandOver) -> list[object]:
    agencies = [Paragraph(f"1. Giao: {or_dots(block.giver)}", st.cell),
                Paragraph(f"2. Nhận: {or_dots(block.receiver)}", st.cell)]
    when = slip_datetime(block.at).replace(", ", ",<br/>", 1)  # time on one line, date on the next
    timing = [Paragraph(when, st.cell_center), _sign_boxes(st)]
    return [agencies, timing, Paragraph(esc(block.result), st.cell_center),
            Paragraph(esc(block.note), st.cell)]


def render_control_sheet(ctx: FormContext) -> bytes:
    d = ctx.dossier
    solving, coordinating = _agencies(ctx)
    day = ctx.issued_on(d.received_at.date())
    blocks = hand_overs(ctx, solving)

    def story(st: Styles) -> list[list[Flowable]]:
        head = st.cell_head
        rows: list[list[object]] = [[
            Paragraph("TÊN CƠ QUAN", head), Paragraph("THỜI GIAN GIAO, NHẬN HỒ SƠ", head),
            [Paragraph("KẾT QUẢ GIẢI QUYẾT HỒ SƠ", head),
             Paragraph("<i>(Trước hạn/đúng hạn/quá hạn)</i>", st.cell_center)],
            Paragraph("GHI CHÚ", head),
        ]]
        rows += [_block(st, block) for block in blocks]
        widths = [46 * mm, 58 * mm, 36 * mm, 0.0]
        widths[3] = FRAME_WIDTH - sum(widths)
        return [[
            header(st, ctx.profile, ctx.number(), day),
            st.gap(0.5),
            *title_block(st, ctx.title),
            field_line(st, "Kèm theo hồ sơ của", f"<b>{esc(d.applicant.full_name)}</b>"),
            field_line(st, "Mã hồ sơ", f"<b>{esc(d.code)}</b>"),
            field_line(st, "Nội dung yêu cầu giải quyết", esc(ctx.procedure_name)),
            field_line(st, "Ngày nhận", slip_datetime(d.received_at)),
            field_line(st, "Ngày, giờ hẹn trả kết quả", slip_datetime(d.due_at)),
            field_line(st, "Cơ quan (bộ phận) giải quyết hồ sơ", esc(solving)),
            field_line(st, "Cơ quan phối hợp giải quyết hồ sơ", or_dots(coordinating, DOTS * 3)),
            st.gap(0.3),
            grid(rows, widths, extra_style=[("VALIGN", (0, 1), (-1, -1), "TOP")]),
        ]]

    meta = PdfMeta(title=ctx.title, subject=d.code, author=d.officer,
                   keywords=f"Mẫu {ctx.form_no}, {d.form_set}")
    return build_pdf(story, meta)
