"""Mẫu 02 (yêu cầu bổ sung, hoàn thiện hồ sơ) and Mẫu 03 (từ chối tiếp nhận giải quyết hồ sơ).

Wording after the Thanh Hóa provincial templates of TT 01/2018/TT-VPCP (domain notes §1.2, §1.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from app.core.dossier import SupplementRequest
from app.core.lifecycle import Action
from app.core.text import fold
from app.documents.formatting import LONG_TEXT_LIMIT, esc, or_dots
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
    require_value,
    signatures,
    step_reason,
    title_block,
)

COUNTER_LABEL = "Bộ phận tiếp nhận và trả kết quả"


@dataclass(frozen=True)
class SupplementItem:
    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0


def applicant_lines(ctx: FormContext, st: Styles, who: str = "Tiếp nhận hồ sơ của") -> list[Flowable]:
    a = ctx.dossier.applicant
    return [
        field_line(st, COUNTER_LABEL, esc(ctx.profile.counter_name)),
        field_line(st, who, f"<b>{esc(a.full_name)}</b>"),
        field_line(st, "Mã hồ sơ", esc(ctx.dossier.code)),
        field_line(st, "Nội dung yêu cầu giải quyết", esc(ctx.procedure_name)),
        field_line(st, "Địa chỉ", or_dots(a.address)),
        Paragraph(f"Số điện thoại: {or_dots(a.phone)}&nbsp;&nbsp;&nbsp;&nbsp;Email: {or_dots(a.email)}",
                  st.body),
    ]


def help_line(ctx: FormContext, officer: str, during: str) -> str:
    p = ctx.profile
    return (
        f"Trong quá trình {during} nếu có vướng mắc, Ông/Bà có thể tra cứu thông tin hướng dẫn tại "
        f"Website {or_dots(p.website)} hoặc liên hệ với công chức {or_dots(officer)}, "
        f"số điện thoại {or_dots(p.phone)} để được hướng dẫn./."
    )


def _meta(ctx: FormContext, author: str) -> PdfMeta:
    return PdfMeta(title=ctx.title, subject=ctx.dossier.code, author=author or ctx.dossier.officer,
                   keywords=f"Mẫu {ctx.form_no}, {ctx.dossier.form_set}")


# --- Mẫu 02 -------------------------------------------------------------------------------------

def _last_supplement(ctx: FormContext) -> SupplementRequest | None:
    return ctx.dossier.supplements[-1] if ctx.dossier.supplements else None


def supplement_items(ctx: FormContext) -> list[SupplementItem]:
    """Items to supplement from ``extra["items"]`` or the last request; paper counts default to
    what the procedure asks for the component of the same name."""
    request = _last_supplement(ctx)
    raw = ctx.extra.get("items")
    if raw is None:
        raw = request.items if request else []
    specs = {fold(spec.name): spec for spec in ctx.procedure.components}
    items: list[SupplementItem] = []
    for entry in raw:
        if isinstance(entry, dict):
            items.append(SupplementItem(str(entry.get("name", "")), int(entry.get("originals", 0) or 0),
                                        int(entry.get("certified_copies", 0) or 0),
                                        int(entry.get("photocopies", 0) or 0)))
            continue
        spec = specs.get(fold(str(entry)))
        if spec is None:
            items.append(SupplementItem(str(entry)))
        else:
            items.append(SupplementItem(str(entry), spec.originals, spec.certified_copies, spec.photocopies))
    return items


def _supplement_table(st: Styles, items: list[SupplementItem]) -> Flowable:
    widths = [9 * mm, 0.0, 15 * mm, 21 * mm, 15 * mm]
    widths[1] = FRAME_WIDTH - sum(widths)
    head = st.cell_head
    rows: list[list[object]] = [
        [Paragraph("TT", head), Paragraph("Thành phần hồ sơ", head), Paragraph("Số lượng", head), "", ""],
        ["", "", Paragraph("Bản chính", head), Paragraph("Bản chứng thực", head),
         Paragraph("Bản photo", head)],
    ]
    for number, item in enumerate(items, start=1):
        rows.append([Paragraph(str(number), st.cell_center), Paragraph(esc(item.name), st.cell),
                     *(Paragraph(str(n) if n else "", st.cell_center)
                       for n in (item.originals, item.certified_copies, item.photocopies))])
    if not items:
        rows.append(["", Paragraph(" ", st.cell), "", "", ""])
    spans = [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1)), ("SPAN", (2, 0), (4, 0))]
    return grid(rows, widths, header_rows=2, extra_style=spans)


def render_supplement_request(ctx: FormContext) -> bytes:
    """The last supplement request of the dossier (items, reason, officer, date), or ``extra``."""
    request = _last_supplement(ctx)
    reason = ctx.extra.get("reason") or (request.reason if request else "")
    officer = ctx.extra.get("officer") or (request.officer if request and request.officer else "") \
        or ctx.dossier.officer
    day = ctx.issued_on(request.requested_at.date() if request else None)
    items = supplement_items(ctx)
    code = ctx.dossier.code
    require_value(items, "supplement request (items)", "yêu cầu bổ sung (giấy tờ cần bổ sung)", code)
    require_value(reason, "supplement request reason", "lý do yêu cầu bổ sung", code)

    def story(st: Styles) -> list[list[Flowable]]:
        return [[
            header(st, ctx.profile, ctx.number(), day),
            st.gap(0.5),
            *title_block(st, ctx.title),
            *applicant_lines(ctx, st, "Tiếp nhận hồ sơ của Ông/Bà"),
            Paragraph("Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:", st.body),
            _supplement_table(st, items),
            st.gap(0.3),
            field_line(st, "Lý do", or_dots(reason, limit=LONG_TEXT_LIMIT)),
            Paragraph(help_line(ctx, officer, "hoàn thiện hồ sơ"), st.body),
            st.gap(0.3),
            signatures(st, None, Signer("NGƯỜI HƯỚNG DẪN", name=officer)),
        ]]

    return build_pdf(story, _meta(ctx, officer))


# --- Mẫu 03 -------------------------------------------------------------------------------------

def render_rejection(ctx: FormContext) -> bytes:
    """The refusal recorded in the history (its reason, officer and date), or ``extra``."""
    step = ctx.last_step(Action.REFUSE)
    reason = ctx.extra.get("reason") or step_reason(step)
    require_value(reason, "refusal reason", "lý do từ chối tiếp nhận", ctx.dossier.code)
    officer = ctx.extra.get("officer") or (step.officer if step is not None and step.officer else "") \
        or ctx.dossier.officer
    day = ctx.issued_on(step.at.date() if step is not None else None)
    name = ctx.dossier.applicant.full_name

    def story(st: Styles) -> list[list[Flowable]]:
        return [[
            header(st, ctx.profile, ctx.number(), day),
            st.gap(0.5),
            *title_block(st, ctx.title),
            *applicant_lines(ctx, st),
            Paragraph(f"Qua xem xét, {esc(ctx.profile.counter_name)} thông báo không tiếp nhận, giải "
                      "quyết hồ sơ này với lý do cụ thể như sau:", st.body),
            Paragraph(or_dots(reason, "…" * 30, LONG_TEXT_LIMIT), st.body),
            Paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện.", st.body),
            Paragraph(help_line(ctx, officer, "thực hiện thủ tục hành chính"), st.body),
            st.gap(0.3),
            signatures(st, Signer("NGƯỜI NỘP HỒ SƠ", name=name),
                       Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=officer)),
        ]]

    return build_pdf(story, _meta(ctx, officer))
