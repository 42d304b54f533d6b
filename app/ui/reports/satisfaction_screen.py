"""The citizens' rating screen: a second, citizen-facing window (second monitor or a tablet-sized
window at the counter) for the dossier just served.

It shows only the dossier's code and procedure, never the applicant's details, three big buttons
(Rất hài lòng, Hài lòng, Không hài lòng) and an optional short list of reasons. One touch stores the
rating (:func:`app.services.reports.satisfaction.rate`), thanks the citizen and clears the screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import MotCuaError
from app.services import auth
from app.services.context import AppContext
from app.services.reports import satisfaction
from app.ui.ops import TaskRunner

BUTTONS = ((3, "Rất hài lòng", "#2e7d32"), (2, "Hài lòng", "#1565c0"), (1, "Không hài lòng", "#c62828"))
THANKS_MS = 6000
WAITING = "Mời ông/bà đánh giá sau khi được phục vụ."


class SatisfactionScreen(QWidget):
    rated = Signal(object)  # the stored Rating

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: auth.Officer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.served: satisfaction.ServedDossier | None = None
        self.setWindowTitle("Đánh giá mức độ hài lòng")
        self.resize(1024, 640)
        self.setStyleSheet("QWidget { font-size: 20px; }")
        title = QLabel("Ông/bà có hài lòng với việc phục vụ của chúng tôi?")
        title.setStyleSheet("font-size: 30px; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        self.dossier = QLabel(WAITING)
        self.dossier.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dossier.setWordWrap(True)
        self.dossier.setStyleSheet("font-size: 22px; color: #37474f;")
        reasons = QGridLayout()
        self.reason_buttons: list[QPushButton] = []
        for index, text in enumerate(satisfaction.REASONS_VI):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setMinimumHeight(52)
            button.setStyleSheet("QPushButton { border: 2px solid #90a4ae; border-radius: 10px; "
                                 "padding: 6px; } QPushButton:checked { background: #fff3e0; "
                                 "border-color: #ef6c00; }")
            self.reason_buttons.append(button)
            reasons.addWidget(button, index // 3, index % 3)
        row = QHBoxLayout()
        self.level_buttons: dict[int, QPushButton] = {}
        for level, text, colour in BUTTONS:
            button = QPushButton(text)
            button.setMinimumSize(260, 150)
            button.setStyleSheet(f"QPushButton {{ background: {colour}; color: white; font-size: 30px; "
                                 "font-weight: bold; border-radius: 18px; }"
                                 "QPushButton:disabled { background: #b0bec5; }")
            button.clicked.connect(lambda _c=False, value=level: self.rate(value))
            self.level_buttons[level] = button
            row.addWidget(button)
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 26px; font-weight: bold; color: #2e7d32;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.dossier)
        layout.addSpacing(10)
        layout.addLayout(row)
        layout.addSpacing(10)
        hint = QLabel("Lý do (không bắt buộc, chọn trước khi bấm đánh giá):")
        hint.setStyleSheet("font-size: 17px; color: #546e7a;")
        layout.addWidget(hint)
        layout.addLayout(reasons)
        layout.addWidget(self.message)
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(self.clear)
        self._set_enabled(False)

    def place_on_second_screen(self) -> None:
        """Full screen on a second monitor when there is one; else a tablet-sized window."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.show()

    def show_dossier(self, code: str) -> None:
        """Show the dossier just served and wait for the citizen's touch."""
        ctx, officer = self.ctx, self.officer
        self.runner.run_db(lambda: satisfaction.served(ctx, officer, code), self._served, self._failed)

    def _served(self, served: satisfaction.ServedDossier) -> None:
        self._clear_timer.stop()
        self.served = served
        self.dossier.setText(f"Hồ sơ <b>{served.code}</b><br>{served.procedure_name}<br>"
                             f"<i>Lần {satisfaction.EVENT_LABELS_VI[served.event]}</i>")
        for button in self.reason_buttons:
            button.setChecked(False)
        if served.already_rated:
            self._show_message("Hồ sơ này đã được đánh giá cho lần phục vụ này. Xin cảm ơn!", "#2e7d32")
            self._set_enabled(False)
            return
        self.message.setText("")
        self._set_enabled(True)

    def _set_enabled(self, on: bool) -> None:
        for button in (*self.level_buttons.values(), *self.reason_buttons):
            button.setEnabled(on)

    def reasons(self) -> str:
        return "; ".join(b.text() for b in self.reason_buttons if b.isChecked())

    def rate(self, level: int) -> None:
        if self.served is None:
            return
        ctx, officer, code, reason = self.ctx, self.officer, self.served.code, self.reasons()
        self._set_enabled(False)
        self.runner.run_db(lambda: satisfaction.rate(ctx, officer, code, level, reason), self._rated,
                           self._failed)

    def _show_message(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"font-size: 24px; font-weight: bold; color: {colour};")

    def _rated(self, rating: object) -> None:
        self._show_message("Xin cảm ơn ông/bà đã đánh giá!", "#2e7d32")
        self.rated.emit(rating)
        self._clear_timer.start(THANKS_MS)

    def clear(self) -> None:
        self.served = None
        self.dossier.setText(WAITING)
        self.message.setText("")
        for button in self.reason_buttons:
            button.setChecked(False)
        self._set_enabled(False)

    def _failed(self, error: BaseException) -> None:
        text = error.message_vi if isinstance(error, MotCuaError) else "Không ghi nhận được đánh giá."
        self._show_message(text, "#c62828")
        self._clear_timer.start(THANKS_MS)
