"""Shared page layout of the slips: styles, the two-column header, signatures, tables, building.

Decree 30/2020 page set-up: A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times-metric
serif (Liberation Serif) 13 pt body. A slip that does not fit on one page is rebuilt with a smaller
base size (down to :data:`MIN_SIZE`) so every copy stays on one sheet.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from app.core.dossier import Dossier, StatusChange
from app.core.errors import MotCuaError
from app.core.lifecycle import Action, entry_action
from app.core.procedure import Procedure
from app.documents.fonts import BOLD, FAMILY, ensure_fonts
from app.documents.formatting import as_datetime, clean, esc, header_date
from app.documents.profile import OfficeProfile

PAGE = A4
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
FRAME_WIDTH = PAGE[0] - MARGIN_LEFT - MARGIN_RIGHT
HEADER_LEFT = 73 * mm
BODY_SIZE = 13.0
MIN_SIZE = 7.5
MIN_CELL_SIZE = 7.0
SIZE_STEP = 0.25
CELL_DROP_MAX = 1.25
CREATOR = "MotCua Desk"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@dataclass(frozen=True)
class FormContext:
    """Everything one renderer needs; ``title`` and ``symbol`` come from the form set."""

    form_no: str
    title: str
    symbol: str
    dossier: Dossier
    procedure: Procedure
    profile: OfficeProfile
    extra: dict = field(default_factory=dict)

    @property
    def procedure_name(self) -> str:
        return self.procedure.name or self.dossier.procedure_name

    def number(self) -> str | None:
        """The "Số:" of the header: ``extra["number"]``, else "<code>/<ký hiệu>" when the form has one."""
        if self.extra.get("number"):
            return clean(self.extra["number"])
        return f"{self.dossier.code}/{self.symbol}" if self.symbol else None

    def issued_on(self, default: date | None) -> date | None:
        """The header date: ``extra["issued_at"]`` or the form's own default."""
        moment = as_datetime(self.extra.get("issued_at"))
        return moment.date() if moment else default

    def last_step(self, *actions: Action) -> StatusChange | None:
        """The dossier's last history entry of one of ``actions`` (None when it never happened)."""
        history = self.dossier.history
        names = {a.value for a in actions}
        for position in range(len(history) - 1, -1, -1):
            if entry_action(history, position) in names:
                return history[position]
        return None


def step_reason(step: StatusChange | None) -> str:
    """The reason recorded with a step (entries written before reasons were recorded: the note)."""
    if step is None:
        return ""
    return clean(step.reason or step.note).strip()


class SlipStateError(MotCuaError):
    """The slip describes an event the dossier has not gone through: printing it would show a
    placeholder or another event's data, which a slip must never do."""


