"""A live camera preview that closes itself when it reads the QR code it is waiting for."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import MotCuaError
from app.core.progress import CancelledError, CancelToken
from app.ui.ops import TaskRunner

Reader = Callable[..., str | None]  # (source, cancel, *, timeout_s, on_frame) -> text or None


class _FrameBridge(QObject):
    frame = Signal(object)  # a small RGB numpy array, delivered on the GUI thread


class CameraDialog(QDialog):
    """Runs ``reader`` on the work pool; emits ``found`` with the text and closes."""

    found = Signal(str)

    def __init__(self, runner: TaskRunner, reader: Reader, source: str | int, title: str,
                 parent: QWidget | None = None, timeout_s: float = 60.0) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runner, self._reader, self._source, self._timeout = runner, reader, source, timeout_s
        self._cancel = CancelToken()
        self.result_text: str | None = None
        self.preview = QLabel("Đang mở camera…", self)
        self.preview.setObjectName("cameraPreview")
        self.preview.setMinimumSize(480, 320)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel("Đưa mã QR vào trước camera.", self)
        self.message.setObjectName("cameraMessage")
        self.message.setWordWrap(True)
        cancel = QPushButton("Hủy (Esc)", self)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)
        layout.addWidget(self.message)
        layout.addWidget(cancel, alignment=Qt.AlignmentFlag.AlignRight)
        self._frames = _FrameBridge()
        self._frames.frame.connect(self._show_frame)

    def start(self) -> None:
        """Open the dialog (non-blocking) and start reading frames in the background."""
        self.open()
        cancel, frames = self._cancel, self._frames
        self.runner.run_work(
            lambda: self._reader(self._source, cancel, timeout_s=self._timeout, on_frame=frames.frame.emit),
            self._on_done, self._on_failed)

    def _show_frame(self, rgb: np.ndarray) -> None:
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self.preview.setPixmap(QPixmap.fromImage(image))

    def _on_done(self, text: str | None) -> None:
        if text is None:
            if not self._cancel.cancelled:
                self.message.setText("Không đọc được mã QR trong thời gian chờ. Hãy thử lại.")
            return
        self.result_text = text
        self.found.emit(text)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, CancelledError):
            return
        self.message.setText(error.message_vi if isinstance(error, MotCuaError)
                             else "Camera gặp lỗi không mong muốn.")

    def done(self, result: int) -> None:
        self._cancel.cancel()  # the worker stops at its next frame
        super().done(result)
