"""Print, preview and export a slip that the services rendered as PDF bytes.

Printing paints each PDF page (rendered by QtPdf at the printer's resolution) onto a QPrinter, so
whatever printer the officer picks gets exactly the PDF the services produced.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

log = logging.getLogger(__name__)


def page_images(data: bytes, dpi: int) -> list[QImage]:
    """Every page of the PDF ``data`` as an image at ``dpi``."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    images = []
    for page in range(document.pageCount()):
        points = document.pagePointSize(page)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        images.append(document.render(page, size))
    document.close()
    buffer.close()
    return images


def paint_pdf(printer: QPrinter, data: bytes) -> int:
    """Paint the PDF onto ``printer``, one page per page; return the number of pages."""
    images = page_images(data, min(printer.resolution(), 300))
    painter = QPainter()
    if not painter.begin(printer):
        log.warning("printer could not start")
        return 0
    try:
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            target = printer.pageLayout().paintRectPixels(printer.resolution())
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return len(images)


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    return printer


def print_pdf(parent: QWidget, data: bytes, printer: QPrinter | None = None) -> int:
    """Print to ``printer``; without one, ask with the print dialog (default printer preselected).
    Returns the pages printed (0: cancelled)."""
    if printer is None:
        printer = new_printer()
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("In phiếu")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
    return paint_pdf(printer, data)


def preview_pdf(parent: QWidget, data: bytes) -> QPrintPreviewDialog:
    """Open (not exec) a print preview of the PDF; printing from it uses the chosen printer."""
    dialog = QPrintPreviewDialog(new_printer(), parent)
    dialog.setWindowTitle("Xem trước khi in")
    dialog.paintRequested.connect(lambda printer: paint_pdf(printer, data))
    dialog.resize(900, 1000)
    dialog.open()
    return dialog


def ask_pdf_path(parent: QWidget, suggested_name: str) -> Path | None:
    start = Path.home() / suggested_name
    name, _filter = QFileDialog.getSaveFileName(parent, "Xuất tệp PDF", str(start), "Tệp PDF (*.pdf)")
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
