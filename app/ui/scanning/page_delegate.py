"""How the scan station draws one page: the picture (greyed with a "Trang trắng?" badge when it
looks blank), its number and turn, its component's coloured number, and a tag where a document
begins when the batch has several."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.scanning.deck import StationPage

PAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the StationPage
DOCUMENT_ROLE = Qt.ItemDataRole.UserRole + 2  # document number when the page starts one (else 0)
COMPONENT_ROLE = Qt.ItemDataRole.UserRole + 3  # (number shown, name) of the page's component, or None
CELL = QSize(168, 252)
PICTURE = QSize(148, 200)
# one colour per component number (1-9), readable with white text on it
COMPONENT_COLORS = ("#1565c0", "#2e7d32", "#6a1b9a", "#c62828", "#00838f", "#ef6c00", "#4e342e",
                    "#ad1457", "#37474f")
BLANK_BADGE = "Trang trắng?"
_Index = QModelIndex | QPersistentModelIndex


def component_color(number: int) -> QColor:
    return QColor(COMPONENT_COLORS[(number - 1) % len(COMPONENT_COLORS)])


class PageDelegate(QStyledItemDelegate):
    """Draws a page: the picture (greyed and badged when it looks blank), its number, its
    component's coloured number and, when the batch has several documents, where each begins."""

    def sizeHint(self, _option: QStyleOptionViewItem, _index: _Index) -> QSize:  # noqa: N802
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        page: StationPage | None = index.data(PAGE_ROLE)
        if page is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        cell = option.rect.adjusted(3, 3, -3, -3)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        if selected:
            painter.setPen(QPen(palette.highlight().color(), 2))
            painter.setBrush(palette.highlight().color().lighter(185))
            painter.drawRoundedRect(cell, 6, 6)
        self._picture(painter, cell, index.data(Qt.ItemDataRole.DecorationRole), page)
        self._document_tag(painter, cell, int(index.data(DOCUMENT_ROLE) or 0))
        self._caption(painter, cell, index, page, palette)
        painter.restore()

    @staticmethod
    def _picture(painter: QPainter, cell: QRect, pixmap: QPixmap, page: StationPage) -> None:
        box = QRect(cell.x() + (cell.width() - PICTURE.width()) // 2, cell.y() + 6, PICTURE.width(),
                    PICTURE.height())
        size = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(box.x() + (box.width() - size.width()) // 2,
                       box.y() + (box.height() - size.height()) // 2, size.width(), size.height())
        if page.needs_decision:
            painter.fillRect(target, QColor("#d5d5d5"))
            painter.setOpacity(0.35)
        painter.drawPixmap(target, pixmap)
        painter.setOpacity(1.0)
        painter.setPen(QPen(QColor("#9e9e9e"), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        if page.needs_decision:
            badge = QRect(target.x() + 6, target.center().y() - 13, target.width() - 12, 26)
            painter.setPen(QPen(QColor("#e65100"), 1))
            painter.setBrush(QColor("#fff3e0"))
            painter.drawRoundedRect(badge, 5, 5)
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("#bf360c"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, BLANK_BADGE)

    @staticmethod
    def _document_tag(painter: QPainter, cell: QRect, document: int) -> None:
        if not document:
            return
        painter.fillRect(QRect(cell.x(), cell.y() + 4, 4, PICTURE.height() + 4), QColor("#f9a825"))
        tag = QRect(cell.x() + 6, cell.y() + 8, 54, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#f9a825"))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setPen(QColor("#212121"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, f"TL {document}")

    @staticmethod
    def _caption(painter: QPainter, cell: QRect, index: _Index, page: StationPage, palette: Any) -> None:
        line = QRect(cell.x() + 4, cell.y() + PICTURE.height() + 12, cell.width() - 8, 22)
        component = index.data(COMPONENT_ROLE)
        font = painter.font()
        font.setBold(False)
        painter.setFont(font)
        if component is not None:
            number, name = component
            dot = QRect(line.x(), line.y() + 1, 20, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(component_color(number))
            painter.drawEllipse(dot)
            painter.setPen(QColor("white"))
            painter.drawText(dot, Qt.AlignmentFlag.AlignCenter, str(number))
            text_rect = line.adjusted(26, 0, 0, 0)
            label = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width())
            painter.setPen(palette.text().color())
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        else:
            painter.setPen(QColor("#9e9e9e"))
            painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, "Chưa gán")
        painter.setPen(palette.text().color())
        number = str(index.data(Qt.ItemDataRole.DisplayRole))
        if page.rotation:
            number += f" ↻{page.rotation}°"
        if page.result.barcodes:
            number += " ▦"
        painter.drawText(QRect(line.x(), line.bottom() + 2, line.width(), 18),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, number)
