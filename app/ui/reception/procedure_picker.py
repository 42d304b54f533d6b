"""Choose a procedure by typing part of its code or name, accents optional ("1193", "khai sinh").

The list of matches floats over the dialog below the line edit, but the keyboard focus never leaves
the line edit: arrows move the highlighted match, Enter chooses it, Esc hides the list. So the
officer (and a test driving the focus widget) only ever types into one field.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.core.procedure import Procedure
from app.core.text import fold

MAX_VISIBLE_ROWS = 8
MIN_POPUP_WIDTH = 620


def _haystack(p: Procedure) -> str:
    return f"{p.code} {p.code.replace('.', '')} {fold(p.name)} {fold(p.field)}"


def match_procedures(procedures: Sequence[Procedure], query: str) -> list[Procedure]:
    """Procedures whose code or name holds every typed word (case and accents ignored); those whose
    code contains the query come first, then those whose name starts with it."""
    words = fold(query).split()
    if not words:
        return list(procedures)
    hits = [p for p in procedures if all(w in _haystack(p) for w in words)]
    folded = fold(query)

    def rank(p: Procedure) -> tuple[int, str]:
        if folded in p.code or folded in p.code.replace(".", ""):
            return (0, p.code)
        if fold(p.name).removeprefix("thu tuc ").startswith(folded):
            return (1, p.code)
        return (2, p.code)

    return sorted(hits, key=rank)


def procedure_label(p: Procedure) -> str:
    return f"{p.code} — {p.name}"


class ProcedurePicker(QLineEdit):
    """A line edit with a floating list of matching procedures; ``chosen`` carries the Procedure."""

    chosen = Signal(object)

    def __init__(self, overlay_parent: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("procedurePicker")
        self.setPlaceholderText("Gõ mã hoặc tên thủ tục, ví dụ “1193” hoặc “khai sinh”, rồi nhấn Enter")
        self.setClearButtonEnabled(True)
        self._catalogue: list[Procedure] = []
        self._matches: list[Procedure] = []
        self.procedure: Procedure | None = None
        self._setting_text = False
        self.popup = QListWidget(overlay_parent)
        self.popup.setObjectName("procedurePopup")
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.popup.setUniformItemSizes(True)
        self.popup.setStyleSheet("QListWidget { border: 1px solid #888; background: white; }")
        self.popup.itemClicked.connect(lambda item: self._choose_row(self.popup.row(item)))
        self.popup.hide()
        self.textEdited.connect(self._on_edited)
        self.installEventFilter(self)

    # -- data ----------------------------------------------------------------------------------
    def set_catalogue(self, procedures: Sequence[Procedure]) -> None:
        self._catalogue = list(procedures)
        if self.hasFocus() and self.text() and self.procedure is None:
            self._refilter()

    @property
    def loaded(self) -> bool:
        return bool(self._catalogue)

    @property
    def matches(self) -> list[Procedure]:
        return list(self._matches)

    def choose_code(self, code: str) -> bool:
        """Choose a procedure by exact code (reopening a draft); False when it is unknown."""
        for index, p in enumerate(self._catalogue):
            if p.code == code:
                self._matches = [self._catalogue[index]]
                self._choose_row(0)
                return True
        return False

    # -- list ----------------------------------------------------------------------------------
    def _on_edited(self, _text: str) -> None:
        if not self._setting_text:
            self._refilter()

    def _refilter(self) -> None:
        self._matches = match_procedures(self._catalogue, self.text())
        self.popup.clear()
        for p in self._matches:
            item = QListWidgetItem(f"{p.code}   {p.name}")
            item.setToolTip(f"{p.name}\nLĩnh vực: {p.field}\nThời hạn: {p.processing.label_vi()}")
            self.popup.addItem(item)
        if not self._matches:
            self.popup.addItem(QListWidgetItem("Không có thủ tục nào khớp"))
            self.popup.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        else:
            self.popup.setCurrentRow(0)
        self._show_popup()

    def _show_popup(self) -> None:
        overlay = self.popup.parentWidget()
        below = self.mapTo(overlay, QPoint(0, self.height()))
        rows = max(1, min(MAX_VISIBLE_ROWS, self.popup.count()))
        row_height = max(self.popup.sizeHintForRow(0), self.fontMetrics().height() + 6)
        width = min(max(self.width(), MIN_POPUP_WIDTH), overlay.width() - below.x() - 8)
        self.popup.setGeometry(below.x(), below.y(), width, rows * row_height + 4)
        self.popup.show()
        self.popup.raise_()

    def hide_popup(self) -> None:
        self.popup.hide()

    @property
    def popup_visible(self) -> bool:
        return self.popup.isVisible()

    def _move(self, delta: int) -> None:
        if not self.popup_visible:
            self._refilter()
            return
        if self._matches:
            row = max(0, min(len(self._matches) - 1, self.popup.currentRow() + delta))
            self.popup.setCurrentRow(row)

    def _choose_row(self, row: int) -> None:
        if not 0 <= row < len(self._matches):
            return
        self.procedure = self._matches[row]
        self._setting_text = True
        self.setText(procedure_label(self.procedure))
        self.setCursorPosition(0)
        self._setting_text = False
        self.hide_popup()
        self.chosen.emit(self.procedure)

    # -- keyboard ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(event)
        if watched is self and event.type() == QEvent.Type.FocusOut:
            self.hide_popup()
        return super().eventFilter(watched, event)

    def _wants_enter(self) -> bool:
        """Enter chooses a match unless the text already shows the chosen procedure (then it
        belongs to the dialog: save)."""
        if self.popup_visible:
            return True
        return bool(self.text().strip()) and (
            self.procedure is None or self.text() != procedure_label(self.procedure))

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        page = MAX_VISIBLE_ROWS - 1
        moves = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: page, Qt.Key.Key_PageUp: -page}
        if key in moves:
            self._move(moves[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._wants_enter():
            if not self.popup_visible:
                self._refilter()
            self._choose_row(self.popup.currentRow())
            return True
        if key == Qt.Key.Key_Escape and self.popup_visible:
            self.hide_popup()
            return True
        return False
