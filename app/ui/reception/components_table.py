"""The checklist of a procedure's components (thành phần hồ sơ): tick what was received and count
the originals, certified copies and photocopies. Space ticks the current row.

When the applicant already has a digitised, still-valid document in the e-data warehouse that can
stand in for a component, :meth:`ComponentsTable.set_offers` shows it in the row's "Tái sử dụng"
column ("Có sẵn trong kho: Giấy khai sinh số 12/2019 — dùng lại (Alt+D)"); :meth:`accept_offer`
(Alt+D in the reception dialog) marks the component received from the warehouse: no paper needed,
``rows()`` then carries the record's id as ``reused_record_id``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
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
REUSE_WIDTH = 250
OFFER_COLOR = QColor("#1565c0")
TAKEN_COLOR = QColor("#2e7d32")


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
        self.setColumnHidden(COL_REUSE, True)  # shown once the warehouse offers something
        self._offers: dict[int, Any] = {}  # row -> ComponentOffer (app.services.warehouse.records)
        self._taken: dict[int, Any] = {}  # row -> the ResultRecord reused
        self._pending_reuse = {}  # row -> record id of a reopened draft, until the offers arrive
        self._counts: dict[int, tuple[int, int, int]] = {}  # the catalogue's paper counts per row
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
                              (COL_PHOTO, 76), (COL_NOTE, 150), (COL_REUSE, REUSE_WIDTH)):
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
        self._offers.clear()
        self._taken.clear()
        self._pending_reuse.clear()
        self.setColumnHidden(COL_REUSE, True)
        self.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            self._fill_row(row, spec)
            # An interactive e-form of the portal exists only in online dossiers: not at the counter.
            self.setRowHidden(row, spec.online_only)
        self.blockSignals(False)
        first = next((r for r, s in enumerate(specs) if s.mandatory and not s.online_only), 0)
        if specs:
            self.setCurrentCell(first, COL_RECEIVED)

    def _fill_row(self, row: int, spec: ComponentSpec) -> None:
        tick = QTableWidgetItem()
        tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsUserCheckable)
        ticked = spec.mandatory and not spec.online_only
        tick.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.setItem(row, COL_RECEIVED, tick)
        label = spec.name + ("" if spec.mandatory else " (nếu có)")
        name = QTableWidgetItem(label)
        name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        name.setToolTip(spec.name + (f"\nTrường hợp: {spec.case}" if spec.case else ""))
        self.setItem(row, COL_NAME, name)
        counts = (spec.originals, spec.certified_copies, spec.photocopies)
        self._counts[row] = counts
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
        """Every shown row as ``{index, received, originals, certified_copies, photocopies, note}``."""
        self.commit_editor()
        result = []
        for row in range(self.rowCount()):
            if self.isRowHidden(row):
                continue
            result.append({
                "index": row,
                "received": self.item(row, COL_RECEIVED).checkState() == Qt.CheckState.Checked,
                "originals": int(self.item(row, COL_ORIGINALS).data(Qt.ItemDataRole.EditRole) or 0),
                "certified_copies": int(self.item(row, COL_CERTIFIED).data(Qt.ItemDataRole.EditRole) or 0),
                "photocopies": int(self.item(row, COL_PHOTO).data(Qt.ItemDataRole.EditRole) or 0),
                "note": self.item(row, COL_NOTE).text().strip(),
                "reused_record_id": self._taken[row].record_id if row in self._taken else None,
            })
        return result

    def restore(self, rows: list[dict[str, Any]]) -> None:
        """Put back rows saved by :meth:`rows` (a reopened draft)."""
        self.blockSignals(True)
        for data in rows:
            row = int(data.get("index", -1))
            if not 0 <= row < self.rowCount() or self.isRowHidden(row):
                continue
            checked = Qt.CheckState.Checked if data.get("received") else Qt.CheckState.Unchecked
            self.item(row, COL_RECEIVED).setCheckState(checked)
            for column, key in zip(COUNT_COLUMNS, COUNT_KEYS, strict=True):
                self.item(row, column).setData(Qt.ItemDataRole.EditRole, int(data.get(key, 0)))
            self.item(row, COL_NOTE).setText(str(data.get("note", "")))
            self._pending_reuse[row] = data.get("reused_record_id")
        self.blockSignals(False)
        self._apply_pending_reuse()

    # -- the e-data warehouse --------------------------------------------------------------------
    _pending_reuse: dict[int, str | None]

    def set_offers(self, offers: list[Any]) -> None:
        """Show the warehouse's offers (``ComponentOffer``: ``index``, ``records``, ``best``); a
        component already taken from the warehouse keeps its record."""
        self._offers = {o.index: o for o in offers if 0 <= o.index < self.rowCount()}
        for row in list(self._taken):
            if row not in self._offers:
                del self._taken[row]
        self.setColumnHidden(COL_REUSE, not self._offers)
        self.blockSignals(True)
        for row in range(self.rowCount()):
            self._show_reuse(row)
        self.blockSignals(False)
        self._apply_pending_reuse()

    def offered_rows(self) -> list[int]:
        return sorted(self._offers)

    def taken(self) -> dict[int, Any]:
        """Row -> the warehouse record the component is taken from."""
        return dict(self._taken)

    def accept_offer(self, row: int | None = None) -> bool:
        """Take the current row's offer (or the first offer not taken yet); taking it again gives
        it back (paper counts restored). True when something changed."""
        if row is None:
            current = self.currentRow()
            if current in self._offers:
                row = current
            else:
                row = next((r for r in sorted(self._offers) if r not in self._taken), None)
        if row is None or row not in self._offers:
            return False
        self.blockSignals(True)
        if row in self._taken:
            del self._taken[row]
            for column, value in zip(COUNT_COLUMNS, self._counts.get(row, (0, 0, 0)), strict=True):
                self.item(row, column).setData(Qt.ItemDataRole.EditRole, value)
        else:
            self._taken[row] = self._offers[row].best
            self.item(row, COL_RECEIVED).setCheckState(Qt.CheckState.Checked)
            for column in COUNT_COLUMNS:  # the paper is not needed: the digitised copy stands in
                self.item(row, column).setData(Qt.ItemDataRole.EditRole, 0)
        self._show_reuse(row)
        self.blockSignals(False)
        self.setCurrentCell(row, COL_RECEIVED)
        self.edited.emit()
        return True

    def _show_reuse(self, row: int) -> None:
        item = self.item(row, COL_REUSE)
        if item is None:
            return
        offer = self._offers.get(row)
        if offer is None:
            item.setText("")
            item.setToolTip("")
            return
        record = self._taken.get(row)
        if record is not None:
            item.setText(f"✓ Dùng lại từ kho: {record.label_vi()} (Alt+D: bỏ)")
            item.setForeground(QBrush(TAKEN_COLOR))
        else:
            more = f" (+{len(offer.records) - 1})" if len(offer.records) > 1 else ""
            item.setText(f"Có sẵn trong kho: {offer.best.label_vi()}{more} — dùng lại (Alt+D)")
            item.setForeground(QBrush(OFFER_COLOR))
        best = record or offer.best
        m = best.metadata
        issued = f", cấp ngày {m.issued_on:%d/%m/%Y}" if m.issued_on else ""
        item.setToolTip(f"{best.label_vi()}{issued}\nChủ sở hữu: {m.owner_name}\n{m.validity_vi()}"
                        f"\nMã lưu trữ: {best.record_id}")

    def _apply_pending_reuse(self) -> None:
        """Reuse choices of a reopened draft, applied once the offers have arrived."""
        for row, record_id in list(self._pending_reuse.items()):
            offer = self._offers.get(row)
            if not record_id:
                del self._pending_reuse[row]
                continue
            if offer is None:
                continue
            chosen = next((r for r in offer.records if r.record_id == record_id), None)
            if chosen is not None:
                self._taken[row] = chosen
                self._show_reuse(row)
            del self._pending_reuse[row]

    def received_count(self) -> int:
        return sum(1 for r in self.rows() if r["received"])

    def lock(self) -> None:
        """Read-only once the dossier is saved."""
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.rowCount()):
            item = self.item(row, COL_RECEIVED)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
