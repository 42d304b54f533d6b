"""The scan station's page thumbnails: a list model over :class:`PageDeck` and an icon view whose
drag and drop reorders pages through the model (each page is drawn by ``scan_page_delegate``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from app.services.scanning.deck import PageDeck, StationPage
from app.ui.scanning.page_delegate import CELL, COMPONENT_ROLE, DOCUMENT_ROLE, PAGE_ROLE, PageDelegate

MIME_TYPE = "application/x-motcua-page-ids"
_Index = QModelIndex | QPersistentModelIndex


def to_pixmap(rgb: Any) -> QPixmap:
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image)


class PageModel(QAbstractListModel):
    """The deck as rows. Every change to the deck goes through here, so views stay in step: pages
    arriving are inserted rows, moves keep the selection, the rest resets the view."""

    changed = Signal()  # after any change (counts, undo state)

    def __init__(self, deck: PageDeck | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deck = deck or PageDeck()
        self.components: dict[int, tuple[int, str]] = {}  # component index -> (number shown, name)
        self._pixmaps: dict[tuple[int, int], QPixmap] = {}
        self._document_starts: dict[int, int] = {}

    # -- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.deck)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.deck):
            return None
        page = self.deck.pages[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Trang {index.row() + 1}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self.pixmap(page)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(page)
        if role == PAGE_ROLE:
            return page
        if role == DOCUMENT_ROLE:
            return self._document_starts.get(page.id, 0)
        if role == COMPONENT_ROLE:
            return None if page.component is None else self.components.get(page.component)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(json.dumps([self.deck.pages[r].id for r in rows]).encode()))
        return data

    def moveRows(self, source_parent: _Index, source_row: int, count: int,  # noqa: N802
                 destination_parent: _Index, destination_child: int) -> bool:
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        ids = self.deck.ids()[source_row:source_row + count]
        self.move_ids(ids, destination_child)
        return True

    # -- operations --------------------------------------------------------------------------------
    def append(self, page: StationPage) -> int:
        row = len(self.deck)
        self.beginInsertRows(QModelIndex(), row, row)
        self.deck.append(page)
        self.endInsertRows()
        self._after(structure=False)
        return row

    def move_ids(self, ids: Sequence[int], row: int) -> None:
        self._relayout(lambda: self.deck.move_ids(ids, row))

    def rotate(self, ids: Iterable[int], degrees: int) -> None:
        self._restyle(lambda: self.deck.rotate(ids, degrees))

    def assign(self, ids: Iterable[int], component: int | None) -> None:
        self._restyle(lambda: self.deck.assign(ids, component))

    def keep_blank(self, ids: Iterable[int]) -> None:
        self._restyle(lambda: self.deck.keep_blank(ids))

    def split(self, page_id: int) -> None:
        self._restyle(lambda: self.deck.split(page_id))

    def merge(self, document: int) -> None:
        self._restyle(lambda: self.deck.merge(document))

    def delete(self, ids: Iterable[int]) -> None:
        self._reset(lambda: self.deck.delete(ids))

    def replace_page(self, page_id: int, new: StationPage) -> None:
        self._reset(lambda: self.deck.replace_page(page_id, new))

    def remove_saved(self, ids: Iterable[int]) -> None:
        """Pages now stored in the dossier leave the table (and the undo history)."""
        self._reset(lambda: self.deck.take_out(ids))

    def undo(self) -> str | None:
        return self._reset(self.deck.undo)

    def redo(self) -> str | None:
        return self._reset(self.deck.redo)

    def set_components(self, components: dict[int, tuple[int, str]]) -> None:
        self.components = dict(components)
        self._restyle(lambda: None)

    # -- helpers -----------------------------------------------------------------------------------
    def row_of(self, page_id: int) -> int:
        return self.deck.row_of(page_id)

    def pixmap(self, page: StationPage) -> QPixmap:
        key = (page.id, page.rotation)
        found = self._pixmaps.get(key)
        if found is None:
            found = self._pixmaps[key] = to_pixmap(page.view())
        return found

    def _tooltip(self, page: StationPage) -> str:
        result = page.result
        colors = {"color": "màu", "gray": "thang xám", "bw": "đen trắng"}
        encoded = result.encoded
        lines = [f"{encoded.width} × {encoded.height} điểm ảnh, {encoded.dpi:.0f} dpi, "
                 f"{colors.get(result.color.value, result.color.value)}, {len(encoded.data) // 1024} KB"]
        if abs(result.skew_deg) >= 0.1:
            lines.append(f"Đã chỉnh nghiêng {result.skew_deg:+.1f}°")
        if page.rotation:
            lines.append(f"Xoay {page.rotation}° khi lưu")
        lines += [f"Mã {b.format}: {b.text}" for b in result.barcodes]
        if page.needs_decision:
            lines.append("Có vẻ là trang trắng: giữ lại (Ctrl+K) hoặc xóa (Delete)")
        return "\n".join(lines)

    def _after(self, *, structure: bool) -> None:
        documents = self.deck.documents()
        self._document_starts = {d.pages[0].id: d.number for d in documents} if len(documents) > 1 else {}
        if structure:
            alive = {p.id for p in self.deck.pages}
            self._pixmaps = {k: v for k, v in self._pixmaps.items() if k[0] in alive}
        self.changed.emit()

    def _restyle(self, change: Callable[[], object]) -> None:
        change()
        self._after(structure=False)
        if len(self.deck):
            self.dataChanged.emit(self.index(0), self.index(len(self.deck) - 1))

    def _relayout(self, change: Callable[[], object]) -> None:
        before = self.deck.ids()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        change()
        rows = {page_id: row for row, page_id in enumerate(self.deck.ids())}
        self.changePersistentIndexList(persistent, [self.index(rows[before[i.row()]]) for i in persistent])
        self.layoutChanged.emit()
        self._after(structure=False)

    def _reset(self, change: Callable[[], Any]) -> Any:
        self.beginResetModel()
        try:
            result = change()
        finally:
            self.endResetModel()
        self._after(structure=True)
        return result


class PageView(QListView):
    """Thumbnails in reading order. Dragging pages drops them between others (a line shows where);
    the model moves them, so the order is the deck's and undo can put it back."""

    dropped = Signal(list, int)  # page ids, target row (after the move was made)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanPages")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)  # no free icon positions: the order is the model's
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(6)
        self.setGridSize(CELL + QSize(8, 8))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)  # after setMovement
        self.viewport().setAcceptDrops(True)  # Static movement turned drops off on the viewport
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setItemDelegate(PageDelegate(self))
        self._drop_row: int | None = None

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        return [self.model().index(r, 0).data(PAGE_ROLE).id for r in rows]

    def drop_row_at(self, pos: QPoint) -> int:
        """The row a drop at ``pos`` inserts before (``rowCount``: after the last page)."""
        model = self.model()
        for row in range(model.rowCount()):
            rect = self.visualRect(model.index(row, 0))
            same_line = rect.top() <= pos.y() <= rect.bottom()
            if rect.top() > pos.y() or (same_line and pos.x() < rect.center().x()):
                return row
        return model.rowCount()

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.model().mimeData(indexes))
        first = indexes[0].data(Qt.ItemDataRole.DecorationRole)
        if isinstance(first, QPixmap):
            drag.setPixmap(first.scaled(72, 96, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))
        # The drop moved the pages already; unlike QAbstractItemView.startDrag, a Move result must not
        # remove the source rows, so the result is not looked at.
        drag.exec(supported, Qt.DropAction.MoveAction)

    @staticmethod
    def _accepts(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        # page ids only mean something to this deck: ids of another window's pages are ignored
        return event.mimeData().hasFormat(MIME_TYPE)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if not self._accepts(event):
            event.ignore()
            return
        self._drop_row = self.drop_row_at(event.position().toPoint())
        event.acceptProposedAction()
        self.viewport().update()

    def dragLeaveEvent(self, event: Any) -> None:  # noqa: N802
        self._drop_row = None
        self.viewport().update()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._drop_row = None
        self.viewport().update()
        if not self._accepts(event):
            event.ignore()
            return
        model = self.model()
        row = self.drop_row_at(event.position().toPoint())
        if isinstance(model, PageModel):
            known = set(model.deck.ids())
            ids = [int(i) for i in json.loads(bytes(event.mimeData().data(MIME_TYPE).data()).decode())
                   if int(i) in known]
            model.move_ids(ids, row)
            self.dropped.emit(ids, row)
        event.acceptProposedAction()  # startDrag() ignores the result: nothing is removed after a move

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._drop_row is None or not self.model().rowCount():
            return
        count = self.model().rowCount()
        if self._drop_row < count:
            rect = self.visualRect(self.model().index(self._drop_row, 0))
            x = rect.left() - 3
        else:
            rect = self.visualRect(self.model().index(count - 1, 0))
            x = rect.right() + 3
        painter = QPainter(self.viewport())
        painter.setPen(QPen(QColor("#1565c0"), 4))
        painter.drawLine(x, rect.top() + 4, x, rect.bottom() - 4)
        painter.end()