def require_value(value: object, what_en: str, what_vi: str, code: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise SlipStateError(f"dossier {code}: no {what_en} recorded, the slip cannot be printed",
                             f"Hồ sơ {code} chưa có {what_vi}: không in được phiếu này.")


def table_style(commands: list[tuple]) -> TableStyle:
    """A table style whose plain-string cells use the embedded serif (ReportLab's default is the
    non-embedded Helvetica, which would put a standard-14 font into the PDF)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FAMILY), *commands])


class Styles:
    """Paragraph styles for one base size (13 pt normally, smaller when a slip must shrink)."""

    def __init__(self, size: float = BODY_SIZE, cell_size: float | None = None) -> None:
        ensure_fonts()
        self.size = size
        self.cell_size = cell = cell_size if cell_size is not None else size - 1
        lead = size * 1.22

        def style(name: str, **kw: object) -> ParagraphStyle:
            base = {"fontName": FAMILY, "fontSize": size, "leading": lead, "alignment": TA_LEFT}
            base.update(kw)
            return ParagraphStyle(name, **base)

        small = max(size - 1.5, 6.5)
        head = size * 12 / 13
        self.body = style("body", alignment=TA_JUSTIFY, spaceAfter=size * 0.2)
        self.line = style("line")
        self.center = style("center", alignment=TA_CENTER)
        self.italic_center = style("italic_center", alignment=TA_CENTER, fontName=f"{FAMILY}-Italic")
        self.title = style("title", alignment=TA_CENTER, fontName=BOLD, fontSize=size + 1,
                           leading=(size + 1) * 1.2, spaceBefore=size * 0.5)
        self.head_left = style("head_left", alignment=TA_CENTER, fontSize=head, leading=head * 1.2)
        self.head_bold = style("head_bold", alignment=TA_CENTER, fontName=BOLD, fontSize=head,
                               leading=head * 1.2)
        self.motto = style("motto", alignment=TA_CENTER, fontName=BOLD)
        self.date_line = style("date_line", alignment=TA_CENTER, fontName=f"{FAMILY}-Italic")
        self.cell = style("cell", fontSize=cell, leading=cell * 1.15)
        self.cell_center = style("cell_center", alignment=TA_CENTER, fontSize=cell, leading=cell * 1.15)
        self.cell_head = style("cell_head", alignment=TA_CENTER, fontName=BOLD, fontSize=cell,
                               leading=cell * 1.15)
        self.sign_title = style("sign_title", alignment=TA_CENTER, fontName=BOLD)
        self.sign_note = style("sign_note", alignment=TA_CENTER, fontName=f"{FAMILY}-Italic",
                               fontSize=small, leading=small * 1.2)
        self.small = style("small", fontSize=small, leading=small * 1.2, alignment=TA_JUSTIFY)
        self.small_center = style("small_center", fontSize=small, leading=small * 1.2, alignment=TA_CENTER)

    def p(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph from markup the caller built with :func:`esc` on every data value."""
        return Paragraph(markup, style or self.body)

    def gap(self, lines: float = 0.5) -> Spacer:
        return Spacer(1, self.size * 1.2 * lines)


class CenteredRule(Flowable):
    """A thin horizontal rule of a fixed width centred in whatever width it is given (table cells
    ignore ``hAlign``), like the rules under the unit name and the motto."""

    def __init__(self, width: float, thickness: float = 0.6, space: float = 2.0) -> None:
        super().__init__()
        self.rule_width = width
        self.thickness = thickness
        self.space = space
        self._avail = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.thickness + 2 * self.space

    def draw(self) -> None:
        x = max((self._avail - self.rule_width) / 2, 0)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x, self.space, x + min(self.rule_width, self._avail), self.space)


def _rule(width: float) -> CenteredRule:
    return CenteredRule(width)


def header(st: Styles, profile: OfficeProfile, number: str | None, day: date | None) -> Table:
    """The two-column header: agency / unit / "Số" on the left, the national title, motto and the
    date line on the right ("Số" and the date line share a row, as in Decree 30/2020)."""
    unit_style = st.head_bold
    unit = esc(profile.unit_name).upper()
    unit_width = min(stringWidth(clean(profile.unit_name).upper(), BOLD, unit_style.fontSize),
                     HEADER_LEFT - 12) * 0.5
    left = [Paragraph(esc(profile.parent_agency).upper(), st.head_left), Paragraph(unit, unit_style),
            _rule(max(unit_width, 20 * mm))]
    nation_size = st.head_bold.fontSize
    nation = ParagraphStyle("nation", parent=st.head_bold, fontSize=nation_size, leading=nation_size * 1.2)
    motto_width = stringWidth(MOTTO, BOLD, st.motto.fontSize)
    right = [Paragraph(NATION, nation), Paragraph(MOTTO, st.motto), _rule(motto_width)]
    number_cell = _number_line(st, number) if number else ""
    table = Table([[left, right], [number_cell, Paragraph(esc(header_date(profile.place_name, day)),
                                                           st.date_line)]],
                  colWidths=[HEADER_LEFT, FRAME_WIDTH - HEADER_LEFT])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def _number_line(st: Styles, number: str) -> Paragraph:
    """ "Số: …" on one line if it can be (shrunk down to 9 pt), wrapped otherwise."""
    text = f"Số: {clean(number)}"
    size = st.center.fontSize
    fit = (HEADER_LEFT - 4) / max(stringWidth(text, FAMILY, size), 1) * size
    size = max(min(size, fit), min(size, 9.0))
    style = ParagraphStyle("number", parent=st.center, fontSize=size, leading=size * 1.2)
    return Paragraph(f"Số:&nbsp;{esc(number)}", style)


def title_block(st: Styles, title: str, *lines: str) -> list[Flowable]:
    """The centred bold upper-case title, then optional centred lines (markup)."""
    out: list[Flowable] = [Paragraph(esc(title).upper(), st.title)]
    out += [Paragraph(line, st.center) for line in lines]
    out.append(st.gap(0.4))
    return out


def field_line(st: Styles, label: str, value_markup: str) -> Paragraph:
    """ "Label: value" — ``value_markup`` must already be escaped."""
    return Paragraph(f"{esc(label)}: {value_markup}", st.body)


