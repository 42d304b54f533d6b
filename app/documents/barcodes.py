"""The dossier code as a QR code and a Code 128 bar code, sized to be read from paper and scans.

Code 128 X-dimension 0.25 mm (about 2 px at 200 dpi, 3 px at 300 dpi) with quiet zones of 10 modules
(ReportLab's default is max(6.35 mm, 10 X)); the QR code keeps its 4-module border.
"""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from app.documents.fonts import REGULAR, ensure_fonts
from app.documents.formatting import clean, esc
from app.documents.layout import FRAME_WIDTH, Styles, table_style

QR_SIZE = 22 * mm
BAR_X = 0.25 * mm
BAR_X_MIN = 0.19 * mm  # 7.5 mil, the smallest X-dimension Code 128 scanners are specified for
BAR_HEIGHT = 9 * mm


def qr_drawing(value: str, size: float = QR_SIZE) -> Drawing:
    """A square QR code (error correction M) of ``value`` as a flowable drawing."""
    ensure_fonts()
    widget = QrCodeWidget(clean(value), barLevel="M", barWidth=size, barHeight=size, barBorder=4)
    drawing = Drawing(size, size, initialFontName=REGULAR)  # renderPDF would otherwise set Helvetica
    drawing.add(widget)
    return drawing


def code128(value: str, max_width: float, height: float = BAR_HEIGHT) -> Code128 | None:
    """A Code 128 symbol of ``value`` no wider than ``max_width``, or None when it cannot be printed
    legibly (non-ASCII value, or it would need bars thinner than :data:`BAR_X_MIN`)."""
    text = clean(value)
    if not text or not all(32 <= ord(ch) < 127 for ch in text):
        return None
    symbol = Code128(text, barWidth=BAR_X, barHeight=height, humanReadable=False)
    if symbol.width > max_width:
        modules = (symbol.width - symbol.lquiet - symbol.rquiet) / BAR_X + 20
        bar = max_width / modules
        if bar < BAR_X_MIN:
            return None
        symbol = Code128(text, barWidth=bar, barHeight=height, humanReadable=False,
                         lquiet=10 * bar, rquiet=10 * bar)
    return symbol


def code_block(st: Styles, value: str, caption: str, title: list[Flowable]) -> Table:
    """The Code 128 symbol (with the code in clear under it) top left, the QR code top right and the
    title block under the bar code, centred on the page between two columns as wide as the QR code."""
    side = QR_SIZE + 2 * mm
    bar = code128(value, FRAME_WIDTH - side - 4)
    left: list[Flowable] = []
    if bar is not None:
        bar.hAlign = "LEFT"
        left.append(bar)
    left.append(Paragraph(esc(value), st.small))
    if caption:
        left.append(Paragraph(caption, st.small))
    table = Table([[left, "", qr_drawing(value)], ["", title, ""]],
                  colWidths=[side, FRAME_WIDTH - 2 * side, side])
    table.setStyle(table_style([
        ("SPAN", (0, 0), (1, 0)),
        ("SPAN", (2, 0), (2, 1)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (1, 0), st.size * 0.5),
    ]))
    return table
