"""The checklist of a procedure's components (thành phần hồ sơ): tick what was received and count
the originals, certified copies and photocopies. Space ticks the current row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.core.procedure import ComponentSpec, Procedure

COLUMNS = ("Nhận", "Thành phần hồ sơ", "Bản chính", "Bản sao CT", "Bản photo", "Ghi chú", "Tái sử dụng")
COL_RECEIVED, COL_NAME, COL_ORIGINALS, COL_CERTIFIED, COL_PHOTO, COL_NOTE, COL_REUSE = range(7)
COUNT_COLUMNS = (COL_ORIGINALS, COL_CERTIFIED, COL_PHOTO)
COUNT_KEYS = ("originals", "certified_copies", "photocopies")
MAX_COUNT = 99


class CountDelegate(QStyledItemDelegate):
    """A spin box 0..99 for the paper counts."""

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem,  # noqa: N802
                     _index: QModelIndex | QPersistentModelIndex) -> QWidget:
        box = QSpinBox(parent)
        box.setRange(0, MAX_COUNT)
        box.setFrame(False)
        box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return box


class NameDelegate(QStyledItemDelegate):
    """Wrapped component names with a little air above and below."""

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + 8)


class ComponentsTable(QTableWidget):
    """Rows follow ``procedure.components``; ``rows()`` gives what the officer entered."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("componentsTable")
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setColumnHidden(COL_REUSE, True)  # reuse from the warehouse comes with a later issue
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        # long component names wrap; rows follow the name column's width when the dialog is resized
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_RECEIVED, 48), (COL_ORIGINALS, 76), (COL_CERTIFIED, 80),
                              (COL_PHOTO, 76), (COL_NOTE, 150)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(column, width)
        delegate = CountDelegate(self)
        for column in COUNT_COLUMNS:
            self.setItemDelegateForColumn(column, delegate)
        self.setItemDelegateForColumn(COL_NAME, NameDelegate(self))
        self.itemChanged.connect(lambda _item: self.edited.emit())

    def set_procedure(self, procedure: Procedure | None) -> None:
        """One row per component; mandatory ones ticked with the counts the procedure asks for."""
        self.blockSignals(True)
        specs = procedure.components if procedure else ()
        self.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            self._fill_row(row, spec)
        self.blockSignals(False)
        first = next((r for r, s in enumerate(specs) if s.mandatory), 0)
        if specs:
            self.setCurrentCell(first, COL_RECEIVED)

    def _fill_row(self, row: int, spec: ComponentSpec) -> None:
        tick = QTableWidgetItem()
        tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsUserCheckable)
        tick.setCheckState(Qt.CheckState.Checked if spec.mandatory else Qt.CheckState.Unchecked)
        self.setItem(row, COL_RECEIVED, tick)
        label = spec.name + ("" if spec.mandatory else " (nếu có)")
        name = QTableWidgetItem(label)
        name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        name.setToolTip(spec.name + (f"\nTrường hợp: {spec.case}" if spec.case else ""))
        self.setItem(row, COL_NAME, name)
        counts = (spec.originals, spec.certified_copies, spec.photocopies)
        for column, value in zip(COUNT_COLUMNS, counts, strict=True):
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.EditRole, value)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, column, item)
        self.setItem(row, COL_NOTE, QTableWidgetItem(""))
        reuse = QTableWidgetItem("")
        reuse.setFlags(Qt.ItemFlag.NoItemFlags)
        self.setItem(row, COL_REUSE, reuse)

    def commit_editor(self) -> None:
        """Write an open editor's value into the table now (Enter saves before Qt's queued commit)."""
        index = self.currentIndex()
        editor = self.indexWidget(index) if index.isValid() else None
        if editor is not None:
            self.itemDelegateForIndex(index).setModelData(editor, self.model(), index)

    def rows(self) -> list[dict[str, Any]]:
        """Every row as ``{index, received, originals, certified_copies, photocopies, note}``."""
        self.commit_editor()
        result = []
        for row in range(self.rowCount()):
            result.append({
                "index": row,
                "received": self.item(row, COL_RECEIVED).checkState() == Qt.CheckState.Checked,
                "originals": int(self.item(row, COL_ORIGINALS).data(Qt.ItemDataRole.EditRole) or 0),
                "certified_copies": int(self.item(row, COL_CERTIFIED).data(Qt.ItemDataRole.EditRole) or 0),
                "photocopies": int(self.item(row, COL_PHOTO).data(Qt.ItemDataRole.EditRole) or 0),
                "note": self.item(row, COL_NOTE).text().strip(),
            })
        return result

    def restore(self, rows: list[dict[str, Any]]) -> None:
        """Put back rows saved by :meth:`rows` (a reopened draft)."""
        self.blockSignals(True)
        for data in rows:
            row = int(data.get("index", -1))
            if not 0 <= row < self.rowCount():
                continue
            checked = Qt.CheckState.Checked if data.get("received") else Qt.CheckState.Unchecked
            self.item(row, COL_RECEIVED).setCheckState(checked)
            for column, key in zip(COUNT_COLUMNS, COUNT_KEYS, strict=True):
                self.item(row, column).setData(Qt.ItemDataRole.EditRole, int(data.get(key, 0)))
            self.item(row, COL_NOTE).setText(str(data.get("note", "")))
        self.blockSignals(False)

    def received_count(self) -> int:
        return sum(1 for r in self.rows() if r["received"])

    def lock(self) -> None:
        """Read-only once the dossier is saved."""
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.rowCount()):
            item = self.item(row, COL_RECEIVED)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
