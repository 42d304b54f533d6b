"""The one-page monthly report of the service-quality indicators: figures and charts (PDF), and the
same figures as a spreadsheet.

Charts come as PNG images when the dashboard rendered them (what the supervisor saw on screen);
without images (the command line) the same charts are drawn with ReportLab's own graphics. Fonts: the
bundled Liberation Serif, embedded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.fonts import BOLD, ITALIC, REGULAR, ensure_fonts
from app.documents.formatting import esc

CHANNEL_NAMES_VI = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính"}
CHANNEL_HEX = {1: "#1f77b4", 2: "#2ca02c", 3: "#ff7f0e"}  # the dashboard's colours too
CHANNEL_COLOURS = {c: colors.HexColor(h) for c, h in CHANNEL_HEX.items()}


@dataclass(frozen=True)
class FigureLine:
    key: str
    label: str
    num: int
    den: int
    full_mark: float | None = None  # percent that earns full marks, when the formulas give one

    @property
    def percent(self) -> float | None:
        return None if self.den == 0 else 100.0 * self.num / self.den


@dataclass(frozen=True)
class MonthlyReport:
    agency: str
    unit: str
    period_vi: str
    received: int
    by_channel: dict[int, int]
    lines: Sequence[FigureLine]
    per_day: Sequence[tuple[str, int, int]] = ()  # (YYYY-MM-DD, channel, count)
    charts_png: Sequence[bytes] = field(default_factory=tuple)  # rendered by the dashboard


def percent_vi(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _styles() -> dict[str, ParagraphStyle]:
    ensure_fonts()
    return {
        "small": ParagraphStyle("small", fontName=REGULAR, fontSize=9, leading=11),
        "bold": ParagraphStyle("bold", fontName=BOLD, fontSize=9, leading=11),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, alignment=1),
        "sub": ParagraphStyle("sub", fontName=ITALIC, fontSize=10, leading=13, alignment=1),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10),
    }


def _per_day_chart(report: MonthlyReport, width: float, height: float) -> Drawing:
    by_month = len({d for d, _c, _n in report.per_day}) > 62  # a year: one bar per month
    counts: dict[tuple[str, int], int] = {}
    for day, channel, n in report.per_day:
        key = (day[:7] if by_month else day, channel)
        counts[key] = counts.get(key, 0) + n
    days = sorted({d for d, _c in counts})
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, 28, width - 40, height - 50
    chart.data = [[counts.get((d, c), 0) for d in days] or [0] for c in (1, 2, 3)]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [f"{d[5:7]}/{d[:4]}" if by_month else d[8:10] for d in days] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for index, channel in enumerate((1, 2, 3)):
        chart.bars[index].fillColor = CHANNEL_COLOURS[channel]
        chart.bars[index].strokeWidth = 0
    drawing.add(chart)
    drawing.add(String(width / 2, height - 10, "Hồ sơ tiếp nhận theo ngày và kênh", fontName=BOLD, fontSize=9,
                       textAnchor="middle"))
    legend = Legend()
    legend.x, legend.y = width - 60, height - 4
    legend.fontName, legend.fontSize = REGULAR, 7
    legend.columnMaximum = 3
    legend.alignment = "right"
    legend.colorNamePairs = [(CHANNEL_COLOURS[c], CHANNEL_NAMES_VI[c]) for c in (1, 2, 3)]
    drawing.add(legend)
    return drawing


def _rates_chart(report: MonthlyReport, width: float, height: float) -> Drawing:
    lines = [line for line in report.lines if line.key != "late"]
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 10, width - 170, height - 30
    chart.data = [[line.percent or 0.0 for line in reversed(lines)]]
    chart.categoryAxis.categoryNames = [line.label for line in reversed(lines)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#4e79a7")
    chart.bars[0].strokeWidth = 0
    drawing.add(chart)
    step = chart.height / max(len(lines), 1)
    for position, line in enumerate(reversed(lines)):
        if line.full_mark is None:
            continue
        x = chart.x + chart.width * line.full_mark / 100.0
        y = chart.y + position * step
        drawing.add(Line(x, y + 1, x, y + step - 1, strokeColor=colors.red, strokeWidth=1.5))
    drawing.add(String(width / 2, height - 10, "Tỷ lệ (%) — vạch đỏ: mức đạt điểm tối đa", fontName=BOLD,
                       fontSize=9, textAnchor="middle"))
    return drawing


def render_monthly_pdf(report: MonthlyReport) -> bytes:
    """The one-page report (A4 portrait)."""
    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=15 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title="Báo cáo chỉ số chất lượng phục vụ",
                            author="MotCua Desk", creator="MotCua Desk")
    width = A4[0] - 33 * mm
    story: list = [
        Paragraph(esc(report.agency), st["small"]), Paragraph(esc(report.unit), st["bold"]), Spacer(1, 4),
        Paragraph("BÁO CÁO CHỈ SỐ CHẤT LƯỢNG PHỤC VỤ HÀNH CHÍNH CÔNG", st["title"]),
        Paragraph(esc(f"(theo Quyết định số 766/QĐ-TTg) — {report.period_vi}"), st["sub"]), Spacer(1, 6),
    ]
    channels = ", ".join(f"{CHANNEL_NAMES_VI[c]} {report.by_channel.get(c, 0)}" for c in (1, 2, 3))
    story.append(Paragraph(esc(f"Hồ sơ tiếp nhận: {report.received} ({channels})"), st["bold"]))
    story.append(Spacer(1, 4))
    rows = [["Chỉ số", "Số hồ sơ", "Trên tổng", "Tỷ lệ", "Mức tối đa"]]
    rows += [[Paragraph(esc(line.label), st["cell"]), str(line.num), str(line.den), percent_vi(line.percent),
              "" if line.full_mark is None else f"≥ {line.full_mark:.0f} %"] for line in report.lines]
    table = Table(rows, colWidths=[width * 0.46, width * 0.13, width * 0.13, width * 0.14, width * 0.14])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5), ("FONT", (0, 1), (-1, -1), REGULAR, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    story += [table, Spacer(1, 6)]
    if report.charts_png:  # as the dashboard showed them, two per row
        cell_width, cell_height = width / 2 - 2 * mm, 72 * mm
        images = []
        for png in report.charts_png:
            image = Image(io.BytesIO(png))
            scale = min(cell_width / image.imageWidth, cell_height / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            images.append(image)
        grid = [images[i:i + 2] + [""] * (2 - len(images[i:i + 2])) for i in range(0, len(images), 2)]
        story.append(Table(grid, colWidths=[width / 2, width / 2]))
    else:
        story.append(_per_day_chart(report, width, 70 * mm))
        story.append(Spacer(1, 4))
        story.append(_rates_chart(report, width, 70 * mm))
    doc.build(story)
    return buffer.getvalue()


def write_monthly_xlsx(report: MonthlyReport, out: Path) -> None:
    """The figures, then the dossiers received per day and channel, in one workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ số"
    sheet.append(["Báo cáo chỉ số chất lượng phục vụ (Quyết định 766/QĐ-TTg)"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([report.agency, report.unit, report.period_vi])
    sheet.append(["Hồ sơ tiếp nhận", report.received])
    for channel in (1, 2, 3):
        sheet.append([f"— {CHANNEL_NAMES_VI[channel]}", report.by_channel.get(channel, 0)])
    sheet.append([])
    sheet.append(["Mã", "Chỉ số", "Số hồ sơ", "Trên tổng", "Tỷ lệ (%)", "Mức tối đa (%)"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in report.lines:
        rate = None if line.percent is None else round(line.percent, 2)
        sheet.append([line.key, line.label, line.num, line.den, rate, line.full_mark])
    sheet.column_dimensions["B"].width = 42
    days = book.create_sheet("Theo ngày")
    days.append(["Ngày", *(CHANNEL_NAMES_VI[c] for c in (1, 2, 3))])
    per_day: dict[str, dict[int, int]] = {}
    for day, channel, count in report.per_day:
        per_day.setdefault(day, {})[channel] = count
    for day in sorted(per_day):
        days.append([f"{day[8:10]}/{day[5:7]}/{day[:4]}", *(per_day[day].get(c, 0) for c in (1, 2, 3))])
    book.save(out)
