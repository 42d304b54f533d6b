"""One dialog for every dossier action after reception: it asks only what the action needs (the
unit, the items to supplement, a reason, the new appointment), runs the action on the database
worker, then renders the action's slip from the dossier as the action left it (print with Ctrl+P).
Errors stay in the dialog, in Vietnamese; nothing typed is lost."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from html import escape
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import vn_now, vn_today
from app.core.dossier import Dossier
from app.core.errors import MotCuaError
from app.core.lifecycle import ACTIONS, Action
from app.services import lifecycle
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.reception import handover, printing
from app.ui.ops import TaskRunner
from app.ui.widgets.slip_output import print_pdf

log = logging.getLogger(__name__)
#: What each action asks for.
ASKS_UNIT = {Action.HANDOVER}
ASKS_ITEMS = {Action.SUPPLEMENT_REQUEST}
ASKS_DUE = {Action.POSTPONE}
REASON_LABELS = {Action.SUPPLEMENT_REQUEST: "Lý do yêu cầu bổ sung", Action.REFUSE: "Lý do từ chối",
                 Action.POSTPONE: "Lý do chậm trả kết quả", Action.STOP: "Lý do dừng giải quyết",
                 Action.WITHDRAW: "Lý do rút hồ sơ"}
INTRO = {
    Action.HANDOVER: "Chuyển hồ sơ cho đơn vị, cán bộ giải quyết (ghi vào Phiếu kiểm soát).",
    Action.DONE: "Ghi nhận kết quả giải quyết đã về Bộ phận Một cửa; sau đó có thể trả kết quả (F9).",
    Action.SUPPLEMENT_REQUEST: "Chọn hoặc nhập các giấy tờ cần bổ sung; thời hạn giải quyết tạm dừng.",
    Action.SUPPLEMENT_RECEIVE: "Nhận đủ hồ sơ bổ sung: thời hạn giải quyết chạy tiếp, ngày hẹn trả được "
                               "tính lại theo lịch làm việc.",
    Action.REFUSE: "Từ chối tiếp nhận giải quyết hồ sơ (in Phiếu từ chối, Mẫu 03).",
    Action.POSTPONE: "Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04), chỉ khi hồ sơ đã quá hạn hoặc còn "
                     "không quá một ngày làm việc.",
    Action.STOP: "Dừng giải quyết hồ sơ (in Thông báo dừng giải quyết hồ sơ).",
    Action.WITHDRAW: "Công dân đề nghị rút hồ sơ.",
}


class ActionDialog(QDialog):
    """``done(Dossier)`` once the action is stored; ``slip_pdf`` then holds its slip (if any)."""

    finished_action = Signal(object)

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer, dossier: Dossier,
                 action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer, self.dossier, self.action = ctx, runner, officer, dossier, action
        self.rule = ACTIONS[action]
        self.slip_pdf: bytes | None = None
        self.result: Dossier | None = None
        self._busy = False
        self.setWindowTitle(f"{self.rule.label_vi} — {dossier.code}")
        self.setObjectName(f"action_{action.value}")
        self.resize(680, 480 if action in ASKS_ITEMS else 260)
        layout = QVBoxLayout(self)
        intro = QLabel(f"<b>{escape(dossier.code)}</b> — {escape(dossier.applicant.full_name)}<br>"
                       f"{escape(INTRO[action])}", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.unit = self.items = self.other_items = self.reason = self.new_due = None
        if action in ASKS_UNIT:
            self.unit = QLineEdit(self)
            self.unit.setObjectName("unit")
            self.unit.setPlaceholderText("Ví dụ: Công chức Tư pháp - Hộ tịch")
            form.addRow("Đơn vị, cán bộ &nhận:", self.unit)
        if action in ASKS_ITEMS:
            self.items = QListWidget(self)
            self.items.setObjectName("items")
            self.items.setWordWrap(True)  # catalogue names are long: wrapped, never cut
            self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.items.setResizeMode(QListWidget.ResizeMode.Adjust)
            for component in dossier.components:
                entry = QListWidgetItem(component.name, self.items)
                entry.setToolTip(component.name)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(Qt.CheckState.Unchecked)
            form.addRow("Giấy tờ cần &bổ sung:", self.items)
            self.other_items = QPlainTextEdit(self)
            self.other_items.setObjectName("otherItems")
            self.other_items.setPlaceholderText("Giấy tờ khác, mỗi dòng một giấy tờ")
            self.other_items.setFixedHeight(60)
            form.addRow("Giấy tờ &khác:", self.other_items)
        if action in ASKS_DUE:
            self.new_due = QDateTimeEdit(self)
            self.new_due.setObjectName("newDue")
            self.new_due.setDisplayFormat("dd/MM/yyyy HH:mm")
            self.new_due.setCalendarPopup(True)
            # Until the working-day calendar answers (in the background): tomorrow at the same time.
            self._placeholder_due = datetime.combine(vn_today() + timedelta(days=1), dossier.due_at.time())
            self.new_due.setDateTime(QDateTime(self._placeholder_due))
            self.new_due.dateTimeChanged.connect(lambda _v: self._check_new_due())
            form.addRow("Ngày, giờ hẹn &mới:", self.new_due)
            self.default_due: datetime | None = None
            runner.run_db(lambda: lifecycle.postponement_default(ctx, dossier), self._set_default_due)
        if action in REASON_LABELS:
            self.reason = QLineEdit(self)
            self.reason.setObjectName("reason")
            form.addRow(f"{REASON_LABELS[action]}:", self.reason)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setObjectName("actionMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(self.rule.label_vi, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.print_button = QPushButton("&In phiếu…", self)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setVisible(False)  # once the action is stored and its slip rendered
        self.close_button = self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.confirm)
        self.print_button.clicked.connect(self.print_slip)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_slip)
        first = next((w for w in (self.unit, self.items, self.new_due, self.reason) if w is not None), None)
        (first or self.ok_button).setFocus()

    # -- input -------------------------------------------------------------------------------
    def chosen_items(self) -> list[str]:
        chosen: list[str] = []
        if self.items is not None:
            chosen += [self.items.item(i).text() for i in range(self.items.count())
                       if self.items.item(i).checkState() == Qt.CheckState.Checked]
        if self.other_items is not None:
            chosen += [line.strip() for line in self.other_items.toPlainText().splitlines() if line.strip()]
        return chosen

    def _work(self) -> Any:
        """The action with what was typed, as a function for the database worker."""
        ctx, code, officer, action = self.ctx, self.dossier.code, self.officer, self.action
        reason = self.reason.text() if self.reason is not None else ""
        unit = self.unit.text() if self.unit is not None else ""
        items = self.chosen_items()
        new_due = self.new_due.dateTime().toPython() if self.new_due is not None else None
        slip = self.rule.slip if self.rule.slip is not None and action is not Action.HANDOVER else None

        def run() -> tuple[Dossier, bytes | None]:
            if action is Action.HANDOVER:
                dossier = lifecycle.handover(ctx, code, unit, officer)
            elif action is Action.DONE:
                dossier = lifecycle.mark_done(ctx, code, officer)
            elif action is Action.SUPPLEMENT_REQUEST:
                dossier = lifecycle.request_supplement(ctx, code, items, reason, officer)
            elif action is Action.SUPPLEMENT_RECEIVE:
                dossier = lifecycle.receive_supplement(ctx, code, officer)
            elif action is Action.REFUSE:
                dossier = lifecycle.refuse(ctx, code, reason, officer)
            elif action is Action.POSTPONE:
                dossier = lifecycle.postpone(ctx, code, new_due, reason, officer)
            elif action is Action.STOP:
                dossier = lifecycle.stop(ctx, code, reason, officer)
            elif action is Action.WITHDRAW:
                dossier = lifecycle.withdraw(ctx, code, reason, officer)
            elif action is Action.RETURN:  # pragma: no cover - the return dialog (F9) does it
                dossier = handover.return_result(ctx, code, reason, officer)
            else:  # pragma: no cover - receive and accept have their own screens
                raise AssertionError(action)
            # The slip is rendered after the action, from the dossier as stored.
            data = printing.render_slip_of(ctx, slip, code, officer) if slip is not None else None
            return dossier, data

        return run

    # -- run ---------------------------------------------------------------------------------
    def _set_default_due(self, moment: datetime) -> None:
        self.default_due = moment
        untouched = self.new_due is not None and self.new_due.dateTime().toPython() == self._placeholder_due
        if untouched and self.result is None:  # never over what the officer already chose
            self.new_due.setDateTime(QDateTime(moment))

    def _check_new_due(self) -> bool:
        """A new appointment in the past is refused here, before anything is stored."""
        if self.new_due is None or self.result is not None:
            return True
        chosen = self.new_due.dateTime().toPython()
        if chosen <= vn_now():
            self._say(f"Ngày hẹn mới {chosen:%d/%m/%Y %H:%M} đã qua; hãy chọn thời điểm sắp tới "
                      "(the new appointment is in the past).", error=True)
            return False
        if chosen <= self.dossier.due_at:
            self._say(f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({self.dossier.due_at:%d/%m/%Y %H:%M}).",
                      error=True)
            return False
        self._say("")
        return True

    def _missing(self) -> str | None:
        """What must be filled before the action can be stored (checked again by the service)."""
        if self.unit is not None and not self.unit.text().strip():
            self.unit.setFocus()
            return "Hãy nhập đơn vị, cán bộ nhận hồ sơ."
        if self.items is not None and not self.chosen_items():
            self.items.setFocus()
            return "Hãy đánh dấu hoặc nhập ít nhất một giấy tờ cần bổ sung."
        if self.reason is not None and not self.reason.text().strip():
            self.reason.setFocus()
            return f"Hãy nhập {REASON_LABELS[self.action][0].lower()}{REASON_LABELS[self.action][1:]}."
        return None

    def confirm(self) -> None:
        if self._busy or self.result is not None:
            return
        missing = self._missing()
        if missing is not None:
            self._say(escape(missing), error=True)
            return
        if not self._check_new_due():
            self.new_due.setFocus()  # type: ignore[union-attr]
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        self._say("Đang lưu…")
        self.runner.run_db(self._work(), self._stored, self._failed)

    def _stored(self, outcome: tuple[Dossier, bytes | None]) -> None:
        self._busy = False
        self.result, self.slip_pdf = outcome
        dossier = self.result
        slip = " Nhấn Ctrl+P để in phiếu." if self.slip_pdf is not None else ""
        self.print_button.setVisible(self.slip_pdf is not None)
        self._say(f"✔ {escape(self.rule.label_vi)}: hồ sơ {escape(dossier.code)} — "
                  f"{escape(dossier.status.label_vi)}, hẹn trả {dossier.due_at:%d/%m/%Y %H:%M}.{slip}",
                  ok=True)
        self.close_button.setFocus()
        self.finished_action.emit(dossier)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if isinstance(error, MotCuaError):
            self._say(escape(error.message_vi), error=True)
        else:
            log.error("dossier action failed", exc_info=error)
            self._say("Đã xảy ra lỗi không mong muốn. Chi tiết đã được ghi vào nhật ký.", error=True)

    def print_slip(self) -> None:
        if self.slip_pdf is not None:
            print_pdf(self, self.slip_pdf)

    def _say(self, html: str, *, error: bool = False, ok: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32" if ok else "#333"
        self.message.setText(f"<span style='color:{color}'>{html}</span>")
