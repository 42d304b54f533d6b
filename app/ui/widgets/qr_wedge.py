"""Catch a CCCD QR payload typed by a keyboard-wedge scanner into any line edit of a form.

A wedge scanner "types" the payload into whatever field has the focus, usually followed by Enter.
Each watched line edit remembers its text from before the scan; when its text holds a whole
payload and the scanner sends Enter (or stops typing for ``IDLE_MS``, for scanners without a
suffix), the payload is cut out of the field, its old text is restored and ``scanned`` is emitted.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from app.core.cccd import extract_cccd_qr

IDLE_MS = 250
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class QrWedge(QObject):
    """Watches line edits; ``scanned(payload, field)`` fires once per complete payload."""

    scanned = Signal(str, QLineEdit)

    def __init__(self, parent: QObject | None = None, idle_ms: int = IDLE_MS) -> None:
        super().__init__(parent)
        self._watched: set[QLineEdit] = set()
        self._pending: QLineEdit | None = None
        self._idle = QTimer(self, singleShot=True, interval=idle_ms)
        self._idle.timeout.connect(self._on_idle)

    def watch(self, edits: Iterable[QLineEdit]) -> None:
        for edit in edits:
            if edit not in self._watched:
                self._watched.add(edit)
                edit.installEventFilter(self)
                edit.textChanged.connect(lambda _t, e=edit: self._on_text(e))

    def _on_text(self, edit: QLineEdit) -> None:
        if "|" in edit.text() and extract_cccd_qr(edit.text()) is not None:
            self._pending = edit
            self._idle.start()  # restarted by every character: fires when the scanner stops

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER and isinstance(watched, QLineEdit) and watched in self._watched):
            return self.take(watched)  # the scanner's Enter suffix is eaten, not passed on
        return False

    def _on_idle(self) -> None:
        if self._pending is not None:
            self.take(self._pending)

    def take(self, edit: QLineEdit) -> bool:
        """Cut a complete payload out of ``edit``, restoring the text typed before the scan (the
        payload starts at its 12-digit CCCD number); True when there was a payload."""
        text = edit.text()
        payload = extract_cccd_qr(text) if "|" in text else None
        if payload is None:
            return False
        self._idle.stop()
        self._pending = None
        start = text.find(payload)
        edit.setText(text[:start] if start > 0 else "")
        self.scanned.emit(payload, edit)
        return True
