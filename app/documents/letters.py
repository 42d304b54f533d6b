"""Letters signed by the head of the agency: Mẫu 04 (xin lỗi và hẹn lại ngày trả kết quả; in the
2025 set "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết") and the 2025 "Thông báo dừng giải
quyết hồ sơ".

Mẫu 04 wording after the Đồng Nai template (domain notes §1.4). The stop notice is our own layout in
the same style: its official content is UNCONFIRMED (only its title is reported).
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Flowable, Paragraph, Table

from app.core.clock import vn_today
from app.core.lifecycle import Action
from app.documents.formatting import (
    LONG_TEXT_LIMIT,
    as_datetime,
    clean,
    esc,
    or_dots,
    short_date,
    slip_date,
    slip_datetime,
)
from app.documents.layout import (
    FRAME_WIDTH,
    FormContext,
    PdfMeta,
    Signer,
    Styles,
    build_pdf,
    header,
    require_value,
    step_reason,
    table_style,
    title_block,
)


def _agency(ctx: FormContext) -> str:
    return clean(ctx.extra.get("agency_name") or ctx.profile.counter_name)


def _signer(ctx: FormContext) -> Signer:
    title = ctx.extra.get("signer_title") or ctx.profile.head_title or "THỦ TRƯỞNG CƠ QUAN"
    name = ctx.extra.get("signer_name") or ctx.profile.head_name
    return Signer(clean(title).upper(), "(Ký, ghi rõ họ tên và đóng dấu)", clean(name))


def _when(value: datetime | None) -> str:
    """A new appointment: with the time when one is given, else the date only."""
    if value is None:
        return slip_date(None)
    if value.hour or value.minute:
        return slip_datetime(value)
    return slip_date(value.date())


def addressee(ctx: FormContext, st: Styles) -> list[Flowable]:
    a = ctx.dossier.applicant
    contact = f"Địa chỉ: {or_dots(a.address)}; Số điện thoại: {or_dots(a.phone)}"
    return [Paragraph(f"Kính gửi: <b>{esc(a.full_name)}</b>", st.center),
            Paragraph(f"({contact})", st.center), st.gap(0.5)]


def closing(ctx: FormContext, st: Styles, recipients: list[str]) -> Table:
    """"Nơi nhận" on the left, the head's signature on the right (Decree 30 layout)."""
    signer = _signer(ctx)
    left: list[Flowable] = [Paragraph("<b><i>Nơi nhận:</i></b>", st.small)]
    left += [Paragraph(f"- {esc(r)}", st.small) for r in recipients]
    right: list[Flowable] = [Paragraph(esc(signer.title), st.sign_title),
                             Paragraph(esc(signer.note), st.sign_note), st.gap(3.5)]
    if signer.name:
        right.append(Paragraph(f"<b>{esc(signer.name)}</b>", st.center))
    table = Table([[left, right]], colWidths=[FRAME_WIDTH * 0.45, FRAME_WIDTH * 0.55])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 1),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _meta(ctx: FormContext) -> PdfMeta:
    author = ctx.extra.get("signer_name") or ctx.profile.head_name or ctx.dossier.officer
    return PdfMeta(title=ctx.title, subject=ctx.dossier.code, author=author,
                   keywords=f"Mẫu {ctx.form_no}, {ctx.dossier.form_set}")


def render_apology(ctx: FormContext) -> bytes:
    """The postponement recorded in the history: its reason, the appointment it replaced and the
    new one (``extra`` may give them instead)."""
    d = ctx.dossier
    step = ctx.last_step(Action.POSTPONE)
    reason = ctx.extra.get("reason") or step_reason(step)
    new_due = as_datetime(ctx.extra.get("new_due_at")) or (step.due_at if step is not None else None)
    require_value(reason, "postponement reason", "lý do hẹn lại ngày trả kết quả", d.code)
    require_value(new_due, "new appointment", "ngày hẹn trả kết quả mới", d.code)
    old_due = step.previous_due_at if step is not None and step.previous_due_at else d.due_at
    day = ctx.issued_on(step.at.date() if step is not None else vn_today())
    agency = esc(_agency(ctx))

    def story(st: Styles) -> list[list[Flowable]]:
        return [[
            header(st, ctx.profile, ctx.number(), day),
            st.gap(0.5),
            *title_block(st, ctx.title),
            *addressee(ctx, st),
            Paragraph(f"Ngày {short_date(d.received_at)}, {agency} tiếp nhận hồ sơ "
                      f"<b>{esc(ctx.procedure_name)}</b> của Ông/Bà.", st.body),
            Paragraph(f"Số biên nhận hồ sơ: <b>{esc(d.code)}</b>", st.body),
            Paragraph(f"Ngày hẹn trả kết quả giải quyết hồ sơ: {slip_datetime(old_due)}", st.body),
            Paragraph(f"Tuy nhiên, đến nay {agency} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà đúng "
                      f"thời hạn như đã hẹn. Lý do: {or_dots(reason, limit=LONG_TEXT_LIMIT)}", st.body),
            Paragraph(f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency} thành thật xin lỗi Ông/Bà "
                      "và hẹn lại thời gian trả kết quả giải quyết hồ sơ như sau:", st.body),
            Paragraph(f"Thời gian hẹn trả kết quả lại: <b>{_when(new_due)}</b>", st.body),
            Paragraph("Rất mong nhận được sự thông cảm của Ông/Bà./.", st.body),
            st.gap(0.5),
            closing(ctx, st, ["Như trên;", "Bộ phận Một cửa;", "Lưu: VT."]),
        ]]

    return build_pdf(story, _meta(ctx))


def render_stop_notice(ctx: FormContext) -> bytes:
    """TT 03/2025 Mẫu 05 "Thông báo dừng giải quyết hồ sơ" (content UNCONFIRMED, see module doc)."""
    d = ctx.dossier
    step = ctx.last_step(Action.STOP)
    reason = ctx.extra.get("reason") or step_reason(step)
    require_value(reason, "stop reason", "lý do dừng giải quyết", d.code)
    day = ctx.issued_on(step.at.date() if step is not None else vn_today())
    agency = esc(_agency(ctx))

    def story(st: Styles) -> list[list[Flowable]]:
        return [[
            header(st, ctx.profile, ctx.number(), day),
            st.gap(0.5),
            *title_block(st, ctx.title),
            *addressee(ctx, st),
            Paragraph(f"Ngày {short_date(d.received_at)}, {agency} tiếp nhận hồ sơ "
                      f"<b>{esc(ctx.procedure_name)}</b> của Ông/Bà, mã hồ sơ <b>{esc(d.code)}</b>.",
                      st.body),
            Paragraph(f"{agency} thông báo dừng giải quyết hồ sơ nêu trên. "
                      f"Lý do: {or_dots(reason, limit=LONG_TEXT_LIMIT)}", st.body),
            Paragraph("Xin thông báo để Ông/Bà được biết./.", st.body),
            st.gap(0.5),
            closing(ctx, st, ["Như trên;", "Bộ phận Một cửa;", "Lưu: VT."]),
        ]]

    return build_pdf(story, _meta(ctx))