@dataclass(frozen=True)
class Signer:
    title: str
    note: str = "(Ký và ghi rõ họ tên)"
    name: str = ""


def signatures(st: Styles, left: Signer | None, right: Signer | None, space_lines: float = 3.2) -> Table:
    """Two signature columns (either may be empty); the name is printed under the signing space."""

    def column(signer: Signer | None) -> list[Flowable] | str:
        if signer is None:
            return ""
        cells: list[Flowable] = [Paragraph(esc(signer.title), st.sign_title)]
        if signer.note:
            cells.append(Paragraph(esc(signer.note), st.sign_note))
        cells.append(st.gap(space_lines))
        if clean(signer.name).strip():
            cells.append(Paragraph(f"<b>{esc(signer.name)}</b>", st.center))
        return cells

    table = Table([[column(left), column(right)]], colWidths=[FRAME_WIDTH / 2] * 2)
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def grid(rows: Sequence[Sequence[object]], widths: Sequence[float], header_rows: int = 1,
         extra_style: Sequence[tuple] = ()) -> Table:
    """A ruled table whose header rows repeat; cells should be Paragraphs so long text wraps."""
    table = Table(list(rows), colWidths=list(widths), repeatRows=header_rows)
    table.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra_style,
    ]))
    return table


@dataclass(frozen=True)
class PdfMeta:
    title: str
    subject: str
    author: str
    keywords: str = ""


def _doc(buffer: io.BytesIO, meta: PdfMeta) -> BaseDocTemplate:
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, FRAME_WIDTH, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    return BaseDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, pageTemplates=[PageTemplate(id="slip", frames=[frame])],
        title=clean(meta.title), subject=clean(meta.subject), author=clean(meta.author), creator=CREATOR,
        producer=CREATOR, keywords=clean(meta.keywords), lang="vi-VN", initialFontName=FAMILY,
        initialFontSize=BODY_SIZE, initialLeading=BODY_SIZE * 1.2,
    )


def _pages(story: list[Flowable], meta: PdfMeta) -> int:
    doc = _doc(io.BytesIO(), meta)
    doc.build(story)
    return doc.page


def _size_candidates() -> list[tuple[float, float]]:
    """(body, table) sizes, largest first; each step lowers exactly one of the two, so the height
    of a slip never grows along the list and a binary search finds the first that fits."""
    out: list[tuple[float, float]] = [(BODY_SIZE, BODY_SIZE - 1)]
    body, cell = BODY_SIZE, BODY_SIZE - 1
    while body > MIN_SIZE:
        if cell > max(body - CELL_DROP_MAX, MIN_CELL_SIZE):
            cell -= SIZE_STEP
        else:
            body -= SIZE_STEP
        out.append((body, cell))
    return out


def _fits(make_copies: Callable[[Styles], list[list[Flowable]]], meta: PdfMeta, sizes: tuple) -> bool:
    try:
        return _pages(make_copies(Styles(*sizes))[0], meta) == 1
    except LayoutError:
        return False


def build_pdf(make_copies: Callable[[Styles], list[list[Flowable]]], meta: PdfMeta) -> bytes:
    """Render the copies (one per page) at the largest sizes where the first copy fits one page:
    table text shrinks first (down to :data:`CELL_DROP_MAX` under the body), then the body.

    ``make_copies`` is called again for every trial: ReportLab flowables keep layout state.
    """
    candidates = _size_candidates()
    chosen = candidates[-1]
    if _fits(make_copies, meta, candidates[0]):
        chosen = candidates[0]
    else:
        low, high = 1, len(candidates) - 1  # the first fitting candidate is in [low, high]
        while low < high:
            middle = (low + high) // 2
            if _fits(make_copies, meta, candidates[middle]):
                high = middle
            else:
                low = middle + 1
        chosen = candidates[low]
    story: list[Flowable] = []
    for number, copy in enumerate(make_copies(Styles(*chosen))):
        if number:
            story.append(PageBreak())
        story.extend(copy)
    buffer = io.BytesIO()
    try:
        _doc(buffer, meta).build(story)
    except LayoutError as error:  # a value too big for one page even after clipping
        raise MotCuaError(f"cannot lay out {meta.title!r} for {meta.subject!r}: {error}",
                          "Không thể dàn trang phiếu: có nội dung quá dài.") from error
    return buffer.getvalue()
