"""Để riêng giấy tờ: why a batch document is set aside instead of being recorded.

A short list of the usual reasons (``app.services.batch.set_aside.SET_ASIDE_REASONS``) and "Khác", which
opens a line for the clerk's own words. Keyboard first: the arrows or the digits 1-4 choose, choosing
"Khác" puts the cursor in its line, Enter sets the document aside, Esc gives up.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.batch.set_aside import SET_ASIDE_REASONS

OTHER_VI = "Khác (ghi rõ lý do)"
_DIGITS = {Qt.Key.Key_1: 0, Qt.Key.Key_2: 1, Qt.Key.Key_3: 2, Qt.Key.Key_4: 3}


class SetAsideDialog(QDialog):
    """Asks the reason to set document ``number`` (0-based) aside; :meth:`reason` once accepted."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Để riêng giấy tờ")
        self.setObjectName("setAsideDialog")
        question = QLabel(f"Vì sao để riêng <b>tài liệu {number + 1}</b> (không nhập vào kho)?", self)
        question.setTextFormat(Qt.TextFormat.RichText)
        self.reasons = QListWidget(self)
        self.reasons.setObjectName("setAsideReasons")
        for index, text in enumerate((*SET_ASIDE_REASONS, OTHER_VI)):
            item = QListWidgetItem(f"{index + 1}. {text}", self.reasons)
            item.setData(Qt.ItemDataRole.UserRole, text if index < len(SET_ASIDE_REASONS) else None)
        self.reasons.setCurrentRow(0)
        self.reasons.setMinimumWidth(380)
        self.reasons.setMaximumHeight(self.reasons.sizeHintForRow(0) * 4 + 8)
        self.reasons.installEventFilter(self)
        self.reasons.currentRowChanged.connect(self._on_row)
        self.other = QLineEdit(self)
        self.other.setObjectName("setAsideOther")
        self.other.setPlaceholderText("Ghi rõ lý do khác…")
        self.other.setEnabled(False)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel, self)
        buttons.button(ok).setText("Để riêng")
        buttons.button(cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        hint = QLabel("↑/↓ hoặc 1-4: chọn lý do · Enter: để riêng · Esc: hủy", self)
        hint.setStyleSheet("color: #607d8b; font-size: 9pt;")
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.reasons)
        layout.addWidget(self.other)
        layout.addWidget(self.error)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.reasons.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_row(self, row: int) -> None:
        other = row == self.reasons.count() - 1
        self.other.setEnabled(other)
        self.error.hide()
        if other:
            self.other.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.reasons and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            row = _DIGITS.get(Qt.Key(event.key()))
            if row is not None:
                self.reasons.setCurrentRow(row)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def reason(self) -> str:
        """The chosen reason, or the clerk's own words for "Khác" (empty when none typed)."""
        item = self.reasons.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(chosen) if chosen else " ".join(self.other.text().split())

    def accept(self) -> None:
        if not self.reason():
            self.error.setText("Hãy ghi rõ lý do để riêng.")
            self.error.show()
            self.other.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().accept()


__all__ = ["OTHER_VI", "SetAsideDialog"]
